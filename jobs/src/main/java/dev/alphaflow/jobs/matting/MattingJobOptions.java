package dev.alphaflow.jobs.matting;

import java.time.Duration;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.model.ExecutionProvider;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.ThreadSpinning;

/**
 * Options of the matting job. Set them in the Flink {@code Configuration} (e.g. {@code -D key=value}
 * on the {@code alphaflow run} command line); the CLI's named flags map onto these keys.
 */
public final class MattingJobOptions {
    private MattingJobOptions() {}

    /** Whether the sink writes Kafka transactions (exactly-once) or plain records (lower latency). */
    public enum Delivery { EXACTLY_ONCE, AT_LEAST_ONCE }

    /** Where the frame source starts when the job has no checkpoint or savepoint to resume from. */
    public enum StartingOffsets { EARLIEST, LATEST, COMMITTED_OR_EARLIEST }

    public static final ConfigOption<String> BOOTSTRAP_SERVERS = ConfigOptions.key("alphaflow.kafka.bootstrap-servers")
            .stringType().defaultValue("127.0.0.1:9092")
            .withDescription("Kafka bootstrap servers (host:port, comma-separated).");

    public static final ConfigOption<String> FRAMES_TOPIC = ConfigOptions.key("alphaflow.topics.frames")
            .stringType().defaultValue(KafkaDefaults.FRAMES_TOPIC).withDescription("Topic of encoded Frame records (key = stream id).");

    public static final ConfigOption<String> MATTES_TOPIC = ConfigOptions.key("alphaflow.topics.mattes")
            .stringType().defaultValue(KafkaDefaults.MATTES_TOPIC).withDescription("Topic the Matte records are written to.");

    public static final ConfigOption<String> SEGMENTS_TOPIC = ConfigOptions.key("alphaflow.topics.segments")
            .stringType().defaultValue(KafkaDefaults.SEGMENTS_TOPIC)
            .withDescription("Topic the Segmentation records (video object masks) are written to.");

    public static final ConfigOption<String> DEAD_LETTER_TOPIC = ConfigOptions.key("alphaflow.topics.dlq")
            .stringType().defaultValue(KafkaDefaults.DLQ_TOPIC).withDescription("Topic for records the job rejects, with a reason.");

    public static final ConfigOption<String> GROUP_ID = ConfigOptions.key("alphaflow.kafka.group-id")
            .stringType().defaultValue("alphaflow-matting")
            .withDescription("Consumer group of the frame source (offsets are committed on checkpoints, for monitoring).");

    public static final ConfigOption<StartingOffsets> STARTING_OFFSETS = ConfigOptions.key("alphaflow.kafka.starting-offsets")
            .enumType(StartingOffsets.class).defaultValue(StartingOffsets.COMMITTED_OR_EARLIEST)
            .withDescription("Where to start reading frames without a checkpoint to resume from.");

    public static final ConfigOption<Boolean> BOUNDED = ConfigOptions.key("alphaflow.kafka.bounded")
            .booleanType().defaultValue(false)
            .withDescription("Stop at the offsets that are the latest when the job starts (archive replay) "
                    + "instead of running until cancelled (live cameras).");

    public static final ConfigOption<Delivery> DELIVERY = ConfigOptions.key("alphaflow.delivery")
            .enumType(Delivery.class).defaultValue(Delivery.EXACTLY_ONCE)
            .withDescription("EXACTLY_ONCE: mattes become visible to read_committed consumers when a checkpoint "
                    + "completes. AT_LEAST_ONCE: visible at once; consumers de-duplicate by (streamId, seq).");

    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT = ConfigOptions.key("alphaflow.kafka.transaction-timeout")
            .durationType().defaultValue(Duration.ofMinutes(5))
            .withDescription("Kafka transaction timeout of the exactly-once sink. Must be below the broker's "
                    + "transaction.max.timeout.ms (15 min by default) and well above the checkpoint interval.");

    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX = ConfigOptions.key("alphaflow.kafka.transactional-id-prefix")
            .stringType().defaultValue("alphaflow-matting")
            .withDescription("Prefix of the sink's transactional ids; must be unique per job writing to the same cluster.");

