package dev.alphaflow.jobs.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.flink.configuration.Configuration;

import picocli.CommandLine.Option;

import dev.alphaflow.jobs.matting.MattingJobOptions;

/**
 * Matting-job flags shared by {@code run} and {@code demo}; each maps onto a {@link MattingJobOptions}
 * key, and {@code -D key=value} sets any other job or Flink option.
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

    @Option(names = "--threads", paramLabel = "N",
            description = "ONNX Runtime intra-op threads per operator (default: number of cores).")
    Integer threads;

    @Option(names = "--provider", paramLabel = "EP", defaultValue = "cpu",
            description = "Execution provider: cpu, cuda or tensorrt (default: ${DEFAULT-VALUE}).")
    String provider;

    @Option(names = "--allow-cpu-fallback", description = "Run on CPU with a warning when the GPU provider is unavailable.")
    boolean allowCpuFallback;

    @Option(names = "--at-least-once",
            description = "Write mattes without Kafka transactions (lower latency; consumers de-duplicate by stream and seq).")
    boolean atLeastOnce;

    @Option(names = "--checkpoint-interval", paramLabel = "SECONDS", defaultValue = "5",
            description = "Checkpoint interval in seconds (default: ${DEFAULT-VALUE}); exactly-once mattes become "
                    + "visible when a checkpoint completes.")
    double checkpointIntervalSeconds;

    @Option(names = "--parallelism", paramLabel = "N", defaultValue = "1",
            description = "Parallel instances of each operator (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "-D", paramLabel = "KEY=VALUE", description = "Any job or Flink option, e.g. -D alphaflow.decode.max-width=3840.")
    Map<String, String> extra = new LinkedHashMap<>();

    Duration checkpointInterval() {
        return Duration.ofMillis(Math.max(10, Math.round(checkpointIntervalSeconds * 1000)));
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
        if (threads != null) {
            conf.set(MattingJobOptions.INTRA_OP_THREADS, threads);
        }
        conf.set(MattingJobOptions.EXECUTION_PROVIDER, provider);
        conf.set(MattingJobOptions.ALLOW_CPU_FALLBACK, allowCpuFallback);
        conf.set(MattingJobOptions.DELIVERY,
                atLeastOnce ? MattingJobOptions.Delivery.AT_LEAST_ONCE : MattingJobOptions.Delivery.EXACTLY_ONCE);
        conf.addAll(Configuration.fromMap(extra));
        return conf;
    }
}
