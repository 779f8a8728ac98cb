package dev.alphaflow.bench;

import dev.alphaflow.jobs.CommonOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.apache.flink.configuration.Configuration;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

import dev.alphaflow.jobs.local.EmbeddedKafka;
import dev.alphaflow.jobs.local.LocalFlink;
import dev.alphaflow.jobs.matting.MattingJobOptions;
import dev.alphaflow.model.ExecutionProvider;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.ThreadSpinning;
import dev.alphaflow.model.rvm.RvmOptions;

/**
 * The benchmark suite: the pipeline measured against the bare model loop ({@link BareLoop}) on the same frames, in
 * one run, and the size and timing of its checkpointed state. Writes its rows into {@code BENCHMARKS.md} (rows with
 * the same metric name are replaced, others kept) and prints them.
 *
 * <p>Run it with the {@code benchmarks} Maven profile (see the README); system properties:
 * <ul>
 *   <li>{@code alphaflow.shared.dir} — folder with {@code models/} and {@code data/} (required)</li>
 *   <li>{@code alphaflow.bench.output} — the BENCHMARKS.md to update (unset: print only)</li>
 *   <li>{@code alphaflow.bench.only} — comma-separated subset of
 *       {@code single,streams,batch,state,live,checkpoint,cluster}</li>
 *   <li>{@code alphaflow.bench.reps} (5), {@code alphaflow.bench.warmup} (2: unmeasured pairs before the pipeline
 *       comparisons, while the JIT compiles Flink's, Kafka's and the job's code), {@code alphaflow.bench.ratio} (0.25), {@code alphaflow.bench.threads} (2),
 *       {@code alphaflow.bench.single.frames} (960: a 240-frame replay is
 *       ~9 s, during which the JIT is still compiling Flink's and Kafka's code on the cores the model needs), {@code alphaflow.bench.single.parallelism} (2),
 *       {@code alphaflow.bench.streams.count} (8),
 *       {@code alphaflow.bench.streams.frames} (16), {@code alphaflow.bench.streams.parallelism} (2),
 *       {@code alphaflow.bench.streams.threads} (1)</li>
 *   <li>{@code alphaflow.bench.cluster.frames} (as {@code single.frames}), {@code alphaflow.bench.cluster.reps} (9
 *       pairs), {@code alphaflow.bench.cluster.kills} (3):
 *       the {@code cluster} part, which runs the shipped jar ({@code jobs/target/alphaflow.jar}, or
 *       {@code -Dalphaflow.jar}) on a {@link ClusterBench local cluster} of real processes</li>
 *   <li>{@code alphaflow.bench.spinning} (the job's default for each job's delivery,
 *       {@link MattingJobOptions#defaultSpinning}),
 *       {@code alphaflow.bench.dynamic-block-base} (the job's default, {@code alphaflow.ort.dynamic-block-base}) and
 *       {@code alphaflow.bench.provider} ({@code cpu}): ONNX Runtime settings of both contenders</li>
 *   <li>{@code alphaflow.bench.conf.KEY=VALUE} — any Flink or job option for the benchmark jobs (e.g.
 *       {@code alphaflow.bench.conf.alphaflow.state.backend=rocksdb}); {@code alphaflow.bench.conf=KEY=VALUE;KEY=VALUE}
 *       gives several at once (Maven: {@code -Dbench.conf=...})</li>
 * </ul>
 */
public final class BenchmarkSuite {
    /** The command the rows name; it needs the other modules installed first (see the README). */
    static final String COMMAND = "mvn -B -ntp -Pbenchmarks -pl integration-tests verify";

    /**
     * The command the {@code cluster.*} rows name: the cluster runs {@code jobs/target/alphaflow.jar}, which only a
     * reactor build ({@code -am}) makes from the same sources.
     */
    static final String CLUSTER_COMMAND = "mvn -B -ntp -Pbenchmarks -pl integration-tests -am verify -DskipTests "
            + "-Dbench.only=cluster";

    /** The command the rows of this run name: the GPU script for a GPU provider. */
    static String command() {
        return provider().isGpu()
                ? "PROVIDER=" + provider().name().toLowerCase(Locale.ROOT) + " infra/gpu/run-benchmarks.sh"
                : COMMAND;
    }

    static String command(String metric) {
        return metric.startsWith("cluster.") && !provider().isGpu() ? CLUSTER_COMMAND : command();
    }
    static final Set<String> ALL = new LinkedHashSet<>(List.of("single", "streams", "batch", "state", "live",
            "checkpoint", "cluster"));
    static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(2);
    static final double LIVE_LOAD = 0.7;
    static final Duration LIVE_DURATION = Duration.ofSeconds(20);
    static final int[] CHECKPOINT_STREAMS = {1, 16, 64};
    static final int[] BATCH_SIZES = {1, 2, 4, 8};
    static final Duration BATCH_TIMEOUT = Duration.ofMillis(50);
    /** Frames of the bare-loop-only spinning comparison: no JIT tail to wait out there, so a shorter run will do. */
    static final int BARE_SPINNING_FRAMES = 240;

    private BenchmarkSuite() {}

