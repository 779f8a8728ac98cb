package dev.alphaflow.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where a run's CPU went, thread by thread: the run time the Linux scheduler accounted to each of this process's
 * threads ({@code /proc/self/task/TID/schedstat}, nanoseconds), including native threads such as ONNX Runtime's
 * intra-op pool, which JVM tools do not see. Threads are grouped by their name ({@code comm}, which the JVM sets
 * to the Java thread name cut to 15 characters) with digits removed, so that "Source: x (1/2)#0" and its siblings
 * add up. A diagnostic for the notes; empty off Linux.
 */
final class ThreadCpu {
    private ThreadCpu() {}

    /** Thread id → (name, CPU nanoseconds so far). */
    record Snapshot(Map<String, Long> nanosByTid, Map<String, String> nameByTid) {}

    static Snapshot take() {
        Map<String, Long> nanos = new HashMap<>();
        Map<String, String> names = new HashMap<>();
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return new Snapshot(nanos, names);
        }
        try (Stream<Path> list = Files.list(tasks)) {
            for (Path task : list.toList()) {
                try {
                    String schedstat = Files.readString(task.resolve("schedstat")).trim();
                    String comm = Files.readString(task.resolve("comm")).trim();
                    String tid = task.getFileName().toString();
                    nanos.put(tid, Long.parseLong(schedstat.split("\\s+")[0]));
                    names.put(tid, comm);
                } catch (IOException | RuntimeException e) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException e) {
            // no breakdown, then
        }
        return new Snapshot(nanos, names);
    }

    /** CPU milliseconds per frame by thread group between two snapshots, largest first, the top {@code limit}. */
    static String perFrame(Snapshot before, Snapshot after, int frames, int limit) {
        Map<String, List<Double>> threadsByGroup = new HashMap<>();
        for (Map.Entry<String, Long> e : after.nanosByTid().entrySet()) {
            long delta = e.getValue() - before.nanosByTid().getOrDefault(e.getKey(), 0L);
            if (delta > 0) {
                String group = after.nameByTid().get(e.getKey()).replaceAll("[0-9]+", "#");
                threadsByGroup.computeIfAbsent(group, g -> new ArrayList<>()).add(delta / 1e6 / frames);
            }
        }
        Map<String, Double> byGroup = new HashMap<>();
        threadsByGroup.forEach((group, threads) ->
                byGroup.put(group, threads.stream().mapToDouble(Double::doubleValue).sum()));
        double total = byGroup.values().stream().mapToDouble(Double::doubleValue).sum();
        Map<String, Double> top = new LinkedHashMap<>();
        byGroup.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(limit)
                .forEach(e -> top.put(e.getKey(), e.getValue()));
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%.1f CPU-ms/frame:", total));
        top.forEach((k, v) -> {
            sb.append(String.format(Locale.ROOT, " [%s] %.1f", k, v));
            // the busiest threads of a group, e.g. a task thread and the ONNX Runtime pool threads it started
            List<Double> threads = threadsByGroup.get(k);
            if (threads.size() > 1 && v >= 1.0) {
                threads.sort(Collections.reverseOrder());
                sb.append(String.format(Locale.ROOT, " (%d threads: %s)", threads.size(),
                        Stats.format(threads.subList(0, Math.min(3, threads.size())), "%.1f")));
            }
        });
        return sb.toString();
    }
}
