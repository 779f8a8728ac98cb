package dev.alphaflow.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Bare loop versus pipeline on one workload, in one run: after unmeasured warm-up pairs, bare, pipeline, bare,
 * pipeline, … Each pipeline run is divided by the bare run just before it, and the median of those ratios is
 * reported, so that slow phases of a shared machine hit both contenders of a pair alike. For every run the process's
 * CPU time per frame and the other processes' share of the machine over the measured window are kept as well.
 */
final class Comparison {
    private final List<Throughput> bare = new ArrayList<>();
    private final List<PipelineReplay.Result> pipeline = new ArrayList<>();
    private final List<CpuSampler.Usage> bareCpu = new ArrayList<>();
    private final List<CpuSampler.Usage> pipelineCpu = new ArrayList<>();

    interface Run<T> {
        T run() throws Exception;
    }

    static Comparison alternate(int reps, int warmupPairs, Run<Throughput> bareRun, Run<PipelineReplay.Result> pipelineRun,
            CpuSampler cpu, String label) throws Exception {
        Comparison c = new Comparison();
        // Unmeasured pairs first: the JIT compiles the job's code paths (Flink, Kafka clients and broker, Avro)
        // over the first few jobs of a JVM, taking CPU from whichever contender runs then.
        for (int w = 1; w <= warmupPairs; w++) {
            settle();
            Throughput warmBare = bareRun.run();
            settle();
            Throughput warmPipeline = pipelineRun.run().throughput();
            System.out.printf(Locale.ROOT, "[bench] %s warm-up %d/%d (not counted): bare %.2f frames/s, pipeline %.2f "
                    + "frames/s; pipeline threads %s%n", label, w, warmupPairs, warmBare.fps(), warmPipeline.fps(),
                    cpu.threadsBetween(warmPipeline.firstMillis(), warmPipeline.lastMillis(),
                            warmPipeline.frames() - 1));
        }
        for (int rep = 1; rep <= reps; rep++) {
            settle();
            Throughput b = bareRun.run();
            CpuSampler.Usage bu = cpu.between(b.firstMillis(), b.lastMillis());
            c.bare.add(b);
            c.bareCpu.add(bu);
            System.out.printf(Locale.ROOT, "[bench] %s rep %d/%d: bare     %6.2f frames/s (%d frames in %.1f s; "
                    + "%.0f CPU-ms/frame; others used %.0f%% of the machine)%n", label, rep, reps, b.fps(),
                    b.frames(), b.seconds(), bu.processCpuMillis() / (b.frames() - 1), 100 * bu.othersShare());
            System.out.printf(Locale.ROOT, "[bench] %s rep %d/%d: bare     threads %s%n", label, rep, reps,
                    cpu.threadsBetween(b.firstMillis(), b.lastMillis(), b.frames() - 1));
            settle();
            PipelineReplay.Result p = pipelineRun.run();
            Throughput t = p.throughput();
            CpuSampler.Usage pu = cpu.between(t.firstMillis(), t.lastMillis());
            c.pipeline.add(p);
            c.pipelineCpu.add(pu);
            System.out.printf(Locale.ROOT, "[bench] %s rep %d/%d: pipeline %6.2f frames/s (%d frames in %.1f s; "
                    + "%.0f CPU-ms/frame; others used %.0f%% of the machine; job wall time incl. start-up %.1f s) "
                    + "→ ratio %.3f%n", label, rep, reps, t.fps(), t.frames(), t.seconds(),
                    pu.processCpuMillis() / (t.frames() - 1), 100 * pu.othersShare(), p.jobWallSeconds(),
                    t.fps() / b.fps());
            System.out.printf(Locale.ROOT, "[bench] %s rep %d/%d: pipeline threads %s%n", label, rep, reps,
                    cpu.threadsBetween(t.firstMillis(), t.lastMillis(), t.frames() - 1));
        }
        return c;
    }

    /**
     * Lets the previous run's leftovers (garbage, finished job's threads, broker housekeeping) settle before the next
     * contender starts: ONNX Runtime's spinning intra-op threads lose much more than their share to any other
     * runnable thread on a 2-core machine.
     */
    static void settle() throws InterruptedException {
        System.gc();
        Thread.sleep(1_000);
    }

    List<Double> ratios() {
        List<Double> r = new ArrayList<>();
        for (int i = 0; i < bare.size(); i++) {
            r.add(pipeline.get(i).throughput().fps() / bare.get(i).fps());
        }
        return r;
    }

    double medianRatio() {
        return Stats.median(ratios());
    }

    List<PipelineReplay.Result> pipelineRuns() {
        return pipeline;
    }

    List<Double> bareFps() {
        return bare.stream().map(Throughput::fps).toList();
    }

    List<Double> pipelineFps() {
        return pipeline.stream().map(p -> p.throughput().fps()).toList();
    }

    private static List<Double> cpuPerFrame(List<Throughput> runs, List<CpuSampler.Usage> usage) {
        List<Double> v = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            v.add(usage.get(i).processCpuMillis() / (runs.get(i).frames() - 1));
        }
        return v;
    }

    private static List<Double> others(List<CpuSampler.Usage> usage) {
        return usage.stream().map(u -> 100 * u.othersShare()).toList();
    }

    String summary() {
        List<Throughput> pipelineThroughput = pipeline.stream().map(PipelineReplay.Result::throughput).toList();
        return String.format(Locale.ROOT, "frames/s bare %s, pipeline %s, ratios %s; CPU-ms per frame (this JVM: "
                + "job, Kafka broker, clients) bare %s, pipeline %s; other processes' share of the machine "
                + "during the runs (%%) bare %s, pipeline %s", Stats.format(bareFps(), "%.1f"),
                Stats.format(pipelineFps(), "%.1f"), Stats.format(ratios(), "%.2f"),
                Stats.format(cpuPerFrame(bare, bareCpu), "%.0f"),
                Stats.format(cpuPerFrame(pipelineThroughput, pipelineCpu), "%.0f"),
                Stats.format(others(bareCpu), "%.0f"), Stats.format(others(pipelineCpu), "%.0f"));
    }
}