    public static void main(String[] args) throws Exception {
        Configurator.setLevel("org.apache.flink", Level.ERROR);
        Configurator.setLevel("org.apache.flink.runtime.checkpoint.CheckpointCoordinator", Level.WARN);
        Configurator.setLevel("org.apache.flink.runtime.executiongraph.ExecutionGraph", Level.WARN);
        Configurator.setLevel("org.apache.kafka", Level.ERROR);
        Configurator.setLevel("kafka", Level.ERROR);
        Configurator.setLevel("dev.alphaflow", Level.WARN);

        Settings s = Settings.fromSystemProperties();
        String machine = MachineInfo.describe();
        double loadBefore = MachineInfo.loadAverage();
        System.out.println("[bench] " + s);
        System.out.println("[bench] machine: " + machine + "; load average " + loadBefore);
        long suiteStart = System.nanoTime();
        Results results = new Results();
        List<byte[]> video = Workload.danceTwirl(s.sharedDir);
        Path tmp = Files.createTempDirectory("alphaflow-bench-");
        Exception failure = null;
        try (CpuSampler cpu = new CpuSampler();
             EmbeddedKafka kafka = EmbeddedKafka.start();
             BenchCluster cluster = BenchCluster.start(tmp.resolve("checkpoints"), 2)) {
            PipelineReplay replay = new PipelineReplay(kafka, cluster, CHECKPOINT_INTERVAL);
            StateBench.StateSize stateSize = null;
            if (s.only.contains("state")) {
                stateSize = StateBench.measureSerializer(s.modelDir(), session(s.threads), rvm(s.ratio), video);
                results.add("state.bytes_per_stream_ratio.serializer",
                        String.format(Locale.ROOT, "%.4f", stateSize.serializedRatio()),
                        String.format(Locale.ROOT, "bytes the keyed-state serializer (RecurrentStateSerializer) writes "
                                + "for one stream's RVM state ÷ the state's fp16 tensor bytes: %d ÷ %d (854×480, "
                                + "ratio %s; shapes %s)", stateSize.serializedBytes(), stateSize.fp16Bytes(), s.ratio,
                                shapes(stateSize)));
            }
            Comparison single = null;
            if (s.only.contains("single")) {
                single = singleStream(s, video, replay, cpu, results);
            }
            Comparison streams = null;
            if (s.only.contains("streams")) {
                streams = manyStreams(s, video, replay, cpu, results);
            }
            if (s.only.contains("batch")) {
                batching(s, video, replay, cpu, results);
            }
            List<LiveLatency.Result> live = List.of();
            if (s.only.contains("live")) {
                live = live(s, video, kafka, cluster, single, results);
            }
            if (stateSize != null) {
                checkpointedBytes(s, streams, live, stateSize, results);
                if (!live.isEmpty()) {
                    rocksDbBytes(video, kafka, cluster, liveJob(s, live.get(0).streams(),
                            CommonOptions.Delivery.EXACTLY_ONCE), live.get(0), stateSize, results);
                }
            }
            if (s.only.contains("checkpoint")) {
                checkpoints(s, video, kafka, cluster, results);
            }
            if (s.only.contains("cluster")) {
                localCluster(s, video, replay, tmp.resolve("local-cluster"), results);
            }
        } catch (Exception e) {
            // The rows measured before the failure are still written (below); the suite fails after that.
            failure = e;
        } finally {
            deleteRecursively(tmp);
        }
        double seconds = (System.nanoTime() - suiteStart) / 1e9;
        double loadAfter = MachineInfo.loadAverage();
        System.out.printf(Locale.ROOT, "[bench] suite took %.0f s; load average %.2f before, %.2f after%n", seconds,
                loadBefore, loadAfter);
        results.print();
        if (s.output != null && !results.rows.isEmpty()) {
            results.write(s, machine, seconds, loadBefore, loadAfter);
            System.out.println("[bench] updated " + s.output);
        }
        if (failure != null) {
            throw new IllegalStateException("the suite failed after " + results.rows.size() + " row(s); those were "
                    + "written", failure);
        }
    }

    private static Comparison singleStream(Settings s, List<byte[]> video, PipelineReplay replay, CpuSampler cpu,
            Results results) throws Exception {
        Workload workload = Workload.singleStream(video, s.singleFrames);
        BareLoop bare = new BareLoop(s.modelDir(), session(s.threads), rvm(s.ratio));
        BenchTopics.JobSettings job = new BenchTopics.JobSettings(s.modelDir(), s.ratio, s.threads,
                s.singleParallelism, true, CommonOptions.Delivery.EXACTLY_ONCE);
        Comparison c = Comparison.alternate(s.reps, s.warmupPairs, () -> bare.run(workload),
                () -> replay.run("single", workload, job), cpu, "single stream");
        results.add("perf.single_stream.pipeline_vs_bare", String.format(Locale.ROOT, "%.3f", c.medianRatio()),
                String.format(Locale.ROOT, "archive replay of 1 stream × %d frames (dance-twirl forwards and "
                        + "backwards), exactly-once, checkpoints every %d s, job parallelism %d, state backend %s; "
                        + "ORT intra-op threads %d, thread spinning %s and dynamic block base %d for both contenders; "
                        + "after %d unmeasured pairs, median of %d alternated pairs: %s", workload.frameCount(),
                        CHECKPOINT_INTERVAL.toSeconds(), s.singleParallelism, job.stateBackend().flinkName(), s.threads,
                        spinning().optionName(), dynamicBlockBase(), s.warmupPairs, s.reps, c.summary()));
        bareSpinning(s, Workload.singleStream(video, Math.min(s.singleFrames, BARE_SPINNING_FRAMES)), results);
        return c;
    }

