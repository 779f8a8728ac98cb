package dev.alphaflow.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Updates BENCHMARKS.md: rows of the {@code | metric | value | command |} table with a metric measured now are
 * replaced in place, new metrics are appended to the table, all other rows and text are kept. The suite's own notes
 * (machine, settings, per-repetition figures) live between two HTML comments and are replaced as a whole.
 */
final class BenchmarksFile {
    static final String HEADER = "| metric | value | command |";
    static final String BEGIN = begin(null);
    static final String END = end(null);

    /** The opening marker of the notes block; {@code variant} (e.g. "cuda") names a block of its own. */
    static String begin(String variant) {
        return "<!-- benchmark-suite" + (variant == null ? "" : "-" + variant) + ":begin (written by "
                + "dev.alphaflow.bench.BenchmarkSuite; edits between these markers are overwritten) -->";
    }

    static String end(String variant) {
        return "<!-- benchmark-suite" + (variant == null ? "" : "-" + variant) + ":end -->";
    }

    private BenchmarksFile() {}

    static String row(String metric, String value, String command) {
        return "| " + metric + " | " + value + " | `" + command + "` |";
    }

    /**
     * @param rows metric → complete table row
     * @param intro the notes' opening paragraphs (replace the previous ones)
     * @param bullets metric → one note; notes of metrics not measured this time are kept from the previous block
     * @param variant null for the CPU suite's notes block; else the name of a separate block (e.g. "cuda")
     */
    static void update(Path file, Map<String, String> rows, List<String> intro, Map<String, String> bullets,
            String variant) throws IOException {
        String beginMarker = begin(variant);
        String endMarker = end(variant);
        List<String> lines = Files.exists(file)
                ? new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8))
                : new ArrayList<>(List.of("# Benchmarks", ""));
        Map<String, String> pending = new LinkedHashMap<>(rows);

        int header = lines.indexOf(HEADER);
        if (header < 0) {
            lines.add("");
            lines.add(HEADER);
            lines.add("|---|---|---|");
            header = lines.size() - 2;
        }
        int end = header + 2; // first line after the separator
        while (end < lines.size() && lines.get(end).startsWith("|")) {
            String[] cells = lines.get(end).split("\\|");
            String metric = cells.length > 1 ? cells[1].trim() : "";
            String replacement = pending.remove(metric);
            if (replacement != null) {
                lines.set(end, replacement);
            }
            end++;
        }
        lines.addAll(end, pending.values());

        // Bullets of the previous block, in their order, with this run's replacing theirs.
        Map<String, String> merged = new LinkedHashMap<>();
        int begin = lines.indexOf(beginMarker);
        int stop = lines.indexOf(endMarker);
        boolean hadBlock = begin >= 0 && stop > begin;
        if (hadBlock) {
            String metric = null;
            for (String line : lines.subList(begin + 1, stop)) {
                if (line.startsWith("- `")) {
                    metric = line.substring(3, line.indexOf('`', 3));
                    merged.put(metric, line);
                } else if (metric != null && line.startsWith("  ")) {
                    merged.put(metric, merged.get(metric) + "\n" + line);
                } else {
                    metric = null;
                }
            }
        }
        bullets.forEach((metric, note) ->
                merged.put(metric, String.join("\n", wrap("- `" + metric + "` " + note, "  "))));

        List<String> block = new ArrayList<>();
        block.add(beginMarker);
        block.add("");
        for (String paragraph : intro) {
            block.addAll(paragraph.isEmpty() ? List.of("") : wrap(paragraph, ""));
        }
        block.add("");
        merged.values().forEach(b -> block.addAll(List.of(b.split("\n"))));
        block.add("");
        block.add(endMarker);
        if (hadBlock) {
            lines.subList(begin, stop + 1).clear();
            lines.addAll(begin, block);
        } else {
            if (!lines.isEmpty() && !lines.get(lines.size() - 1).isBlank()) {
                lines.add("");
            }
            lines.addAll(block);
        }
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    /** Word-wraps at 110 characters; continuation lines start with {@code indent}. */
    static List<String> wrap(String text, String indent) {
        List<String> out = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        boolean empty = true;
        for (String word : text.split(" ")) {
            if (!empty && line.length() + 1 + word.length() > 110) {
                out.add(line.toString());
                line = new StringBuilder(indent);
                empty = true;
            }
            if (!empty) {
                line.append(' ');
            }
            line.append(word);
            empty = false;
        }
        out.add(line.toString());
        return out;
    }
}
