package dev.alphaflow.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.core.execution.CheckpointType;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

import dev.alphaflow.jobs.local.LocalFlink;
import dev.alphaflow.jobs.matting.MattingJob;

/**
 * One Flink MiniCluster, started once and given every benchmark job, configured by {@link LocalFlink} as the demo
 * and the ITCases are (exactly-once checkpoints as files, no restarts); each job's state backend is its own
 * ({@code alphaflow.state.backend} in the job configuration). Owning the cluster, rather than
 * letting {@code env.execute()} start one per job, gives access to checkpoint statistics and manual checkpoints.
 */
final class BenchCluster implements AutoCloseable {
    private static final Duration RPC_TIMEOUT = Duration.ofMinutes(2);

    private final MiniCluster cluster;
    private final Path checkpointRoot;
    private int jobs;

    private BenchCluster(MiniCluster cluster, Path checkpointRoot) {
        this.cluster = cluster;
        this.checkpointRoot = checkpointRoot;
    }

    static BenchCluster start(Path checkpointRoot, int slots) throws Exception {
        Configuration conf = localFlink(checkpointRoot.resolve("cluster"), Duration.ofSeconds(2), slots,
                LocalFlink.STATE_BACKEND.defaultValue()).configuration();
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .withRandomPorts()
                .build());
        cluster.start();
        return new BenchCluster(cluster, checkpointRoot);
    }

    private static LocalFlink localFlink(Path checkpointDir, Duration checkpointInterval, int parallelism,
            LocalFlink.StateBackend stateBackend) {
        LocalFlink.Builder builder = LocalFlink.builder()
                .stateBackend(stateBackend)
                .checkpointDir(checkpointDir)
                .checkpointInterval(checkpointInterval)
                .parallelism(parallelism)
                .restartAttempts(0)
                // Keep the statistics of every checkpoint of a run, not only the last 10.
                .set(WebOptions.CHECKPOINTS_HISTORY_SIZE, 1000);
        BenchmarkSuite.extraConfiguration().toMap().forEach((k, v) ->
                builder.set(ConfigOptions.key(k).stringType().noDefaultValue(), v));
        return builder.build();
    }

    /**
     * Submits the Kafka-wired matting job.
     *
     * @param restoreFrom a retained checkpoint to resume from, or null
     */
    JobID submit(String name, Configuration jobConf, int parallelism, Duration checkpointInterval, String restoreFrom)
            throws Exception {
        Path checkpoints = checkpointRoot.resolve(name + "-" + (++jobs));
        StreamExecutionEnvironment env = new StreamExecutionEnvironment(
                localFlink(checkpoints, checkpointInterval, parallelism, jobConf.get(LocalFlink.STATE_BACKEND))
                        .configuration());
        MattingJob.fromConfiguration(jobConf).wire(env);
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(name);
        if (restoreFrom != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(restoreFrom));
        }
        return cluster.submitJob(graph).get(RPC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).getJobID();
    }

    /** Waits for a bounded job to finish and fails if it did not succeed. */
    JobResult awaitSuccess(JobID job, Duration timeout) throws Exception {
        JobResult result = cluster.requestJobResult(job).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!result.isSuccess()) {
            Throwable cause = result.getSerializedThrowable()
                    .map(t -> t.deserializeError(getClass().getClassLoader())).orElse(null);
            throw new IllegalStateException("benchmark job " + job + " failed: " + result.getApplicationStatus(), cause);
        }
        return result;
    }

    void awaitRunning(JobID job, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JobStatus status = cluster.getJobStatus(job).get(RPC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (status == JobStatus.RUNNING) {
                return;
            }
            if (status.isGloballyTerminalState() || System.nanoTime() > deadline) {
                throw new IllegalStateException("benchmark job " + job + " is " + status + ", not RUNNING");
            }
            Thread.sleep(50);
        }
    }

    /** Cancels a running job and waits until it is gone. */
    void cancel(JobID job) throws Exception {
        cluster.cancelJob(job).get(RPC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        cluster.requestJobResult(job).get(RPC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Triggers a checkpoint, waits for it, and returns its statistics as the checkpoint coordinator recorded them. */
    CompletedCheckpointStats checkpoint(JobID job) throws Exception {
        long id = cluster.triggerCheckpoint(job, CheckpointType.CONFIGURED)
                .get(RPC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            AbstractCheckpointStats stats = cluster.getExecutionGraph(job)
                    .get(RPC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .getCheckpointStatsSnapshot().getHistory().getCheckpointById(id);
            if (stats != null && stats.getStatus() == CheckpointStatsStatus.COMPLETED) {
                return (CompletedCheckpointStats) stats;
            }
            if ((stats != null && stats.getStatus() == CheckpointStatsStatus.FAILED) || System.nanoTime() > deadline) {
                throw new IllegalStateException("checkpoint " + id + " of job " + job + " did not complete: "
                        + (stats == null ? "no statistics" : stats.getStatus()));
            }
            Thread.sleep(20);
        }
    }

    /** The job's execution graph (archived once the job ended), with its checkpoint statistics. */
    AccessExecutionGraph graph(JobID job) throws Exception {
        return cluster.getExecutionGraph(job).get(RPC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot stop the benchmark MiniCluster", e);
        }
    }
}
