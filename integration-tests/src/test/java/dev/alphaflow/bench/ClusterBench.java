package dev.alphaflow.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import dev.alphaflow.it.jar.JarProcess;
import dev.alphaflow.jobs.cluster.ClusterProcess;
import dev.alphaflow.jobs.cluster.ClusterSettings;
import dev.alphaflow.jobs.cluster.FlinkRest;
import dev.alphaflow.jobs.cluster.LocalCluster;
import dev.alphaflow.jobs.local.LocalFlink;

/**
 * The benchmark jobs on a {@link LocalCluster} of real processes (a Kafka broker, a JobManager and
 * {@link #TASK_MANAGERS} TaskManagers of one slot each, all from the shipped jar {@code jobs/target/alphaflow.jar}),
 * submitted over the REST API as a user would: the replay the MiniCluster runs in {@link PipelineReplay}, checkpoints
 * and restores of N streams, and TaskManagers killed with SIGKILL.
 *
 * <p>Closing stops every process the cluster has a folder for and fails if one still runs.
 */
final class ClusterBench implements AutoCloseable {
    static final int TASK_MANAGERS = 2;
    static final String TASK_MANAGER_MEMORY = "2g";
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private final LocalCluster cluster;
    private final FlinkRest rest;

    private ClusterBench(LocalCluster cluster) {
        this.cluster = cluster;
        this.rest = cluster.rest();
    }

    /**
     * Starts the cluster in {@code root} with the MiniCluster's checkpoint interval and state backend, and the
     * suite's {@code -Dalphaflow.bench.conf.*} Flink options (the {@code alphaflow.*} ones go to the jobs).
     */
    static ClusterBench start(Path root, Duration checkpointInterval, LocalFlink.StateBackend backend) {
        Map<String, String> flink = new LinkedHashMap<>();
        flink.put("pipeline.generic-types", "false"); // as LocalFlink sets it for the MiniCluster's jobs
        flink.put("web.checkpoints.history", "1000");
        // The REST handlers serve a cached execution graph for web.refresh-interval (3 s by default), which would
        // delay every state this class polls for (subtasks RUNNING, checkpoint statistics) by up to that much.
        flink.put("web.refresh-interval", "100");
        BenchmarkSuite.extraConfiguration().toMap().forEach((k, v) -> {
            if (!k.startsWith("alphaflow.")) {
                flink.put(k, v);
            }
        });
        ClusterSettings settings = new ClusterSettings(root, JarProcess.shippedJar(), TASK_MANAGERS, 1, LocalCluster.freePort(),
                LocalCluster.freeKafkaPort(), TASK_MANAGER_MEMORY, "1g", checkpointInterval, backend.flinkName(), flink);
        LocalCluster cluster = LocalCluster.of(settings).stopWhenThisJvmExits();
        long started = System.nanoTime();
        cluster.start(); // stops what it started if it fails
        System.out.printf(Locale.ROOT, "[bench] cluster started in %.1f s: %s%n", (System.nanoTime() - started) / 1e9,
                cluster.status().line().replace('\n', ';'));
        return new ClusterBench(cluster);
    }

    String bootstrapServers() {
        return cluster.settings().bootstrapServers();
    }

    String jar() {
        return cluster.settings().jar().toString();
    }

    /** The MiniCluster's archive replay ({@link PipelineReplay#run}) on this cluster, throughput measured alike. */
    PipelineReplay.Result replay(String name, Workload workload, BenchTopics.JobSettings settings) throws Exception {
        String bootstrap = bootstrapServers();
        BenchTopics topics = BenchTopics.create(bootstrap, name, settings.parallelism());
        try (FramePublisher publisher = new FramePublisher(bootstrap, topics)) {
            publisher.sendAll(workload, 0);
        }
        Map<String, String> options = options(topics, settings);
        long submitted = System.nanoTime();
        String job = cluster.submit("matting", options, settings.parallelism(), null);
        rest.awaitJobState(job, TIMEOUT, "FINISHED");
        double wall = (System.nanoTime() - submitted) / 1e9;
        int frames = workload.frameCount();
        List<MatteReader.Seen> mattes = PipelineReplay.awaitEveryMatteOnce(name, bootstrap, topics, frames);
        long first = mattes.stream().mapToLong(MatteReader.Seen::appendTimeMs).min().orElseThrow();
        long last = mattes.stream().mapToLong(MatteReader.Seen::appendTimeMs).max().orElseThrow();
        return new PipelineReplay.Result(Throughput.ofMillis(frames, first, last), PipelineReplay.laterHalf(mattes),
                wall, List.of());
    }