    /**
     * The peer with each other spinning setting against the peer with the suite's setting, alternated: shows whether
     * the setting the pipeline is run with (and the bare loop too, as the same ONNX Runtime settings) handicaps the
     * bare loop. A row {@code bare_<other>_vs_<used>} above 1 means the bare loop would be that much faster with the
     * other setting, and the pipeline's ratio against that faster peer is {@code pipeline_vs_bare} divided by it.
     */
    private static void bareSpinning(Settings s, Workload workload, Results results) throws Exception {
        ThreadSpinning used = spinning();
        List<ThreadSpinning> others = Arrays.stream(ThreadSpinning.values()).filter(t -> t != used).toList();
        BareLoop withUsed = new BareLoop(s.modelDir(), session(s.threads, used), rvm(s.ratio));
        Map<ThreadSpinning, BareLoop> withOther = new LinkedHashMap<>();
        others.forEach(t -> withOther.put(t, new BareLoop(s.modelDir(), session(s.threads, t), rvm(s.ratio))));
        List<Double> usedFps = new ArrayList<>();
        Map<ThreadSpinning, List<Double>> otherFps = new LinkedHashMap<>();
        Map<ThreadSpinning, List<Double>> ratios = new LinkedHashMap<>();
        withUsed.run(workload);
        withOther.values().forEach(loop -> loop.run(workload));
        for (int rep = 1; rep <= s.reps; rep++) {
            Comparison.settle();
            double a = withUsed.run(workload).fps();
            usedFps.add(a);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s %.2f", used.optionName(), a));
            for (ThreadSpinning t : others) {
                Comparison.settle();
                double b = withOther.get(t).run(workload).fps();
                otherFps.computeIfAbsent(t, k -> new ArrayList<>()).add(b);
                ratios.computeIfAbsent(t, k -> new ArrayList<>()).add(b / a);
                line.append(String.format(Locale.ROOT, ", %s %.2f", t.optionName(), b));
            }
            System.out.printf(Locale.ROOT, "[bench] bare loop spinning rep %d/%d frames/s: %s%n", rep, s.reps, line);
        }
        for (ThreadSpinning t : others) {
            results.add("perf.single_stream.bare_" + t.optionName().replace('-', '_') + "_vs_"
                    + used.optionName().replace('-', '_'), String.format(Locale.ROOT, "%.3f",
                    Stats.median(ratios.get(t))), String.format(Locale.ROOT, "the bare loop alone with thread spinning "
                            + "%s ÷ with the spinning both contenders ran with above (%s), 1 stream × %d frames, ORT "
                            + "intra-op threads %d, after one unmeasured run of each; median of %d alternated runs: "
                            + "frames/s %s %s, %s %s, ratios %s", t.optionName(), used.optionName(),
                            workload.frameCount(), s.threads, s.reps, used.optionName(), Stats.format(usedFps, "%.1f"),
                            t.optionName(), Stats.format(otherFps.get(t), "%.1f"),
                            Stats.format(ratios.get(t), "%.2f")));
        }
    }

    private static Comparison manyStreams(Settings s, List<byte[]> video, PipelineReplay replay, CpuSampler cpu,
            Results results) throws Exception {
        Workload workload = Workload.manyStreams(video, s.streamCount, s.streamFrames, s.streamParallelism);
        BareLoop bare = new BareLoop(s.modelDir(), session(s.threads), rvm(s.ratio));
        BenchTopics.JobSettings job = new BenchTopics.JobSettings(s.modelDir(), s.ratio, s.streamThreads,
                s.streamParallelism, true, CommonOptions.Delivery.EXACTLY_ONCE);
        Comparison c = Comparison.alternate(s.reps, s.warmupPairs, () -> bare.run(workload),
                () -> replay.run("streams", workload, job), cpu, s.streamCount + " streams");
        results.add("perf." + s.streamCount + "_streams.pipeline_vs_bare",
                String.format(Locale.ROOT, "%.3f", c.medianRatio()),
                String.format(Locale.ROOT, "%d streams × %d frames (854×480) replayed together, exactly-once, "
                        + "checkpoints every %d s, state backend %s; pipeline: parallelism %d, ORT intra-op threads "
                        + "%d per subtask (one session shared by the subtasks); bare loop: one thread, streams "
                        + "round-robin, ORT intra-op threads %d; thread spinning %s and dynamic block base %d for both; "
                        + "after %d unmeasured pairs, median of %d alternated pairs: %s", s.streamCount, s.streamFrames,
                        CHECKPOINT_INTERVAL.toSeconds(), job.stateBackend().flinkName(), s.streamParallelism,
                        s.streamThreads, s.threads, spinning().optionName(), dynamicBlockBase(), s.warmupPairs, s.reps, c.summary()));
        return c;
    }

    /**
     * Cross-stream batching: the many-streams workload replayed with batch sizes {@link #BATCH_SIZES} on one
     * subtask (parallelism 1, so that one batch can hold frames of several streams), contenders alternated over the
     * reps (forwards in odd reps, backwards in even ones); each batch size's frames/s is divided by the batch-size-1
     * run of the same rep, and the median of those ratios is reported.
     */
    private static void batching(Settings s, List<byte[]> video, PipelineReplay replay, CpuSampler cpu,
            Results results) throws Exception {
        Workload workload = Workload.manyStreams(video, s.streamCount, s.streamFrames, 1);
        BenchTopics.JobSettings base = new BenchTopics.JobSettings(s.modelDir(), s.ratio, s.threads, 1, true,
                CommonOptions.Delivery.EXACTLY_ONCE);
        Map<Integer, List<Double>> fps = new LinkedHashMap<>();
        Map<Integer, List<Double>> ratios = new LinkedHashMap<>();
        Map<Integer, List<Double>> cpuPerFrame = new LinkedHashMap<>();
        for (int b : BATCH_SIZES) {
            fps.put(b, new ArrayList<>());
            ratios.put(b, new ArrayList<>());
            cpuPerFrame.put(b, new ArrayList<>());
        }
        // One unmeasured run first: the first job of a JVM is slower (JIT, class loading), which would otherwise
        // land on whichever batch size comes first.
        replay.run("batch-warmup", workload, base.withBatch(BATCH_SIZES[0], BATCH_TIMEOUT));
        for (int rep = 1; rep <= s.reps; rep++) {
            Map<Integer, Double> thisRep = new LinkedHashMap<>();
            for (int i = 0; i < BATCH_SIZES.length; i++) {
                int b = BATCH_SIZES[rep % 2 == 1 ? i : BATCH_SIZES.length - 1 - i];
                System.gc();
                Thread.sleep(1_000);
                PipelineReplay.Result r = replay.run("batch" + b, workload, base.withBatch(b, BATCH_TIMEOUT));
                Throughput t = r.throughput();
                CpuSampler.Usage u = cpu.between(t.firstMillis(), t.lastMillis());
                double cpuMs = u.processCpuMillis() / (t.frames() - 1);
                thisRep.put(b, t.fps());
                fps.get(b).add(t.fps());
                cpuPerFrame.get(b).add(cpuMs);
                System.out.printf(Locale.ROOT, "[bench] batch rep %d/%d: batch size %d %6.2f frames/s (%d frames in "
                        + "%.1f s; %.0f CPU-ms/frame; others used %.0f%% of the machine; job wall time incl. "
                        + "start-up %.1f s)%n", rep, s.reps, b, t.fps(), t.frames(), t.seconds(), cpuMs,
                        100 * u.othersShare(), r.jobWallSeconds());
            }
            for (int b : BATCH_SIZES) {
                ratios.get(b).add(thisRep.get(b) / thisRep.get(BATCH_SIZES[0]));
            }
        }
        for (int b : BATCH_SIZES) {
            results.add("perf.batch_" + b + ".fps_ratio", String.format(Locale.ROOT, "%.3f",
                    Stats.median(ratios.get(b))),
                    String.format(Locale.ROOT, "aggregate pipeline frames/s with `alphaflow.matting.batch-size` %d ÷ "
                            + "frames/s with batch size 1, %d streams × %d frames (854×480) replayed together, "
                            + "exactly-once, checkpoints every %d s, parallelism 1 (all streams on one matting "
                            + "subtask, so a batch can hold up to %d streams' frames), ORT intra-op threads %d, "
                            + "batch timeout %d ms; batch sizes %s alternated over %d reps (reversed every other "
                            + "rep) after one unmeasured warm-up run, median of the per-rep ratios: frames/s batch %d %s vs batch 1 %s, ratios %s; "
                            + "CPU-ms per frame (this JVM) %s", b, s.streamCount, s.streamFrames,
                            CHECKPOINT_INTERVAL.toSeconds(), s.streamCount, s.threads, BATCH_TIMEOUT.toMillis(),
                            Arrays.toString(BATCH_SIZES), s.reps, b, Stats.format(fps.get(b), "%.1f"),
                            Stats.format(fps.get(BATCH_SIZES[0]), "%.1f"), Stats.format(ratios.get(b), "%.2f"),
                            Stats.format(cpuPerFrame.get(b), "%.0f")));
        }
    }

