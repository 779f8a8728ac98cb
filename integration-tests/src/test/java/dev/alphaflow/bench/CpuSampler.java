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

    /** CPU over a window: this process's CPU milliseconds, and the other processes' share of all cores (0..1). */
    record Usage(double processCpuMillis, double othersShare) {}

    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private final long clockTicksPerSecond = 100; // USER_HZ on Linux
    private volatile boolean running = true;

    CpuSampler() {
        thread = new Thread(() -> {
            while (running) {
                Sample s = sample();
                synchronized (samples) {
                    samples.add(s);
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