    /**
     * @param checkpointMillis end-to-end durations of the triggered checkpoints (REST checkpoint statistics)
     * @param checkpointBytes the last triggered checkpoint's state size
     * @param startRunningMillis first job: run request → every subtask RUNNING (no state to restore)
     * @param restoreRunningMillis restoring job: run request → every subtask RUNNING, i.e. every operator's state
     *     restored and {@code open()} done (Flink switches a subtask from INITIALIZING to RUNNING after that)
     * @param restoreFirstMatteMillis restoring job: run request → its first matte appended (broker time)
     * @param restoreAllMattesMillis restoring job: run request → the last stream's matte appended
     */
    record CheckpointRestore(int streams, List<Double> checkpointMillis, long checkpointBytes, long startRunningMillis,
            long restoreRunningMillis, long restoreFirstMatteMillis, long restoreAllMattesMillis) {
        double medianCheckpointMillis() {
            return Stats.median(checkpointMillis);
        }
    }

    /**
     * {@link StateBench#checkpointAndRestore} on the cluster: N streams, three rounds of one frame per stream, each
     * followed (once every stream's matte is written) by a checkpoint triggered over REST; then the job is cancelled,
     * one more frame per stream is published and a job is submitted from the latest retained checkpoint. The cluster's
     * periodic checkpoints stay on (they are a cluster setting); the job is idle when the triggered ones run. Every
     * restored matte must continue its stream's state (no reset), or the run fails.
     */
    CheckpointRestore checkpointAndRestore(List<byte[]> video, int streams, BenchTopics.JobSettings settings)
            throws Exception {
        String bootstrap = bootstrapServers();
        String name = "cluster-checkpoint-" + streams;
        BenchTopics topics = BenchTopics.create(bootstrap, name, settings.parallelism());
        List<Workload.StreamFrames> ids = Workload.manyStreams(video, streams, 1, settings.parallelism()).streams();
        Map<String, String> options = options(topics, settings);
        int rounds = 3;
        try (MatteReader reader = new MatteReader(bootstrap, topics.mattes(), false)) {
            long submitted = System.nanoTime();
            String job = cluster.submit("matting", options, settings.parallelism(), null);
            awaitEverySubtaskRunning(job, settings.parallelism());
            long startRunning = (System.nanoTime() - submitted) / 1_000_000;
            List<Double> durations = new ArrayList<>();
            FlinkRest.CheckpointDetails last = null;
            for (int round = 0; round < rounds; round++) {
                long seq = round;
                StateBench.publish(bootstrap, topics, StateBench.oneFrameEach(ids, video, round), seq);
                reader.awaitCount(streams, m -> m.seq() == seq, Duration.ofMinutes(5));
                last = rest.awaitTriggeredCheckpoint(job, rest.triggerCheckpoint(job), Duration.ofMinutes(2));
                durations.add((double) last.endToEndDurationMs());
            }
            cancel(job);
            // A periodic checkpoint after the last triggered one subsumes (and deletes) it; restore the latest.
            String restoreFrom = rest.checkpointDetails(job, rest.checkpoints(job).latestCompletedId()).externalPath();

            StateBench.publish(bootstrap, topics, StateBench.oneFrameEach(ids, video, rounds), rounds);
            long resubmitted = System.nanoTime();
            long resubmittedMillis = System.currentTimeMillis();
            String restored = cluster.submit("matting", options, settings.parallelism(), restoreFrom);
            awaitEverySubtaskRunning(restored, settings.parallelism());
            long restoreRunning = (System.nanoTime() - resubmitted) / 1_000_000;
            List<MatteReader.Seen> after = reader.awaitCount(streams, m -> m.seq() == rounds, Duration.ofMinutes(5));
            if (rest.checkpoints(restored).restoreTimestamp() <= 0) {
                throw new IllegalStateException(name + ": the job submitted from " + restoreFrom + " reports no restore");
            }
            cancel(restored);
            long reset = after.stream().filter(MatteReader.Seen::stateReset).count();
            if (reset > 0) {
                throw new IllegalStateException(name + ": " + reset + " of " + streams + " streams lost their state in "
                        + "the restore from " + restoreFrom);
            }
            long firstRestored = after.stream().mapToLong(MatteReader.Seen::appendTimeMs).min().orElseThrow();
            long lastRestored = after.stream().mapToLong(MatteReader.Seen::appendTimeMs).max().orElseThrow();
            CheckpointRestore result = new CheckpointRestore(streams, durations, last.stateBytes(), startRunning,
                    restoreRunning, firstRestored - resubmittedMillis, lastRestored - resubmittedMillis);
            System.out.printf(Locale.ROOT, "[bench] cluster %d stream(s): checkpoints %s ms, last %d bytes; start → "
                    + "all RUNNING %d ms; restore → all RUNNING %d ms, → first matte %d ms, → all %d ms%n", streams,
                    Stats.format(durations, "%.0f"), result.checkpointBytes(), startRunning, restoreRunning,
                    result.restoreFirstMatteMillis(), result.restoreAllMattesMillis());
            return result;
        }
    }