    /**
     * Checkpointed bytes per stream from the periodic checkpoints of the live runs (20 s each of steady processing,
     * the closest to a long-running job), else of the replays.
     */
    private static void checkpointedBytes(Settings s, Comparison streams, List<LiveLatency.Result> live,
            StateBench.StateSize stateSize, Results results) {
        List<Double> perStream = new ArrayList<>();
        String source;
        if (!live.isEmpty()) {
            live.forEach(r -> r.checkpointBytes().forEach(b -> perStream.add((double) b / r.streams())));
            source = String.format(Locale.ROOT, "the periodic checkpoints (every %d s) taken during the live runs "
                    + "(%d stream(s) updated ~10 times a second each, %d s per delivery mode)",
                    CHECKPOINT_INTERVAL.toSeconds(), live.get(0).streams(), LIVE_DURATION.toSeconds());
        } else if (streams != null) {
            streams.pipelineRuns().forEach(r -> r.checkpointBytes().forEach(b -> perStream.add((double) b
                    / s.streamCount)));
            source = String.format(Locale.ROOT, "the checkpoints taken during the %d-stream replays while every "
                    + "stream had state", s.streamCount);
        } else {
            return;
        }
        addBytesRow("state.bytes_per_stream_ratio", extraConfiguration().get(LocalFlink.STATE_BACKEND), perStream,
                source, stateSize, results);
    }

    /**
     * The same measurement on RocksDB: one more exactly-once live run with the live runs' streams and pace, on
     * RocksDB with full (non-incremental) checkpoints, so that the two backends' checkpoint sizes can be compared.
     */
    private static void rocksDbBytes(List<byte[]> video, EmbeddedKafka kafka, BenchCluster cluster,
            BenchTopics.JobSettings liveJob, LiveLatency.Result live, StateBench.StateSize stateSize, Results results)
            throws Exception {
        LiveLatency.Result r = LiveLatency.run(kafka, cluster, video, live.streams(), live.fpsPerStream(),
                LIVE_DURATION, liveJob.withStateBackend(LocalFlink.StateBackend.ROCKSDB), CHECKPOINT_INTERVAL);
        List<Double> perStream = new ArrayList<>();
        r.checkpointBytes().forEach(b -> perStream.add((double) b / r.streams()));
        addBytesRow("state.bytes_per_stream_ratio.rocksdb", LocalFlink.StateBackend.ROCKSDB, perStream,
                String.format(Locale.ROOT, "the periodic checkpoints (every %d s) of one exactly-once live run on "
                        + "RocksDB (full checkpoints) with the live runs' %d stream(s) at %.1f frames/s each for %d s",
                        CHECKPOINT_INTERVAL.toSeconds(), r.streams(), r.fpsPerStream(), LIVE_DURATION.toSeconds()),
                stateSize, results);
    }

    private static void addBytesRow(String metric, LocalFlink.StateBackend backend, List<Double> perStream,
            String source, StateBench.StateSize stateSize, Results results) {
        if (perStream.isEmpty()) {
            System.out.println("[bench] no checkpoint completed while every stream had state; " + metric
                    + " not measured");
            return;
        }
        double median = Stats.median(perStream);
        double min = perStream.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double max = perStream.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        String why = backend == LocalFlink.StateBackend.HASHMAP
                ? "The heap backend's full snapshot writes each key's live value once (plus the sequencer's and the "
                        + "Kafka source's and sink's small states), so the ratio stays just above 1"
                : "Everything checkpointed is counted: RocksDB's native full snapshots copy every live SST file, so "
                        + "each stream's older state versions that compaction has not yet merged are included too; "
                        + "hence the ratio swings between ~1× right after a compaction and several × before one";
        results.add(metric, String.format(Locale.ROOT, "%.2f", median / stateSize.fp16Bytes()),
                String.format(Locale.ROOT, "state backend %s: total checkpoint size as Flink reports it ÷ streams "
                        + "÷ %d fp16 bytes of one stream's RVM state, median over %d checkpoints: %s; %.0f bytes per "
                        + "stream (min %.0f = %.2f×, max %.0f = %.2f×). %s", backend.flinkName(),
                        stateSize.fp16Bytes(), perStream.size(), source, median, min, min / stateSize.fp16Bytes(),
                        max, max / stateSize.fp16Bytes(), why));
    }