    public static final ConfigOption<String> MODEL_DIR = ConfigOptions.key("alphaflow.model.dir")
            .stringType().defaultValue("../shared/models")
            .withDescription("Folder holding the model files named by the model cards (weights are not shipped).");

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

    public static final ConfigOption<Integer> INTRA_OP_THREADS = ConfigOptions.key("alphaflow.ort.intra-op-threads")
            .intType().defaultValue(Math.max(1, Runtime.getRuntime().availableProcessors()))
            .withDescription("ONNX Runtime threads inside one operator (default: the number of cores).");

    public static final ConfigOption<Integer> INTER_OP_THREADS = ConfigOptions.key("alphaflow.ort.inter-op-threads")
            .intType().defaultValue(1).withDescription("ONNX Runtime threads across independent graph nodes.");

    public static final ConfigOption<String> SPINNING = ConfigOptions.key("alphaflow.ort.spinning")
            .stringType().noDefaultValue()
            .withDescription("When ONNX Runtime's pool threads busy-wait for work: never (idle pool threads sleep, "
                    + "so decoding, encoding, Kafka and Flink get a core even during a model run: the most frames/s "
                    + "on a busy machine), during-run (spin inside a run, stop when it returns: faster model steps, "
                    + "lower latency at moderate load) or always (ONNX Runtime's own default). Unset: never with "
                    + "EXACTLY_ONCE delivery (replay, throughput), during-run with AT_LEAST_ONCE (live, latency); "
                    + "see BENCHMARKS.md for both measurements.");

    public static final ConfigOption<Integer> DYNAMIC_BLOCK_BASE = ConfigOptions.key("alphaflow.ort.dynamic-block-base")
            .intType().defaultValue(0)
            .withDescription("How ONNX Runtime splits a parallel loop among its threads: 0 = one equal block per "
                    + "thread (ONNX Runtime's default); b > 0 = blocks that start at n / (threads × b) and shrink, "
                    + "taken by whichever thread is free, so a thread preempted by decoding, encoding, Kafka or "
                    + "Flink does not hold up the others.");

    public static final ConfigOption<String> EXECUTION_PROVIDER = ConfigOptions.key("alphaflow.ort.provider")
            .stringType().defaultValue("cpu").withDescription("Execution provider: cpu, cuda or tensorrt.");

    public static final ConfigOption<Boolean> ALLOW_CPU_FALLBACK = ConfigOptions.key("alphaflow.ort.allow-cpu-fallback")
            .booleanType().defaultValue(false)
            .withDescription("When a GPU provider is requested but unavailable: true = warn and run on CPU, false = fail at start.");

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

    /**
     * ONNX Runtime's thread spinning when {@code alphaflow.ort.spinning} is not set. On 2 cores, replay through the
     * exactly-once job ran 3-5% faster (relative to the bare model loop) with sleeping pool threads, while live
     * at-least-once latency was lower with spinning during runs (p99 72-96 ms against 108-212 ms).
     */
    public static ThreadSpinning defaultSpinning(Delivery delivery) {
        return delivery == Delivery.AT_LEAST_ONCE ? ThreadSpinning.DURING_RUN : ThreadSpinning.NEVER;
    }

    /** ONNX Runtime settings (threads, provider, fallback) from the {@code alphaflow.ort.*} options. */
    public static SessionSettings sessionSettings(ReadableConfig conf) {
        return SessionSettings.builder()
                .intraOpThreads(conf.get(INTRA_OP_THREADS))
                .interOpThreads(conf.get(INTER_OP_THREADS))
                .spinning(conf.getOptional(SPINNING).map(ThreadSpinning::parse)
                        .orElseGet(() -> defaultSpinning(conf.get(DELIVERY))))
                .dynamicBlockBase(conf.get(DYNAMIC_BLOCK_BASE))
                .executionProvider(ExecutionProvider.parse(conf.get(EXECUTION_PROVIDER)))
                .allowCpuFallback(conf.get(ALLOW_CPU_FALLBACK))
                .build();
    }
}
