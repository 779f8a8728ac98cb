package dev.alphaflow.it;

import java.nio.file.Path;
import java.time.Duration;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import dev.alphaflow.jobs.local.LocalFlink;

/** The local runtime's Flink MiniCluster (the demo's code), set up for a test. */
final class ItFlink {
    private ItFlink() {}

    /**
     * @param restartAttempts 0 disables restarts, so a job that returns from execute() never failed
     */
    static StreamExecutionEnvironment environment(Path checkpointDir, long checkpointIntervalMillis, int restartAttempts) {
        return environment(checkpointDir, checkpointIntervalMillis, restartAttempts,
                LocalFlink.STATE_BACKEND.defaultValue());
    }

    /** The same with the given state backend. */
    static StreamExecutionEnvironment environment(Path checkpointDir, long checkpointIntervalMillis, int restartAttempts,
            LocalFlink.StateBackend stateBackend) {
        return LocalFlink.builder()
                .stateBackend(stateBackend)
                .checkpointDir(checkpointDir)
                .checkpointInterval(Duration.ofMillis(checkpointIntervalMillis))
                .parallelism(2)
                .restartAttempts(restartAttempts)
                .restartDelay(Duration.ofMillis(200))
                .build()
                .createEnvironment();
    }
}
