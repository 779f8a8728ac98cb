package dev.alphaflow.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Image;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.alphaflow.it.jar.JarProcess;
import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.jobs.cluster.ClusterProcess;
import dev.alphaflow.jobs.cluster.ClusterSettings;
import dev.alphaflow.jobs.cluster.FlinkRest;
import dev.alphaflow.jobs.cluster.LocalCluster;
import dev.alphaflow.jobs.matting.MattingJob;
import dev.alphaflow.jobs.segmentation.SegmentationJob;
import dev.alphaflow.model.instances.Rle;
import dev.alphaflow.model.vos.SegmentedMask;
import dev.alphaflow.model.vos.VideoObjectSegmenter;
import dev.alphaflow.model.vos.VosMemory;
import dev.alphaflow.model.vos.VosPrompt;
import dev.alphaflow.model.vos.VosResult;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.rvm.RecurrentState;
import dev.alphaflow.model.rvm.RvmMatter;
import dev.alphaflow.model.rvm.RvmResult;
import dev.alphaflow.operators.matting.MattingSpec;
import dev.alphaflow.schemas.serde.AvroCodec;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.Matte;
import dev.alphaflow.schemas.Segmentation;

/**
 * Process faults on a real local cluster ({@link LocalCluster}: {@code kafka.Kafka}, a JobManager and TaskManagers,
 * each its own JVM), asserted the way Flink's and Kafka's own end-to-end tests do: an archive of three DAVIS
 * streams is in the frames topic, the matting job (the shipped jar, submitted over REST, real RVM, per-frame mode)
 * processes it while a process is killed with SIGKILL or the job is moved by a savepoint, and a {@code read_committed}
 * consumer must then see every (stream, seq) exactly once, each alpha bit-identical to an uninterrupted run's
 * (computed here, in this JVM, with the same model and settings), no dead letters, a state reset only at frame 0.
 * Each test prints its figures as {@code fault.*} lines (copied to BENCHMARKS.md).
 */
class ClusterFaultsITCase {
    private static final String[] SEQUENCES = {"dance-twirl", "dog", "horsejump-high"};
    private static final int FRAMES = 60;
    private static final int WIDTH = 320;
    private static final int HEIGHT = 180;
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(4);

    private static final Map<String, List<byte[]>> PNGS = new LinkedHashMap<>();
    private static final Map<String, List<byte[]>> REFERENCE_ALPHAS = new HashMap<>();

    @TempDir Path tmp;
    private LocalCluster cluster;
    private OutputWatcher watcher;

    @BeforeAll
    static void framesAndTheUninterruptedReference() throws Exception {
        Path davis = JarProcess.sharedDir().resolve("data/davis2016/JPEGImages/480p");
        for (String sequence : SEQUENCES) {
            List<Path> jpegs;
            try (Stream<Path> files = Files.list(davis.resolve(sequence))) {
                jpegs = files.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
            }
            List<byte[]> pngs = new ArrayList<>();
            for (int seq = 0; seq < FRAMES; seq++) {
                // Back and forth through short sequences: every frame a real picture, the motion continuous.
                int period = 2 * (jpegs.size() - 1);
                int i = seq % period < jpegs.size() ? seq % period : period - seq % period;
                pngs.add(SyntheticVideo.png(scaled(ImageIO.read(jpegs.get(i).toFile()))));
            }
            PNGS.put(sequence, pngs);
        }
        MattingSpec spec = MattingJob.fromConfiguration(Configuration.fromMap(jobOptions("unused:9092"))).mattingSpec();
        try (RvmMatter matter = spec.openMatter()) {
            for (String sequence : SEQUENCES) {
                RecurrentState state = RecurrentState.initial();
                List<byte[]> alphas = new ArrayList<>();
                for (byte[] png : PNGS.get(sequence)) {
                    RvmResult result = matter.infer(ImageCodec.decode(png), state);
                    state = result.nextState();
                    alphas.add(result.alpha8());
                }
                REFERENCE_ALPHAS.put(sequence, alphas);
            }
        }
    }

    @AfterEach
    void stopEverything() {
        if (watcher != null) {
            watcher.close();
        }
        if (cluster != null) {
            cluster.stop();
        }
    }