    /**
     * One kill: kill → the JobManager has taken a subtask out of RUNNING (noticed), → every subtask RUNNING again,
     * → the first matte committed after the kill seen by a {@code read_committed} consumer (recovery).
     */
    record Kill(String killed, String replacement, long noticedMillis, long runningMillis, long recoveryMillis) {}

    /**
     * SIGKILLs a TaskManager of a running exactly-once job {@code kills} times, starting a replacement at once each
     * time. The job runs unbounded over a backlog of {@code streams} streams published up front; before each kill it
     * has committed output for a while since the last recovery. The recovered output is the first matte that a
     * {@code read_committed} consumer receives whose broker append time (the mattes topic uses LogAppendTime) is
     * after the kill: written by the restarted job. Offsets would not do: records that the surviving TaskManager
     * committed before the kill can sit behind the killed one's open transaction and only become readable once the
     * restarted job aborts it.
     */
    List<Kill> taskManagerKills(List<byte[]> video, int kills, int streams, int framesPerStream,
            BenchTopics.JobSettings settings) throws Exception {
        String bootstrap = bootstrapServers();
        BenchTopics topics = BenchTopics.create(bootstrap, "cluster-tm-kill", settings.parallelism());
        try (FramePublisher publisher = new FramePublisher(bootstrap, topics)) {
            publisher.sendAll(Workload.manyStreams(video, streams, framesPerStream, settings.parallelism()), 0);
        }
        List<Kill> results = new ArrayList<>();
        try (CommittedWatcher watcher = new CommittedWatcher(bootstrap, topics.mattes())) {
            String job = cluster.submit("matting", options(topics, settings), settings.parallelism(), null);
            awaitEverySubtaskRunning(job, settings.parallelism());
            int progress = 2 * streams * 5;
            watcher.awaitCount(progress, TIMEOUT);
            for (int k = 1; k <= kills; k++) {
                Thread.sleep(1_000); // not always right at a commit
                ClusterProcess victim = cluster.taskManagers().stream().filter(ClusterProcess::isRunning).findFirst()
                        .orElseThrow(() -> new IllegalStateException("no TaskManager runs"));
                long killed = System.nanoTime();
                long killedMillis = System.currentTimeMillis();
                if (!victim.kill()) {
                    throw new IllegalStateException(victim.name() + " was not running");
                }
                ClusterProcess replacement = cluster.startTaskManager(cluster.nextTaskManagerIndex());
                awaitNotAllRunning(job, settings.parallelism());
                long noticed = (System.nanoTime() - killed) / 1_000_000;
                awaitEverySubtaskRunning(job, settings.parallelism());
                long running = (System.nanoTime() - killed) / 1_000_000;
                long recovered = (watcher.firstArrivalWrittenAfter(killedMillis, TIMEOUT) - killed) / 1_000_000;
                Kill kill = new Kill(victim.name(), replacement.name(), noticed, running, recovered);
                results.add(kill);
                System.out.printf(Locale.ROOT, "[bench] cluster kill %d/%d of %s (replacement %s): noticed %d ms, all "
                        + "RUNNING %d ms, first committed matte %d ms after the kill%n", k, kills, victim.name(),
                        replacement.name(), noticed, running, recovered);
                watcher.awaitCount(watcher.count() + progress, TIMEOUT);
            }
            cancel(job);
        }
        return results;
    }

