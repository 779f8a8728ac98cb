package dev.alphaflow.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Median per-frame stage times of one run (decode, preprocess, inference = {@code session.run}, matting = the
 * whole model step incl. pre- and postprocessing and state, encode, total), printed for the notes so that the
 * pipeline's stages can be set against the bare loop's. The pipeline's total is decode + matting + encode, the
 * time a frame spends being worked on, not the time between frames.
 */
final class StageTimes {
    private static final List<String> ORDER = List.of("decode", "preprocess", "inference", "matting", "encode",
            "total");
    private final Map<String, List<Long>> micros = new LinkedHashMap<>();

    void add(Map<String, Long> timings) {
        timings.forEach((stage, value) -> {
            if (value != null && value >= 0) {
                micros.computeIfAbsent(stage, k -> new ArrayList<>()).add(value);
            }
        });
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("median ms per frame");
        List<String> stages = new ArrayList<>(ORDER);
        micros.keySet().stream().filter(k -> !ORDER.contains(k)).forEach(stages::add);
        for (String stage : stages) {
            List<Long> values = micros.get(stage);
            if (values != null && !values.isEmpty()) {
                List<Long> sorted = values.stream().sorted().toList();
                sb.append(String.format(Locale.ROOT, " %s %.1f", stage, sorted.get(sorted.size() / 2) / 1000.0));
            }
        }
        return sb.toString();
    }
}