    @Test
    void taskManagerKilledMidRunAndRightAfterACheckpointStarts() throws Exception {
        startCluster(1);
        String jobId = submit(1, null);
        FlinkRest rest = cluster.rest();

        watcher.awaitCount(total() / 4, JOB_TIMEOUT);
        long firstRecovery = killTaskManagerAndReplace(1, 2);

        watcher.awaitCount(watcher.count() + total() / 4, JOB_TIMEOUT);
        rest.awaitAllTasksRunning(jobId, JOB_TIMEOUT);
        rest.triggerCheckpoint(jobId); // the kill lands while the checkpoint is in flight
        long secondRecovery = killTaskManagerAndReplace(2, 3);

        Verdict verdict = verify();
        System.out.printf("fault.tm_kill.lost %d%nfault.tm_kill.duplicates %d%nfault.tm_kill.mismatches %d%n"
                + "fault.tm_kill.recovery_ms %d (mid-run), %d (during a checkpoint)%n", verdict.lost, verdict.duplicates,
                verdict.mismatches, firstRecovery, secondRecovery);
        verdict.assertPerfect();
        assertThat(firstRecovery).isPositive();
        assertThat(secondRecovery).isPositive();
    }

    @Test
    void taskManagerKilledWhileSegmentingPromptedStreams() throws Exception {
        String[] sequences = {"blackswan", "cows"};
        int framesPerStream = 24;
        startCluster(1, false);
        try (FrameProducer producer = new FrameProducer(cluster.settings().bootstrapServers(),
                KafkaDefaults.FRAMES_TOPIC)) {
            for (String sequence : sequences) {
                VosDavisITCase.produceSequence(producer, sequence, sequence, framesPerStream, true);
            }
        }
        Map<String, String> options = new LinkedHashMap<>(jobOptions(cluster.settings().bootstrapServers()));
        options.remove("alphaflow.matting.batch-size");
        String jobId = cluster.submit("segment", options, 1, null);
        cluster.rest().awaitJobState(jobId, JOB_TIMEOUT, "RUNNING");
        SegmentsWatcher segments = new SegmentsWatcher(cluster.settings().bootstrapServers());
        try {
            int total = sequences.length * framesPerStream;
            segments.awaitCount(total / 3, JOB_TIMEOUT);
            assertThat(cluster.taskManager(1).kill()).isTrue();
            cluster.startTaskManager(2);
            segments.awaitCount(total, JOB_TIMEOUT);
            Thread.sleep(2_000); // a duplicate committed late would show up now

            Map<String, Segmentation> byKey = new HashMap<>();
            int duplicates = 0;
            for (Segmentation s : segments.records()) {
                if (byKey.put(s.getStreamId() + "/" + s.getSeq(), s) != null) {
                    duplicates++;
                }
            }
            // The uninterrupted reference: the same segmenter and settings, frames in order, memory carried.
            SegmentationJob job = SegmentationJob.fromConfiguration(Configuration.fromMap(options));
            int mismatches = 0;
            int lost = 0;
            try (VideoObjectSegmenter segmenter = job.spec().openSegmenter()) {
                for (String sequence : sequences) {
                    Path jpegs = JarProcess.sharedDir().resolve("data/davis2016/JPEGImages/480p/" + sequence);
                    VosMemory memory = new VosMemory();
                    for (int t = 0; t < framesPerStream; t++) {
                        var image = ImageCodec.decode(Files.readAllBytes(jpegs.resolve(String.format("%05d.jpg", t))));
                        List<VosPrompt> prompts = t == 0
                                ? List.of(VosPrompt.add(1, VosDavisITCase.firstFrameMask(sequence))) : List.of();
                        VosResult expected = segmenter.segment(image, t, memory, prompts);
                        Segmentation actual = byKey.get(sequence + "/" + t);
                        if (actual == null) {
                            lost++;
                            continue;
                        }
                        SegmentedMask want = expected.objects().get(0);
                        boolean same = actual.getObjects().size() == 1
                                && actual.getObjects().get(0).getMask().getCounts().equals(
                                        VosDavisITCase.toList(Rle.encode(want.mask()).counts()))
                                && actual.getObjects().get(0).getScore() == want.score();
                        if (!same) {
                            mismatches++;
                        }
                    }
                }
            }
            System.out.printf("fault.tm_kill.segment.lost %d%nfault.tm_kill.segment.duplicates %d%n"
                    + "fault.tm_kill.segment.mismatches %d%n", lost, duplicates, mismatches);
            assertThat(lost).as("(stream, seq) never output").isZero();
            assertThat(duplicates).as("(stream, seq) output more than once").isZero();
            assertThat(mismatches).as("masks or scores that differ from the uninterrupted run").isZero();
        } finally {
            segments.close();
        }
    }

