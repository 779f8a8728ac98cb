package dev.alphaflow.jobs.cli;

import java.nio.file.Path;
import java.time.Duration;

import org.apache.flink.configuration.Configuration;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import dev.alphaflow.jobs.matting.MattingJobOptions;

/**
 * Matting-job flags shared by {@code run} and {@code demo}; each maps onto a {@link MattingJobOptions}
 * key. The engine flags ({@link EngineOptions}) come with them.
 */
final class JobOptions {

    @Option(names = "--model-dir", paramLabel = "DIR",
            description = "Folder with the model files named by the model cards (default: $ALPHAFLOW_MODEL_DIR, "
                    + "else <shared>/models).")
    Path modelDir;

    @Option(names = "--model", paramLabel = "ID", defaultValue = "rvm-mobilenetv3",
            description = "Model card id (default: ${DEFAULT-VALUE}).")
    String modelId;

    @Option(names = "--ratio", paramLabel = "R",
            description = "RVM downsample_ratio in (0, 1] (default: automatic, long side <= 512 px).")
    Float downsampleRatio;

    @Mixin
    EngineOptions engine;

    Duration checkpointInterval() {
        return engine.checkpointInterval();
    }

    int parallelism() {
        return engine.parallelism;
    }

    /** The job configuration for the given Kafka options and model folder. */
    Configuration toConfiguration(KafkaOptions kafka, Path defaultModelDir) {
        Configuration conf = new Configuration();
        conf.set(MattingJobOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        conf.set(MattingJobOptions.FRAMES_TOPIC, kafka.framesTopic());
        conf.set(MattingJobOptions.MATTES_TOPIC, kafka.mattesTopic());
        conf.set(MattingJobOptions.DEAD_LETTER_TOPIC, kafka.dlqTopic());
        Path models = modelDir != null ? modelDir : defaultModelDir;
        conf.set(MattingJobOptions.MODEL_DIR, models.toAbsolutePath().normalize().toString());
        conf.set(MattingJobOptions.MODEL_ID, modelId);
        if (downsampleRatio != null) {
            conf.set(MattingJobOptions.DOWNSAMPLE_RATIO, downsampleRatio);
        }
        engine.applyTo(conf);
        engine.applyExtra(conf);
        return conf;
    }
}
