package dev.alphaflow.jobs.cli;

import java.nio.file.Path;

import org.apache.flink.configuration.Configuration;

import picocli.CommandLine.Option;

import dev.alphaflow.jobs.AlphaflowJob;
import dev.alphaflow.jobs.CommonOptions;
import dev.alphaflow.jobs.PrometheusOptions;
import dev.alphaflow.jobs.local.LocalFlink;

/**
 * Flags of the commands that run a job on the local runtime ({@code run}, {@code segment}, {@code instances}):
 * where checkpoints go, what to resume from, whether to stop at the end of the frames topic and whether to start
 * over. Together with {@link EngineOptions} they make the {@link LocalFlink} the job runs on.
 */
final class LocalRunOptions {
    @Option(names = "--checkpoint-dir", paramLabel = "DIR",
            description = "Where checkpoints are written (default: alphaflow-state/<job>-checkpoints, <job> = "
                    + "matting, segment, instances or flow; `alphaflow clean` removes alphaflow-state).")
    Path checkpointDir;

    @Option(names = "--restore-from", paramLabel = "CHECKPOINT",
            description = "Resume from a retained checkpoint or savepoint folder.")
    Path restoreFrom;

    @Option(names = "--bounded",
            description = "Stop at the frames topic's current end (archive replay) instead of running until interrupted.")
    boolean bounded;

    @Option(names = "--from-beginning",
            description = "Read the frames topic from its beginning, ignoring the offsets the job's consumer group "
                    + "committed in an earlier run.")
    boolean fromBeginning;

    /** Sets {@link CommonOptions#BOUNDED} and, with {@code --from-beginning}, the starting offsets. */
    void applyTo(Configuration conf) {
        conf.set(CommonOptions.BOUNDED, bounded);
        if (fromBeginning) {
            conf.set(CommonOptions.STARTING_OFFSETS, CommonOptions.StartingOffsets.EARLIEST);
        }
    }

    /**
     * Runs {@code job} the way every job command does: its models loaded once here, then Kafka checked, then the
     * job on the local runtime these flags describe, with progress and a summary on stdout.
     */
    LocalJobRunner.Summary run(AlphaflowJob job, KafkaOptions kafka, EngineOptions engine) throws Exception {
        LocalJobRunner.checkModels(job);
        return new LocalJobRunner(job, kafka, System.out)
                .run(localFlink(engine, job.configuration(), job.identity().name()));
    }

    Path checkpointDir(String jobName) {
        return checkpointDir != null ? checkpointDir : LocalState.checkpointDir(jobName);
    }

    /**
     * The local runtime for a job configured by {@code conf}: checkpoints retained in {@code --checkpoint-dir} (else
     * {@code alphaflow-state/<job>-checkpoints}), the engine's interval and parallelism, the state backend named by
     * {@link LocalFlink#STATE_BACKEND} (settable with -D), resumed from {@code --restore-from} when given, metrics
     * served for Prometheus on {@link PrometheusOptions#PORT} (settable with -D; empty for none).
     */
    LocalFlink localFlink(EngineOptions engine, Configuration conf, String jobName) {
        LocalFlink.Builder flink = LocalFlink.builder()
                .checkpointDir(checkpointDir(jobName))
                .checkpointInterval(engine.checkpointInterval())
                .parallelism(engine.parallelism)
                .stateBackend(conf.get(LocalFlink.STATE_BACKEND))
                .prometheusPorts(conf.get(PrometheusOptions.PORT))
                .retainCheckpoints(true);
        if (restoreFrom != null) {
            flink.restoreFrom(restoreFrom);
        }
        return flink.build();
    }
}