    @Test
    void brokerKilledMidRunAndRestartedOnItsDataFolder() throws Exception {
        startCluster(1);
        submit(1, null);
        watcher.awaitCount(total() / 3, JOB_TIMEOUT);

        Map<TopicPartition, Long> committedBeforeKill = committedEnds();
        long killed = System.nanoTime();
        assertThat(cluster.kafka().kill()).as("the broker was running").isTrue();
        Thread.sleep(3_000); // the job fails over against a dead broker for a while
        cluster.startKafka();
        cluster.awaitKafka();
        long recovery = watcher.firstArrivalAfter(committedBeforeKill, killed, JOB_TIMEOUT);

        Verdict verdict = verify();
        System.out.printf("fault.broker_kill.lost %d%nfault.broker_kill.duplicates %d%nfault.broker_kill.mismatches %d%n"
                + "fault.broker_kill.recovery_ms %d%n", verdict.lost, verdict.duplicates, verdict.mismatches, recovery);
        verdict.assertPerfect();
    }

    @Test
    void stopWithSavepointStopTheClusterStartItAgainAndResume() throws Exception {
        startCluster(1);
        String jobId = submit(1, null);
        watcher.awaitCount(total() / 3, JOB_TIMEOUT);
        String savepoint = cluster.rest().stopWithSavepoint(jobId, cluster.settings().savepointDir().toUri().toString(),
                JOB_TIMEOUT);
        int atStop = watcher.count();

        watcher.close();
        List<String> stopped = cluster.stop();
        assertThat(stopped).contains(LocalCluster.KAFKA, LocalCluster.JOB_MANAGER, "taskmanager-1");
        assertThat(cluster.processes()).noneMatch(ClusterProcess::isRunning);

        cluster.start();
        watcher = new OutputWatcher(cluster.settings().bootstrapServers());
        submit(1, savepoint);
        Verdict verdict = verify();
        System.out.printf("fault.savepoint_restart.lost %d%nfault.savepoint_restart.duplicates %d%n"
                + "fault.savepoint_restart.mismatches %d (stopped after %d of %d outputs)%n", verdict.lost,
                verdict.duplicates, verdict.mismatches, atStop, total());
        verdict.assertPerfect();
        assertThat(atStop).isLessThan(total());
    }

    @Test
    void rescaleFromOneToTwoAndBackToOne() throws Exception {
        startCluster(2);
        // A submission that cannot work is refused with the reason, before any job exists.
        Map<String, String> wrongTopic = new LinkedHashMap<>(jobOptions(cluster.settings().bootstrapServers()));
        wrongTopic.put("alphaflow.topics.frames", "no-such-frames");
        assertThatThrownBy(() -> cluster.submit("matting", wrongTopic, 1, null))
                .hasMessageContaining("no-such-frames").hasMessageContaining("does not exist");
        assertThat(cluster.rest().jobs()).isEmpty();
        String first = submit(1, null);
        watcher.awaitCount(total() / 4, JOB_TIMEOUT);
        String toTwo = cluster.rest().stopWithSavepoint(first, cluster.settings().savepointDir().toUri().toString(),
                JOB_TIMEOUT);

        String second = submit(2, toTwo);
        assertThat(cluster.rest().jobDetails(second).path("vertices").findValues("parallelism"))
                .anySatisfy(p -> assertThat(p.asInt()).isEqualTo(2));
        watcher.awaitCount(watcher.count() + total() / 4, JOB_TIMEOUT);
        String backToOne = cluster.rest().stopWithSavepoint(second,
                cluster.settings().savepointDir().toUri().toString(), JOB_TIMEOUT);

        submit(1, backToOne);
        Verdict verdict = verify();
        // Each process of the cluster serves its metrics for Prometheus; the TaskManagers' show the job's.
        String scrape = scrapeClusterMetrics();
        assertThat(scrape).contains("flink_taskmanager_job_task_operator_user_framesOut",
                "flink_taskmanager_job_task_operator_inferenceMs");
        assertThat(scrape).containsPattern("(?m)^flink_jobmanager_numRegisteredTaskManagers\\{[^}]*\\} 2\\.0$");
        System.out.printf("fault.rescale.lost %d%nfault.rescale.duplicates %d%nfault.rescale.mismatches %d%n",
                verdict.lost, verdict.duplicates, verdict.mismatches);
        verdict.assertPerfect();
    }

    // --- the cluster and the job ---

    private void startCluster(int taskManagers) throws Exception {
        startCluster(taskManagers, true);
    }