    private static List<LiveLatency.Result> live(Settings s, List<byte[]> video, EmbeddedKafka kafka,
            BenchCluster cluster, Comparison single, Results results) throws Exception {
        List<LiveLatency.Result> runs = new ArrayList<>();
        double capacity;
        if (single != null) {
            capacity = Stats.median(single.bareFps());
        } else {
            capacity = new BareLoop(s.modelDir(), session(s.threads), rvm(s.ratio))
                    .run(Workload.singleStream(video, 90)).fps();
        }
        double aggregate = LIVE_LOAD * capacity;
        int streams = Math.max(1, (int) Math.round(aggregate / 10.0));
        double perStream = aggregate / streams;
        for (CommonOptions.Delivery delivery : CommonOptions.Delivery.values()) {
            BenchTopics.JobSettings job = liveJob(s, streams, delivery);
            LiveLatency.Result r = LiveLatency.run(kafka, cluster, video, streams, perStream, LIVE_DURATION, job,
                    CHECKPOINT_INTERVAL);
            runs.add(r);
            String mode = delivery.name().toLowerCase(Locale.ROOT);
            String note = String.format(Locale.ROOT, "%s: %d stream(s) paced at %.1f frames/s each (%.0f%% of the "
                    + "bare loop's %.1f frames/s measured in this run), %d frames over %d s after a warm-up; latency = "
                    + "frame appended to Kafka (broker time) → its matte received by a read_committed consumer; "
                    + "checkpoints every %d s; p50 %.0f ms, p99 %.0f ms, max %.0f ms", mode, streams, perStream,
                    LIVE_LOAD * 100, capacity, r.frames(), LIVE_DURATION.toSeconds(), CHECKPOINT_INTERVAL.toSeconds(),
                    r.p50Millis(), r.p99Millis(), r.maxMillis());
            results.add("perf.live.p50_ms." + mode, String.format(Locale.ROOT, "%.0f", r.p50Millis()), note);
            results.add("perf.live.p99_ms." + mode, String.format(Locale.ROOT, "%.0f", r.p99Millis()),
                    "the same run as `perf.live.p50_ms." + mode + "`");
        }
        return runs;
    }

    private static BenchTopics.JobSettings liveJob(Settings s, int streams, CommonOptions.Delivery delivery) {
        int threads = streams == 1 ? s.threads : s.streamThreads;
        return new BenchTopics.JobSettings(s.modelDir(), s.ratio, threads, s.streamParallelism, false, delivery);
    }

    private static void checkpoints(Settings s, List<byte[]> video, EmbeddedKafka kafka, BenchCluster cluster,
            Results results) throws Exception {
        BenchTopics.JobSettings job = new BenchTopics.JobSettings(s.modelDir(), s.ratio, s.streamThreads,
                s.streamParallelism, false, CommonOptions.Delivery.EXACTLY_ONCE);
        for (int n : CHECKPOINT_STREAMS) {
            StateBench.CheckpointRestore r = StateBench.checkpointAndRestore(kafka, cluster, video, n, job);
            results.add("state.checkpoint_ms." + n, String.format(Locale.ROOT, "%.0f", r.medianCheckpointMillis()),
                    String.format(Locale.ROOT, "%d stream(s), exactly-once, state backend %s (full checkpoints), "
                            + "periodic checkpoints off: 3 rounds of one frame per stream, each followed "
                            + "(once all mattes were written) by a triggered checkpoint; median end-to-end duration "
                            + "as the checkpoint coordinator timed it, %s ms; the last checkpoint's size %d bytes "
                            + "(%.0f per stream)", n, job.stateBackend().flinkName(),
                            Stats.format(r.checkpointMillis(), "%.0f"), r.checkpointBytes(),
                            (double) r.checkpointBytes() / n));
            results.add("state.restore_ms." + n, String.valueOf(r.restoreMillis()),
                    String.format(Locale.ROOT, "%d stream(s): submission of a job restoring the retained checkpoint "
                            + "→ its first matte appended to Kafka (deployment, %s state restore, model session load, "
                            + "one frame); all %d streams' mattes after %d ms; the same job started without a "
                            + "restore took %d ms to its first matte", n, job.stateBackend().flinkName(), n,
                            r.restoreAllMillis(), r.startMillis()));
        }
    }

