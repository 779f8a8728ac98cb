package dev.alphaflow.jobs.cli;

import java.nio.file.Path;

import org.apache.flink.configuration.Configuration;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import dev.alphaflow.jobs.CommonOptions;
import dev.alphaflow.jobs.matting.MattingJobOptions;

/**
 * Matting-job flags shared by {@code run} and {@code demo matting}; each maps onto a {@link MattingJobOptions} or
 * {@link CommonOptions} key. The engine flags ({@link EngineOptions}) come with them.
 */
final class MattingFlags {

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

    /** The job configuration of the named flags; the caller adds {@code engine.applyExtra} last, so -D wins. */
    Configuration toConfiguration(KafkaOptions kafka) {
        Configuration conf = new Configuration();
        kafka.applyTo(conf);
        conf.set(MattingJobOptions.MATTES_TOPIC, kafka.mattesTopic());
        conf.set(CommonOptions.MODEL_DIR, SharedPaths.modelDir(modelDir).toString());
        conf.set(MattingJobOptions.MODEL_ID, modelId);
        if (downsampleRatio != null) {
            conf.set(MattingJobOptions.DOWNSAMPLE_RATIO, downsampleRatio);
        }
        engine.applyTo(conf);
        return conf;
    }
}