    private void startCluster(int taskManagers, boolean mattingArchive) throws Exception {
        ClusterSettings settings = new ClusterSettings(tmp.resolve("cluster"), JarProcess.shippedJar(), taskManagers, 1,
                LocalCluster.freePort(), LocalCluster.freeKafkaPort(), "1536m", "1g", Duration.ofSeconds(1), "rocksdb", Map.of());
        cluster = LocalCluster.of(settings).stopWhenThisJvmExits();
        cluster.start();
        if (!mattingArchive) {
            return;
        }
        try (FrameProducer producer = new FrameProducer(settings.bootstrapServers(), KafkaDefaults.FRAMES_TOPIC)) {
            for (int seq = 0; seq < FRAMES; seq++) {
                for (String sequence : SEQUENCES) {
                    producer.sendPng(sequence, seq, PNGS.get(sequence).get(seq), WIDTH, HEIGHT);
                }
            }
            for (String sequence : SEQUENCES) {
                producer.sendEnd(sequence, FRAMES);
            }
        }
        watcher = new OutputWatcher(settings.bootstrapServers());
    }

    private String submit(int parallelism, String savepoint) {
        String jobId = cluster.submit("matting", jobOptions(cluster.settings().bootstrapServers()), parallelism,
                savepoint);
        cluster.rest().awaitJobState(jobId, JOB_TIMEOUT, "RUNNING");
        return jobId;
    }