    /**
     * The {@code cluster} part: the single-stream replay on the MiniCluster (as {@link #singleStream} runs it)
     * against the same replay on a local cluster of real processes (2 TaskManagers of 1 slot, job submitted over
     * REST), alternated; then checkpoints and restores of 1/16/64 streams and TaskManager kills on that cluster.
     * The cluster is stopped (every process, checked) before this returns or throws.
     */
    private static void localCluster(Settings s, List<byte[]> video, PipelineReplay replay, Path root,
            Results results) throws Exception {
        int frames = Settings.positive("alphaflow.bench.cluster.frames", s.singleFrames);
        int kills = Settings.positive("alphaflow.bench.cluster.kills", 3);
        // More pairs than the other parts: on this 2-core host one pair's ratio ranged 0.86–1.08 within a run (five
        // processes share the cores the model needs), wider than the distance to the 0.95 target.
        int reps = Settings.positive("alphaflow.bench.cluster.reps", 9);
        Workload workload = Workload.singleStream(video, frames);
        BenchTopics.JobSettings job = new BenchTopics.JobSettings(s.modelDir(), s.ratio, s.threads,
                s.singleParallelism, true, CommonOptions.Delivery.EXACTLY_ONCE);
        double loadBefore = MachineInfo.loadAverage();
        try (ClusterBench cluster = ClusterBench.start(root, CHECKPOINT_INTERVAL, job.stateBackend())) {
            List<Double> miniFps = new ArrayList<>();
            List<Double> clusterFps = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            List<Double> laterRatios = new ArrayList<>();
            List<String> cpu = new ArrayList<>();
            for (int pair = 1 - s.warmupPairs; pair <= reps; pair++) {
                boolean measured = pair >= 1;
                String label = measured ? "pair " + pair + "/" + reps : "warm-up " + (pair + s.warmupPairs) + "/"
                        + s.warmupPairs + " (not counted)";
                Comparison.settle();
                double[] before = {ClusterBench.suiteCpuMillis(), cluster.clusterCpuMillis()};
                PipelineReplay.Result mini = replay.run("cluster-vs-mini", workload, job);
                double[] between = {ClusterBench.suiteCpuMillis(), cluster.clusterCpuMillis()};
                Comparison.settle();
                double[] start = {ClusterBench.suiteCpuMillis(), cluster.clusterCpuMillis()};
                Map<String, Double> startByProcess = cluster.cpuMillisByProcess();
                PipelineReplay.Result onCluster = cluster.replay("cluster-vs-cluster", workload, job);
                double[] after = {ClusterBench.suiteCpuMillis(), cluster.clusterCpuMillis()};
                Map<String, Double> afterByProcess = cluster.cpuMillisByProcess();
                double ratio = onCluster.throughput().fps() / mini.throughput().fps();
                double laterRatio = onCluster.laterHalf().fps() / mini.laterHalf().fps();
                StringBuilder byProcess = new StringBuilder();
                afterByProcess.forEach((name, ms) -> byProcess.append(byProcess.length() == 0 ? "" : ", ")
                        .append(name).append(' ').append(String.format(Locale.ROOT, "%.1f",
                                (ms - startByProcess.getOrDefault(name, 0.0)) / frames)));
                String cpuLine = String.format(Locale.ROOT, "MiniCluster %.0f + idle cluster %.0f, cluster %.0f (%s) "
                        + "+ suite JVM %.0f", (between[0] - before[0]) / frames, (between[1] - before[1]) / frames,
                        (after[1] - start[1]) / frames, byProcess, (after[0] - start[0]) / frames);
                System.out.printf(Locale.ROOT, "[bench] cluster vs MiniCluster %s: MiniCluster %.2f frames/s (later "
                        + "half %.2f, job wall %.1f s), cluster %.2f frames/s (later half %.2f, job wall %.1f s) → "
                        + "ratio %.3f (later half %.3f); CPU-ms per frame %s; load %.2f%n", label,
                        mini.throughput().fps(), mini.laterHalf().fps(), mini.jobWallSeconds(),
                        onCluster.throughput().fps(), onCluster.laterHalf().fps(), onCluster.jobWallSeconds(), ratio,
                        laterRatio, cpuLine, MachineInfo.loadAverage());
                if (measured) {
                    miniFps.add(mini.throughput().fps());
                    clusterFps.add(onCluster.throughput().fps());
                    ratios.add(ratio);
                    laterRatios.add(laterRatio);
                    cpu.add("(" + cpuLine + ")");
                }
            }
            double loadAfterPairs = MachineInfo.loadAverage();
            results.add("cluster.matting.vs_minicluster", String.format(Locale.ROOT, "%.3f", Stats.median(ratios)),
                    String.format(Locale.ROOT, "frames/s of the archive replay (1 stream × %d frames, exactly-once, "
                            + "checkpoints every %d s, state backend %s, job parallelism %d, ORT intra-op threads %d, "
                            + "thread spinning %s) on a local cluster of real processes (Kafka broker, JobManager and "
                            + "%d TaskManagers of 1 slot and %s each, one JVM per process, job submitted over REST "
                            + "from the shipped jar) ÷ the same replay on the suite's MiniCluster (1 TaskManager of 2 "
                            + "slots, embedded broker, both in the suite's JVM); same frames, topics and job options, "
                            + "frames/s from the mattes' append times for both; target ≥ 0.95; after %d unmeasured "
                            + "pairs, median of %d pairs (MiniCluster, then cluster): frames/s MiniCluster %s, cluster "
                            + "%s, ratios %s (of the later halves' frames/s, a warm-up-free diagnostic: %s, median %.3f); "
                            + "CPU-ms per frame over each whole run (publish, job incl. start-up, read; the cluster's "
                            + "by process) "
                            + "%s; both set-ups stay up throughout, so the idle one's threads run during the other's "
                            + "runs; load average %.2f before, %.2f after the pairs (2 cores, shared with other "
                            + "engineers' builds)", frames, CHECKPOINT_INTERVAL.toSeconds(),
                            job.stateBackend().flinkName(), job.parallelism(), s.threads,
                            spinning().optionName(), ClusterBench.TASK_MANAGERS, ClusterBench.TASK_MANAGER_MEMORY,
                            s.warmupPairs, reps, Stats.format(miniFps, "%.1f"), Stats.format(clusterFps, "%.1f"),
                            Stats.format(ratios, "%.2f"), Stats.format(laterRatios, "%.2f"), Stats.median(laterRatios),
                            String.join(", ", cpu), loadBefore, loadAfterPairs));

            BenchTopics.JobSettings streamsJob = new BenchTopics.JobSettings(s.modelDir(), s.ratio, s.streamThreads,
                    s.streamParallelism, false, CommonOptions.Delivery.EXACTLY_ONCE);
            for (int n : CHECKPOINT_STREAMS) {
                double load = MachineInfo.loadAverage();
                ClusterBench.CheckpointRestore r = cluster.checkpointAndRestore(video, n, streamsJob);
                results.add("cluster.checkpoint_ms." + n, String.format(Locale.ROOT, "%.0f",
                        r.medianCheckpointMillis()), String.format(Locale.ROOT, "%d stream(s) on the local cluster "
                                + "(%d TaskManagers of 1 slot, job parallelism %d, exactly-once, state backend %s, "
                                + "full checkpoints to a local folder): 3 rounds of one frame per stream, each "
                                + "followed (once all mattes were written) by a checkpoint triggered over REST; median "
                                + "end_to_end_duration of the REST checkpoint statistics, %s ms; periodic checkpoints "
                                + "every %d s stay on (a cluster setting) while the job idles between rounds; the last "
                                + "triggered checkpoint's state_size %d bytes (%.0f per stream); load average %.2f",
                                n, ClusterBench.TASK_MANAGERS, streamsJob.parallelism(),
                                streamsJob.stateBackend().flinkName(), Stats.format(r.checkpointMillis(), "%.0f"),
                                CHECKPOINT_INTERVAL.toSeconds(), r.checkpointBytes(), (double) r.checkpointBytes() / n,
                                load));
                results.add("cluster.restore_ms." + n, String.valueOf(r.restoreRunningMillis()),
                        String.format(Locale.ROOT, "%d stream(s): the job cancelled, then submitted again over REST "
                                + "from its latest retained checkpoint; restore = the run request (`POST "
                                + "/jars/:id/run` with `savepointPath`; the JobManager runs the jar's main class to "
                                + "build the job) → every subtask of every vertex RUNNING (Flink moves a subtask from "
                                + "INITIALIZING to RUNNING once its %s state is restored and its operators opened, "
                                + "model sessions loaded), polled every 25 ms; the job reported the restore in its "
                                + "checkpoint statistics, and no stream's state was reset; the first job, with no "
                                + "state, took %d ms to the same point; from the restoring run request to its first "
                                + "matte appended %d ms, to the last stream's %d ms (one frame per stream published "
                                + "before it)", n, streamsJob.stateBackend().flinkName(), r.startRunningMillis(),
                                r.restoreFirstMatteMillis(), r.restoreAllMattesMillis()));
            }

            int streams = 4;
            int perStream = 150;
            double loadBeforeKills = MachineInfo.loadAverage();
            List<ClusterBench.Kill> k = cluster.taskManagerKills(video, kills, streams, perStream, streamsJob);
            List<Double> recovery = k.stream().map(x -> (double) x.recoveryMillis()).toList();
            results.add("cluster.tm_kill.recovery_ms", String.format(Locale.ROOT, "%.0f", Stats.median(recovery)),
                    String.format(Locale.ROOT, "a TaskManager of a running exactly-once job (%d streams × %d frames "
                            + "published up front, job parallelism %d over %d TaskManagers of 1 slot, checkpoints "
                            + "every %d s, fixed-delay restart 1 s, heartbeat timeout 10 s) killed with SIGKILL and a "
                            + "replacement TaskManager started at once, %d times in one job (a different one each "
                            + "time, each after the job had committed more output since the last recovery); "
                            + "recovery = kill → the first matte committed after the kill arriving at a "
                            + "read_committed consumer (the first whose broker append time is after the kill, i.e. "
                            + "written by the restarted job: restore from the last checkpoint, reprocessing, and the "
                            + "next checkpoint's commit); median of %s ms; kill → JobManager noticed %s ms, → "
                            + "every subtask RUNNING again %s ms; killed %s; load average %.2f before, %.2f after",
                            streams, perStream, streamsJob.parallelism(), ClusterBench.TASK_MANAGERS,
                            CHECKPOINT_INTERVAL.toSeconds(), kills, Stats.format(recovery, "%.0f"),
                            k.stream().map(x -> String.valueOf(x.noticedMillis())).toList(),
                            k.stream().map(x -> String.valueOf(x.runningMillis())).toList(),
                            k.stream().map(x -> x.killed() + "→" + x.replacement()).toList(), loadBeforeKills,
                            MachineInfo.loadAverage()));
        }
    }

