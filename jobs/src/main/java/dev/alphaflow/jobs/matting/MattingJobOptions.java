package dev.alphaflow.jobs.matting;

import java.time.Duration;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import dev.alphaflow.jobs.KafkaDefaults;

/**
 * Options of the matting job ({@code alphaflow.topics.mattes}, {@code alphaflow.rvm.*}, {@code alphaflow.matting.*}),
 * beside the ones every job shares ({@link dev.alphaflow.jobs.CommonOptions}). Set them in the Flink
 * {@code Configuration} (e.g. {@code -D key=value} on the {@code alphaflow run} command line); the CLI's named flags
 * map onto these keys.
 */
public final class MattingJobOptions {
    private MattingJobOptions() {}

    public static final ConfigOption<String> MATTES_TOPIC = ConfigOptions.key("alphaflow.topics.mattes")
            .stringType().defaultValue(KafkaDefaults.MATTES_TOPIC).withDescription("Topic the Matte records are written to.");

    public static final ConfigOption<String> MODEL_ID = ConfigOptions.key("alphaflow.model.id")
            .stringType().defaultValue("rvm-mobilenetv3").withDescription("Model card id of the matting model.");

    public static final ConfigOption<Float> DOWNSAMPLE_RATIO = ConfigOptions.key("alphaflow.rvm.downsample-ratio")
            .floatType().noDefaultValue()
            .withDescription("RVM downsample_ratio in (0, 1]. Unset: chosen per frame so the downsampled long side "
                    + "is at most alphaflow.rvm.max-long-side.");

    public static final ConfigOption<Integer> MAX_DOWNSAMPLED_LONG_SIDE = ConfigOptions.key("alphaflow.rvm.max-long-side")
            .intType().defaultValue(512).withDescription("Long side in pixels of the frame RVM's encoder sees, when the ratio is automatic.");

    public static final ConfigOption<Boolean> WITH_FOREGROUND = ConfigOptions.key("alphaflow.rvm.foreground")
            .booleanType().defaultValue(false).withDescription("Also emit RVM's predicted foreground colours as a PNG.");

    // Decode limits and sequencer settings are read from DecodeLimits and SequencerOptions
    // (keys alphaflow.decode.* and alphaflow.sequencer.*).

    public static final ConfigOption<Integer> BATCH_SIZE = ConfigOptions.key("alphaflow.matting.batch-size")
            .intType().defaultValue(1)
            .withDescription("Frames of different streams run through the model together (at most one per stream). "
                    + "1 disables batching.");

    public static final ConfigOption<Boolean> ASYNC_ENCODE = ConfigOptions.key("alphaflow.matting.async-encode")
            .booleanType().defaultValue(true)
            .withDescription("Encode the alpha (and foreground) PNGs on a thread of their own, so frame t is encoded "
                    + "while the model runs frame t+1 (in order, exactly-once); false encodes in the matting task.");

    public static final ConfigOption<Duration> BATCH_TIMEOUT = ConfigOptions.key("alphaflow.matting.batch-timeout")
            .durationType().defaultValue(Duration.ofMillis(20))
            .withDescription("Longest a frame waits for a batch to fill; batches also flush before every checkpoint.");
}