    static Map<String, String> jobOptions(String bootstrapServers) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("alphaflow.kafka.bootstrap-servers", bootstrapServers);
        options.put("alphaflow.model.dir", JarProcess.sharedDir().resolve("models").toString());
        options.put("alphaflow.ort.intra-op-threads", "1"); // the reference runs with the same, so sums add up alike
        options.put("alphaflow.matting.batch-size", "1"); // per-frame mode: bit-identical alphas
        return options;
    }

    /** Kills TaskManager {@code dead} with SIGKILL, starts {@code replacement}; returns ms until new output is committed. */
    private long killTaskManagerAndReplace(int dead, int replacement) {
        Map<TopicPartition, Long> committedBeforeKill = committedEnds();
        long killed = System.nanoTime();
        assertThat(cluster.taskManager(dead).kill()).as("taskmanager-%d was running", dead).isTrue();
        cluster.startTaskManager(replacement);
        return watcher.firstArrivalAfter(committedBeforeKill, killed, JOB_TIMEOUT);
    }

    private Map<TopicPartition, Long> committedEnds() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                cluster.settings().bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            admin.describeTopics(List.of(KafkaDefaults.MATTES_TOPIC)).allTopicNames().get().get(KafkaDefaults.MATTES_TOPIC)
                    .partitions().forEach(p -> request.put(new TopicPartition(KafkaDefaults.MATTES_TOPIC, p.partition()),
                            OffsetSpec.latest()));
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get()
                    .forEach((tp, info) -> ends.put(tp, info.offset()));
            return ends;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the mattes topic's offsets", e);
        }
    }

    // --- the verdict ---

    private static int total() {
        return SEQUENCES.length * FRAMES;
    }

    private Verdict verify() throws Exception {
        watcher.awaitCount(total(), JOB_TIMEOUT);
        Thread.sleep(2_000); // a duplicate committed late would show up now
        Map<String, Integer> seen = new HashMap<>();
        int mismatches = 0;
        List<String> mismatchExamples = new ArrayList<>();
        int badResets = 0;
        for (Matte matte : watcher.mattes()) {
            String key = matte.getStreamId() + "/" + matte.getSeq();
            seen.merge(key, 1, Integer::sum);
            byte[] alpha = ImageCodec.decodeGray8Png(ExactlyOnceFailoverITCase.bytes(matte.getAlphaPng()));
            byte[] expected = REFERENCE_ALPHAS.get(matte.getStreamId()).get((int) matte.getSeq());
            if (!java.util.Arrays.equals(alpha, expected)) {
                mismatches++;
                if (mismatchExamples.size() < 8) {
                    int maxDiff = 0;
                    for (int p = 0; p < Math.min(alpha.length, expected.length); p++) {
                        maxDiff = Math.max(maxDiff, Math.abs((alpha[p] & 0xff) - (expected[p] & 0xff)));
                    }
                    mismatchExamples.add(key + " (max difference " + maxDiff + " levels)");
                }
            }
            if (matte.getStateReset() != (matte.getSeq() == 0)) {
                badResets++;
            }
        }
        int lost = 0;
        for (String sequence : SEQUENCES) {
            for (int seq = 0; seq < FRAMES; seq++) {
                if (!seen.containsKey(sequence + "/" + seq)) {
                    lost++;
                }
            }
        }
        int duplicates = seen.values().stream().mapToInt(n -> n - 1).sum();
        List<DeadLetter> deadLetters = TopicReader.readCommitted(cluster.settings().bootstrapServers(),
                KafkaDefaults.DLQ_TOPIC, DeadLetter.class, 0, 1_000);
        if (!mismatchExamples.isEmpty()) {
            System.out.println("alphas that differ from the uninterrupted run, e.g.: " + mismatchExamples);
        }
        return new Verdict(lost, duplicates, mismatches, badResets, deadLetters.size());
    }

    private record Verdict(int lost, int duplicates, int mismatches, int badResets, int deadLetters) {
        void assertPerfect() {
            assertThat(lost).as("(stream, seq) never output").isZero();
            assertThat(duplicates).as("(stream, seq) output more than once").isZero();
            assertThat(mismatches).as("alphas that differ from the uninterrupted run").isZero();
            assertThat(badResets).as("state resets other than at frame 0").isZero();
            assertThat(deadLetters).as("dead letters").isZero();
        }
    }

    /** The segments topic read in the background. */
    private static final class SegmentsWatcher extends Watcher<Segmentation> {
        SegmentsWatcher(String bootstrapServers) {
            super(bootstrapServers, KafkaDefaults.SEGMENTS_TOPIC, Segmentation.class);
        }
    }

    /** The mattes topic read in the background. */
    private static final class OutputWatcher extends Watcher<Matte> {
        OutputWatcher(String bootstrapServers) {
            super(bootstrapServers, KafkaDefaults.MATTES_TOPIC, Matte.class);
        }

        List<Matte> mattes() {
            return records();
        }
    }

    /** A read_committed consumer of a topic in the background, noting when each record arrived. */
    private static class Watcher<T extends org.apache.avro.specific.SpecificRecord> implements AutoCloseable {
        private final List<Arrival<T>> arrivals = new CopyOnWriteArrayList<>();
        private final java.util.Set<String> seen = new java.util.HashSet<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Watcher(String bootstrapServers, String topic, Class<T> type) {
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            props.put(ConsumerConfig.GROUP_ID_CONFIG, "watcher-" + UUID.randomUUID());
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(16 << 20));
            AvroCodec<T> codec = AvroCodec.of(type);
            thread = new Thread(() -> {
                try (KafkaConsumer<byte[], byte[]> consumer =
                        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                    consumer.subscribe(List.of(topic));
                    while (running.get()) {
                        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                            // A consumer may fetch a record again (its position is reset after the broker died);
                            // that is the same record, not a second output: outputs are told apart by offset.
                            if (!seen.add(r.partition() + "@" + r.offset())) {
                                continue;
                            }
                            arrivals.add(new Arrival<>(new TopicPartition(r.topic(), r.partition()), r.offset(),
                                    System.nanoTime(), codec.decode(r.value())));
                        }
                    }
                }
            }, topic + "-watcher");
            thread.setDaemon(true);
            thread.start();
        }

        int count() {
            return arrivals.size();
        }

        List<T> records() {
            return arrivals.stream().map(Arrival::record).toList();
        }

        void awaitCount(int n, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (arrivals.size() < n) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("only " + arrivals.size() + " of " + n + " outputs after " + timeout);
                }
                Thread.sleep(100);
            }
        }

        /** Ms from {@code sinceNanos} to the arrival of the first record committed after {@code committedEnds}. */
        long firstArrivalAfter(Map<TopicPartition, Long> committedEnds, long sinceNanos, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (Arrival<T> a : arrivals) {
                    if (a.offset >= committedEnds.getOrDefault(a.partition, 0L)) {
                        return (a.nanos - sinceNanos) / 1_000_000;
                    }
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            throw new AssertionError("no new output within " + timeout + " of the fault");
        }

        @Override
        public void close() {
            running.set(false);
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private record Arrival<T>(TopicPartition partition, long offset, long nanos, T record) {}
    }

    // Every /metrics endpoint in the cluster's Prometheus port range, concatenated.
    private static String scrapeClusterMetrics() throws Exception {
        String[] range = LocalCluster.PROMETHEUS_PORTS.split("-");
        StringBuilder all = new StringBuilder();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        for (int port = Integer.parseInt(range[0]); port <= Integer.parseInt(range[1]); port++) {
            try {
                all.append(http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + port + "/metrics"))
                        .timeout(Duration.ofSeconds(5)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body());
            } catch (IOException nothingThere) {
                // a port of the range no process took
            }
        }
        return all.toString();
    }

    private static BufferedImage scaled(BufferedImage source) {
        BufferedImage out = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_3BYTE_BGR);
        out.getGraphics().drawImage(source.getScaledInstance(WIDTH, HEIGHT, Image.SCALE_AREA_AVERAGING), 0, 0, null);
        return out;
    }


}
