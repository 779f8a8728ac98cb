package dev.alphaflow.jobs.cli;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.flink.configuration.Configuration;

import picocli.CommandLine.Option;

import dev.alphaflow.jobs.CommonOptions;

/**
 * Flags every job command shares ({@code run}, {@code demo}, {@code segment}, {@code instances}): how the model
 * runs (threads, execution provider), how records are delivered, checkpointing and parallelism of the local
 * runtime, and {@code -D key=value} for any other job or Flink option.
 */
final class EngineOptions {

    @Option(names = "--threads", paramLabel = "N",
            description = "ONNX Runtime intra-op threads per operator (default: the cores of the machine it runs on).")
    Integer threads;

    @Option(names = "--provider", paramLabel = "EP", defaultValue = "cpu",
            description = "Execution provider: cpu, cuda or tensorrt (default: ${DEFAULT-VALUE}).")
    String provider;

    @Option(names = "--allow-cpu-fallback", description = "Run on CPU with a warning when the GPU provider is unavailable.")
    boolean allowCpuFallback;

    @Option(names = "--at-least-once",
            description = "Write records without Kafka transactions (lower latency; consumers de-duplicate by stream "
                    + "and seq).")
    boolean atLeastOnce;

    @Option(names = "--checkpoint-interval", paramLabel = "SECONDS", defaultValue = "5",
            description = "Checkpoint interval in seconds (default: ${DEFAULT-VALUE}); exactly-once records become "
                    + "visible when a checkpoint completes.")
    double checkpointIntervalSeconds;

    @Option(names = "--parallelism", paramLabel = "N", defaultValue = "1",
            description = "Parallel instances of each operator (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "-D", paramLabel = "KEY=VALUE",
            description = "Any job or Flink option, e.g. -D alphaflow.decode.max-width=3840.")
    Map<String, String> extra = new LinkedHashMap<>();

    Duration checkpointInterval() {
        return Duration.ofMillis(Math.max(10, Math.round(checkpointIntervalSeconds * 1000)));
    }

    /** Sets the named flags' options; call {@link #applyExtra} last so that -D overrides them. */
    void applyTo(Configuration conf) {
        if (threads != null) {
            conf.set(CommonOptions.INTRA_OP_THREADS, threads);
        }
        conf.set(CommonOptions.EXECUTION_PROVIDER, provider);
        conf.set(CommonOptions.ALLOW_CPU_FALLBACK, allowCpuFallback);
        conf.set(CommonOptions.DELIVERY,
                atLeastOnce ? CommonOptions.Delivery.AT_LEAST_ONCE : CommonOptions.Delivery.EXACTLY_ONCE);
    }

    /** Adds every {@code -D key=value}. */
    void applyExtra(Configuration conf) {
        conf.addAll(Configuration.fromMap(extra));
    }
}