    private static String shapes(StateBench.StateSize size) {
        List<String> shapes = new ArrayList<>();
        size.state().tensors().forEach(t -> shapes.add(Arrays.toString(t.shape())));
        return String.join(" ", shapes);
    }

    /** Prefix of system properties passed on as Flink and job options: {@code -Dalphaflow.bench.conf.KEY=VALUE}. */
    static final String CONF_PREFIX = "alphaflow.bench.conf.";

    /** Several such options in one property, {@code KEY=VALUE;KEY=VALUE} (what the pom's {@code bench.conf} sets). */
    static final String CONF_LIST = "alphaflow.bench.conf";

    /**
     * Options given as {@code -Dalphaflow.bench.conf.KEY=VALUE}: set on the benchmark cluster's Flink configuration and
     * on every benchmark job's configuration (e.g. {@code alphaflow.matting.async-encode=false}).
     */
    static Configuration extraConfiguration() {
        Map<String, String> extra = new java.util.TreeMap<>();
        for (String entry : System.getProperty(CONF_LIST, "").split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(
                        "-D" + CONF_LIST + " (Maven: -Dbench.conf) takes KEY=VALUE;KEY=VALUE, got: " + entry);
            }
            extra.put(entry.substring(0, eq).strip(), entry.substring(eq + 1).strip());
        }
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith(CONF_PREFIX))
                .forEach(k -> extra.put(k.substring(CONF_PREFIX.length()), System.getProperty(k)));
        return Configuration.fromMap(extra);
    }

    /**
     * ONNX Runtime's thread spinning for both contenders of the exactly-once comparisons:
     * {@code -Dalphaflow.bench.spinning} (default: the matting job's default for that delivery,
     * {@link MattingJobOptions#defaultSpinning}).
     */
    static ThreadSpinning spinning() {
        return spinning(CommonOptions.Delivery.EXACTLY_ONCE);
    }

    /** The spinning of a job with this delivery (and of the bare loop it is compared with). */
    static ThreadSpinning spinning(CommonOptions.Delivery delivery) {
        String value = System.getProperty("alphaflow.bench.spinning", "");
        return value.isBlank() ? CommonOptions.defaultSpinning(delivery) : ThreadSpinning.parse(value);
    }

    static SessionSettings session(int intraOpThreads) {
        return session(intraOpThreads, spinning());
    }

    static SessionSettings session(int intraOpThreads, ThreadSpinning spinning) {
        return SessionSettings.builder().intraOpThreads(intraOpThreads).interOpThreads(1).spinning(spinning)
                .dynamicBlockBase(dynamicBlockBase()).executionProvider(provider()).build();
    }

    /**
     * ONNX Runtime's dynamic block base for both contenders: {@code -Dalphaflow.bench.dynamic-block-base} (default:
     * the matting job's default, {@code alphaflow.ort.dynamic-block-base}).
     */
    static int dynamicBlockBase() {
        String value = System.getProperty("alphaflow.bench.dynamic-block-base", "");
        return value.isBlank() ? CommonOptions.DYNAMIC_BLOCK_BASE.defaultValue() : Integer.parseInt(value.trim());
    }

    /**
     * The execution provider both contenders run on: {@code -Dalphaflow.bench.provider=cpu|cuda|tensorrt} (default
     * cpu). A GPU provider that cannot be used fails the suite (no CPU fallback); its rows are named with the
     * provider as a suffix ({@code perf.single_stream.pipeline_vs_bare.cuda}) and its notes go to a block of their
     * own, so a GPU run leaves the CPU figures in BENCHMARKS.md as they are.
     */
    static ExecutionProvider provider() {
        String value = System.getProperty("alphaflow.bench.provider", "");
        return ExecutionProvider.parse(value.isBlank() ? "cpu" : value);
    }

    static RvmOptions rvm(float ratio) {
        return RvmOptions.builder().downsampleRatio(ratio).build();
    }

    /** Rows measured in this run, with a note each. */
    static final class Results {
        record Row(String metric, String value, String note) {}

        final List<Row> rows = new ArrayList<>();

        void add(String metric, String value, String note) {
            if (provider().isGpu()) {
                metric = metric + "." + provider().name().toLowerCase(Locale.ROOT);
            }
            rows.add(new Row(metric, value, note));
            System.out.println("[bench] " + metric + " = " + value + "  (" + note + ")");
        }

        void write(Settings s, String machine, double seconds, double loadBefore, double loadAfter)
                throws IOException {
            Map<String, String> table = new LinkedHashMap<>();
            rows.forEach(r -> table.put(r.metric, BenchmarksFile.row(r.metric, r.value, command(r.metric))));
            String when = java.time.LocalDateTime.now(java.time.ZoneOffset.UTC).withNano(0).toString().replace('T', ' ');
            List<String> intro = List.of(
                    provider().isGpu()
                            ? "### Benchmark suite on the GPU (" + provider().name().toLowerCase(Locale.ROOT)
                                    + " provider; rows `*." + provider().name().toLowerCase(Locale.ROOT) + "`)"
                            : "### Benchmark suite (`perf.*`, `state.*`, `cluster.*`)",
                    "",
                    String.format(Locale.ROOT, "Last run %s UTC (%s) on %s; it took %.0f s. The machine is shared: "
                            + "the 1-minute load average was %.2f before and %.2f after (%d = all cores busy), and the "
                            + "CPU time the same bare loop needs per frame varies by up to 1.6× between runs even "
                            + "when no other process in this VM is busy (the host's capacity varies), so absolute "
                            + "frames/s vary up to 2×; each ratio is the median over pairs of contenders measured "
                            + "back to back, which discounts pairs in which one contender hit a slow phase.", when,
                            String.join(",", s.only), machine, seconds, loadBefore, loadAfter,
                            Runtime.getRuntime().availableProcessors()),
                    "",
                    String.format(Locale.ROOT, "RVM (`rvm-mobilenetv3`) at a fixed downsample ratio %s on 854×480 "
                            + "DAVIS dance-twirl JPEGs; both contenders start from the same JPEG bytes in memory. "
                            + "Frames/s = (frames − 1) ÷ (time of the last output − time of the first), so start-up "
                            + "and the first frame's latency are left out alike; for the pipeline the times are the "
                            + "mattes' Kafka append times (topics with LogAppendTime). The bare loop is one thread: "
                            + "decode (ImageIO) → RVM with the carried state → PNG-encode the alpha.", s.ratio));
            Map<String, String> bullets = new LinkedHashMap<>();
            rows.forEach(r -> bullets.put(r.metric, "= " + r.value + " (" + when.substring(0, 10) + "): " + r.note
                    + "."));
            BenchmarksFile.update(s.output, table, intro, bullets,
                    provider().isGpu() ? provider().name().toLowerCase(Locale.ROOT) : null);
        }

        void print() {
            System.out.println();
            System.out.println("| metric | value | command |");
            System.out.println("|---|---|---|");
            for (Row r : rows) {
                System.out.println("| " + r.metric + " | " + r.value + " | `" + command(r.metric) + "` |");
            }
        }
    }

    /** What to run and how, from system properties. */
    record Settings(Path sharedDir, Path output, Set<String> only, int reps, float ratio, int threads,
            int singleFrames, int singleParallelism, int streamCount, int streamFrames, int streamParallelism,
            int streamThreads, int warmupPairs) {

        static Settings fromSystemProperties() {
            String shared = System.getProperty("alphaflow.shared.dir");
            if (shared == null || shared.isBlank()) {
                throw new IllegalArgumentException("set -Dalphaflow.shared.dir to the folder holding models/ and data/"
                        + " (the benchmarks Maven profile sets it to ../shared)");
            }
            String output = System.getProperty("alphaflow.bench.output", "");
            Set<String> only = new LinkedHashSet<>();
            for (String name : System.getProperty("alphaflow.bench.only", "all").split(",")) {
                String n = name.trim();
                if (n.equals("all")) {
                    only.addAll(ALL);
                } else if (ALL.contains(n)) {
                    only.add(n);
                } else if (!n.isEmpty()) {
                    throw new IllegalArgumentException("unknown benchmark '" + n + "' in alphaflow.bench.only; known: "
                            + ALL + " or all");
                }
            }
            return new Settings(Paths.get(shared).toAbsolutePath().normalize(),
                    output.isBlank() ? null : Paths.get(output).toAbsolutePath().normalize(), only,
                    positive("alphaflow.bench.reps", 5),
                    Float.parseFloat(System.getProperty("alphaflow.bench.ratio", "0.25")),
                    positive("alphaflow.bench.threads", 2),
                    positive("alphaflow.bench.single.frames", 960),
                    positive("alphaflow.bench.single.parallelism", 2),
                    positive("alphaflow.bench.streams.count", 8),
                    positive("alphaflow.bench.streams.frames", 16),
                    positive("alphaflow.bench.streams.parallelism", 2),
                    positive("alphaflow.bench.streams.threads", 1),
                    positive("alphaflow.bench.warmup", 2));
        }

        private static int positive(String key, int defaultValue) {
            int v = Integer.parseInt(System.getProperty(key, String.valueOf(defaultValue)).trim());
            if (v <= 0) {
                throw new IllegalArgumentException(key + " must be positive: " + v);
            }
            return v;
        }

        Path modelDir() {
            return sharedDir.resolve("models");
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
