package dev.alphaflow.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples, every 50 ms, this JVM's CPU time and the whole machine's busy and total CPU time ({@code /proc/stat}), so
 * that for any time window one can say how much CPU this process used and how busy the other processes kept the
 * machine. The machine is shared; the second figure says how much a measurement was disturbed.
 */
final class CpuSampler implements AutoCloseable {
    private record Sample(long wallMillis, long processNanos, long busyTicks, long totalTicks) {}

    private record Threads(long wallMillis, ThreadCpu.Snapshot snapshot) {}

    /** CPU over a window: this process's CPU milliseconds, and the other processes' share of all cores (0..1). */
    record Usage(double processCpuMillis, double othersShare) {}

    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final List<Sample> samples = new ArrayList<>();
    /** Per-thread snapshots, every 10th sample: reading every thread's counters costs more. */
    private final List<Threads> threadSamples = new ArrayList<>();
    private final Thread thread;
    private final long clockTicksPerSecond = 100; // USER_HZ on Linux
    private volatile boolean running = true;

    CpuSampler() {
        thread = new Thread(() -> {
            for (long n = 0; running; n++) {
                Sample s = sample();
                Threads t = n % 10 == 0 ? new Threads(System.currentTimeMillis(), ThreadCpu.take()) : null;
                synchronized (samples) {
                    samples.add(s);
                    if (t != null) {
                        threadSamples.add(t);
                    }
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-cpu-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    /** Usage between two wall-clock times (epoch ms), from the samples nearest to them. */
    Usage between(long startMillis, long endMillis) {
        Sample a;
        Sample b;
        synchronized (samples) {
            a = nearest(startMillis);
            b = nearest(endMillis);
        }
        if (a == null || b == null || b.wallMillis <= a.wallMillis || a.busyTicks < 0) {
            return new Usage(Double.NaN, Double.NaN);
        }
        double processMillis = (b.processNanos - a.processNanos) / 1e6;
        double elapsedMillis = b.wallMillis - a.wallMillis;
        double busyMillis = (b.busyTicks - a.busyTicks) * 1000.0 / clockTicksPerSecond;
        int cores = Runtime.getRuntime().availableProcessors();
        double others = Math.max(0, busyMillis - processMillis) / (elapsedMillis * cores);
        return new Usage(processMillis, Math.min(1, others));
    }

    /**
     * CPU per frame by thread group between two wall-clock times (from the per-thread snapshots just inside them,
     * up to 0.5 s in), for the notes; see {@link ThreadCpu}.
     */
    String threadsBetween(long startMillis, long endMillis, int frames) {
        Threads a = null;
        Threads b = null;
        synchronized (samples) {
            for (Threads t : threadSamples) {
                if (a == null && t.wallMillis >= startMillis) {
                    a = t;
                }
                if (t.wallMillis <= endMillis) {
                    b = t;
                }
            }
        }
        if (a == null || b == null || b.wallMillis <= a.wallMillis) {
            return "no per-thread figures";
        }
        // scale to the frames of the snapshot window, which differs from the measured one by up to 0.5 s each end
        double frameShare = (double) (b.wallMillis - a.wallMillis) / Math.max(1, endMillis - startMillis);
        return ThreadCpu.perFrame(a.snapshot, b.snapshot, (int) Math.max(1, Math.round(frames * frameShare)), 12);
    }

    private Sample nearest(long wallMillis) {
        Sample best = null;
        for (Sample s : samples) {
            if (best == null || Math.abs(s.wallMillis - wallMillis) < Math.abs(best.wallMillis - wallMillis)) {
                best = s;
            }
        }
        return best;
    }

    private Sample sample() {
        long busy = -1;
        long total = -1;
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal ...
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            total = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                total += Long.parseLong(f[i]);
            }
            busy = total - idle;
        } catch (IOException | RuntimeException e) {
            // not Linux: only the process's own CPU time is known
        }
        return new Sample(System.currentTimeMillis(), os.getProcessCpuTime(), busy, total);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
