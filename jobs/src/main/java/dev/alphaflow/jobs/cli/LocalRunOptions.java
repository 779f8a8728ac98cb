package dev.alphaflow.jobs.cli;

import java.nio.file.Path;

import org.apache.flink.configuration.Configuration;

import picocli.CommandLine.Option;

import dev.alphaflow.jobs.local.LocalFlink;
import dev.alphaflow.jobs.matting.MattingJobOptions;

/**
 * Flags of the commands that run a job on the local runtime ({@code run}, {@code segment}, {@code instances}):
 * where checkpoints go, what to resume from, and whether to stop at the end of the frames topic. Together with
 * {@link EngineOptions} they make the {@link LocalFlink} the job runs on.
 */
final class LocalRunOptions {

    @Option(names = "--checkpoint-dir", paramLabel = "DIR",
            description = "Where checkpoints are written (default: alphaflow-state/<job>-checkpoints, <job> = matting, segment or instances).")
    Path checkpointDir;

    @Option(names = "--restore-from", paramLabel = "CHECKPOINT",
            description = "Resume from a retained checkpoint or savepoint folder.")
    Path restoreFrom;

    @Option(names = "--bounded",
            description = "Stop at the frames topic's current end (archive replay) instead of running until interrupted.")
    boolean bounded;

    /** Sets {@link MattingJobOptions#BOUNDED}. */
    void applyTo(Configuration conf) {
        conf.set(MattingJobOptions.BOUNDED, bounded);
    }

    /**
     * The local runtime for a job configured by {@code conf}: checkpoints retained in {@code --checkpoint-dir} (else
     * {@code defaultCheckpointDir}), the engine's interval and parallelism, the state backend named by
     * {@link LocalFlink#STATE_BACKEND} (settable with -D), resumed from {@code --restore-from} when given.
     */
    LocalFlink localFlink(EngineOptions engine, Configuration conf, Path defaultCheckpointDir) {
        LocalFlink.Builder flink = LocalFlink.builder()
                .checkpointDir(checkpointDir != null ? checkpointDir : defaultCheckpointDir)
                .checkpointInterval(engine.checkpointInterval())
                .parallelism(engine.parallelism)
                .stateBackend(conf.get(LocalFlink.STATE_BACKEND))
                .retainCheckpoints(true);
        if (restoreFrom != null) {
            flink.restoreFrom(restoreFrom);
        }
        return flink.build();
    }
}