    // Every subtask of every vertex RUNNING (a RUNNING job may still be deploying or initializing subtasks).
    private void awaitEverySubtaskRunning(String job, int parallelism) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!everySubtaskRunning(rest.jobDetails(job))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the subtasks of job " + job + " are not all RUNNING after " + TIMEOUT);
            }
            String state = rest.jobState(job);
            if (List.of("FAILED", "CANCELED", "FINISHED").contains(state)) {
                throw new IllegalStateException("job " + job + " is " + state + ", see the logs in "
                        + cluster.settings().root());
            }
            Thread.sleep(25);
        }
    }

    private void awaitNotAllRunning(String job, int parallelism) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (everySubtaskRunning(rest.jobDetails(job))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + job + " did not notice the lost TaskManager in 2 minutes");
            }
            Thread.sleep(25);
        }
    }

    private static boolean everySubtaskRunning(JsonNode job) {
        if (!"RUNNING".equals(job.path("state").asText()) || job.path("vertices").isEmpty()) {
            return false;
        }
        for (JsonNode vertex : job.path("vertices")) {
            if (vertex.path("tasks").path("RUNNING").asInt() != vertex.path("parallelism").asInt()) {
                return false;
            }
        }
        return true;
    }

    private void cancel(String job) {
        rest.cancel(job);
        rest.awaitJobState(job, TIMEOUT, "CANCELED");
    }

    // The suite's job options as program arguments; checkpointing and the state backend are the cluster's.
    private Map<String, String> options(BenchTopics topics, BenchTopics.JobSettings settings) {
        Map<String, String> options = new LinkedHashMap<>(topics.jobConfiguration(bootstrapServers(), settings)
                .toMap());
        options.remove(LocalFlink.STATE_BACKEND.key());
        return options;
    }

    /** CPU time of the cluster's processes that run now (broker, JobManager, TaskManagers), in ms. */
    double clusterCpuMillis() {
        return cpuMillisByProcess().values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** CPU time of each of the cluster's processes that run now, in ms, by process name. */
    Map<String, Double> cpuMillisByProcess() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (ClusterProcess p : cluster.processes()) {
            p.handle().ifPresent(h -> out.put(p.name(),
                    h.info().totalCpuDuration().map(Duration::toNanos).orElse(0L) / 1e6));
        }
        return out;
    }

    static double suiteCpuMillis() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L) / 1e6;
    }

    /** Stops every process of the cluster (SIGTERM, SIGKILL after a grace period) and checks that none runs. */
    @Override
    public void close() {
        cluster.stop();
        List<String> left = cluster.processes().stream().filter(ClusterProcess::isRunning).map(ClusterProcess::name)
                .toList();
        if (!left.isEmpty()) {
            throw new IllegalStateException("cluster processes still running after stop: " + left);
        }
    }

    /** A read_committed consumer in the background, noting when each matte (partition, offset) arrived. */
    private static final class CommittedWatcher implements AutoCloseable {
        private record Arrival(long appendTimeMs, long nanos) {}

        private final List<Arrival> arrivals = new CopyOnWriteArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        CommittedWatcher(String bootstrapServers, String topic) {
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-watcher-" + UUID.randomUUID());
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20");
            props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(16 << 20));
            thread = new Thread(() -> {
                try (KafkaConsumer<byte[], byte[]> consumer =
                        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                    consumer.subscribe(List.of(topic));
                    while (running.get()) {
                        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                            arrivals.add(new Arrival(r.timestamp(), System.nanoTime()));
                        }
                    }
                }
            }, "bench-committed-watcher");
            thread.setDaemon(true);
            thread.start();
        }

        int count() {
            return arrivals.size();
        }

        void awaitCount(int n, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (arrivals.size() < n) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + arrivals.size() + " of " + n + " mattes after " + timeout);
                }
                Thread.sleep(50);
            }
        }

        /** {@code System.nanoTime()} when the first matte appended after {@code epochMillis} arrived. */
        long firstArrivalWrittenAfter(long epochMillis, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (Arrival a : arrivals) {
                    if (a.appendTimeMs > epochMillis) {
                        return a.nanos;
                    }
                }
                Thread.sleep(20);
            }
            throw new IllegalStateException("no matte committed after the kill within " + timeout);
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }
    }


}
