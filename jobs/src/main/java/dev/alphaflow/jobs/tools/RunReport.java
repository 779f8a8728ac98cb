package dev.alphaflow.jobs.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.stream.Stream;

/**
 * One self-contained HTML page of an export run: per stream sample composites (inlined as {@code data:} URIs), the
 * figures and charts of processing time and frames/s, and the state resets; the dead letters by reason. Nothing is
 * fetched: no CDN, no script, charts are inline SVG. Every figure is read from the {@link ExportSummary} the command
 * prints, with the same formatting ({@link ExportSummary#figure}), so the page and the printed summary agree.
 *
 * <p>Elements carry classes a reader (or a test) can find: {@code section.stream[data-stream=ID]} with
 * {@code .mattes}, {@code .composites}, {@code .median-ms}, {@code .p95-ms}, {@code .fps}, {@code .resets};
 * {@code #dead-letters tr[data-reason=REASON] .count}.
 */
public final class RunReport {
    /** Sample images per stream, spread evenly over it. */
    static final int SAMPLES = 4;
    private static final int CHART_W = 480;
    private static final int CHART_H = 120;

    private RunReport() {}

    /** Writes the report of {@code summary} to {@code file} (its folder is created). */
    public static void write(ExportSummary summary, Path file) {
        String html = render(summary);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, html, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report " + file + ": " + e.getMessage(), e);
        }
    }

    static String render(ExportSummary summary) {
        StringBuilder b = new StringBuilder();
        b.append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>alphaflow export report: ").append(esc(summary.outputDir().toString())).append("</title>\n")
                .append("<style>\n")
                .append("body { font-family: sans-serif; margin: 1em 2em; background: #f4f4f4; }\n")
                .append("section.stream { background: #fff; border-radius: 6px; padding: .8em; margin: 1em 0; ")
                .append("box-shadow: 0 1px 3px #0003; }\n")
                .append(".samples img { width: 240px; margin: 0 .4em .4em 0; background: #ddd; }\n")
                .append("table { border-collapse: collapse; font-size: .9em; } td, th { padding: .1em .6em; text-align: left; }\n")
                .append("svg { background: #fafafa; margin-right: 1em; }\n")
                .append("</style>\n</head>\n<body>\n<h1>alphaflow export report</h1>\n");
        b.append("<p id=\"summary\">Exported <span id=\"total-mattes\">").append(summary.totalMattes())
                .append("</span> mattes of <span id=\"stream-count\">").append(summary.streams().size())
                .append("</span> stream(s) to <code>").append(esc(summary.outputDir().toString())).append("</code> in ")
                .append(String.format(Locale.ROOT, "%.2f", summary.seconds())).append(" s")
                .append(summary.complete() ? "" : " (stopped on the idle timeout)").append(".</p>\n");
        b.append("<p>Processing time is the job's own per-frame measure (the matte's <code>timingsMicros.total</code>: ")
                .append("decode, model, encode); frames/s is frames per second of that time.</p>\n");

        b.append("<h2>Dead letters</h2>\n");
        Map<String, Long> dead = summary.deadLetters();
        if (dead == null) {
            b.append("<p id=\"dead-letters\">not read</p>\n");
        } else if (dead.isEmpty()) {
            b.append("<p id=\"dead-letters\">none</p>\n");
        } else {
            b.append("<table id=\"dead-letters\"><tr><th>reason</th><th>count</th></tr>\n");
            dead.forEach((reason, n) -> b.append("<tr data-reason=\"").append(esc(reason)).append("\"><td>")
                    .append(esc(reason)).append("</td><td class=\"count\">").append(n).append("</td></tr>\n"));
            b.append("</table>\n");
        }

        for (ExportSummary.StreamExport s : summary.streams().values()) {
            StreamStats st = summary.stats(s.streamId());
            b.append("<section class=\"stream\" data-stream=\"").append(esc(s.streamId())).append("\">\n<h2>")
                    .append(esc(s.streamId())).append("</h2>\n<table class=\"figures\">\n");
            row(b, "mattes", "mattes", Long.toString(s.mattes()));
            row(b, "composites", "composites", Long.toString(s.composites()));
            row(b, "processing ms, median", "median-ms", ExportSummary.figure(st.medianMs()));
            row(b, "processing ms, p95", "p95-ms", ExportSummary.figure(st.p95Ms()));
            row(b, "frames/s", "fps", ExportSummary.figure(st.framesPerSecond()));
            row(b, "state resets", "resets", Long.toString(st.totalResets()));
            b.append("</table>\n");
            if (!st.resets().isEmpty()) {
                b.append("<table class=\"reset-reasons\"><tr><th>reset reason</th><th>count</th></tr>\n");
                st.resets().forEach((reason, n) -> b.append("<tr data-reason=\"").append(esc(reason)).append("\"><td>")
                        .append(esc(reason)).append("</td><td class=\"count\">").append(n).append("</td></tr>\n"));
                b.append("</table>\n");
            }
            b.append("<div class=\"samples\">\n");
            for (Path image : samples(s.directory())) {
                b.append("<img class=\"sample\" alt=\"").append(esc(image.getFileName().toString()))
                        .append("\" src=\"data:image/png;base64,").append(base64(image)).append("\">\n");
            }
            b.append("</div>\n<div class=\"charts\">\n");
            b.append(chart(st.processingMs(), "processing ms per frame (by seq)", "latency"));
            b.append(chart(st.framesPerSecondSeries(), "frames/s, " + StreamStats.FPS_WINDOW + "-frame windows (by seq)",
                    "fps"));
            b.append("</div>\n</section>\n");
        }
        return b.append("</body>\n</html>\n").toString();
    }

    private static void row(StringBuilder b, String label, String cls, String value) {
        b.append("<tr><th>").append(label).append("</th><td class=\"").append(cls).append("\">").append(esc(value))
                .append("</td></tr>\n");
    }

    /** Up to {@link #SAMPLES} composites of a stream folder, evenly spread; its alpha mattes when it has none. */
    static List<Path> samples(Path streamDir) {
        List<Path> files = pngs(streamDir.resolve("composite"));
        if (files.isEmpty()) {
            files = pngs(streamDir.resolve("alpha"));
        }
        if (files.size() <= SAMPLES) {
            return files;
        }
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < SAMPLES; i++) {
            out.add(files.get((int) Math.round(i * (files.size() - 1) / (double) (SAMPLES - 1))));
        }
        return out;
    }

    private static List<Path> pngs(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> p.getFileName().toString().endsWith(".png")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static String base64(Path file) {
        try {
            return Base64.getEncoder().encodeToString(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** A line chart of y by x as inline SVG, scaled to the data; a note instead of a line when there is none. */
    static String chart(SortedMap<Integer, Double> points, String label, String cls) {
        StringBuilder b = new StringBuilder("<svg class=\"chart ").append(cls).append("\" width=\"").append(CHART_W)
                .append("\" height=\"").append(CHART_H).append("\" role=\"img\" aria-label=\"").append(esc(label))
                .append("\">");
        if (points.isEmpty()) {
            return b.append("<text x=\"4\" y=\"14\" font-size=\"11\">").append(esc(label))
                    .append(": no data</text></svg>\n").toString();
        }
        int x0 = points.firstKey();
        int x1 = Math.max(points.lastKey(), x0 + 1);
        double max = points.values().stream().mapToDouble(Double::doubleValue).max().orElse(1);
        max = max > 0 ? max : 1;
        StringBuilder pts = new StringBuilder();
        for (Map.Entry<Integer, Double> p : points.entrySet()) {
            double x = 4 + (CHART_W - 8) * (p.getKey() - x0) / (double) (x1 - x0);
            double y = CHART_H - 4 - (CHART_H - 22) * p.getValue() / max;
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        return b.append("<polyline fill=\"none\" stroke=\"#4363d8\" stroke-width=\"1.5\" points=\"")
                .append(pts.toString().trim()).append("\"/>")
                .append("<text x=\"4\" y=\"12\" font-size=\"11\">").append(esc(label)).append(", max ")
                .append(ExportSummary.figure(max)).append("</text></svg>\n").toString();
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
