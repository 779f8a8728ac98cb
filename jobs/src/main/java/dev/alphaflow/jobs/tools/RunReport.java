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
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * One self-contained HTML page of an export run (mattes, masks or instances): per stream sample images (composites or
 * overlays, inlined as {@code data:} URIs), the figures and charts of processing time and frames/s, the state resets,
 * and the scores against the ground truth when one was given; the dead letters by reason. Nothing is fetched: no CDN,
 * no script, charts are inline SVG. Every figure is read from the summary the command prints, with the same
 * formatting ({@link ExportSummary#figure}, {@link StreamStats#describe}, {@link TruthScore#describe}), so the page
 * and the printed summary agree.
 *
 * <p>Elements carry classes a reader (or a test) can find: {@code #total-<kind>}, {@code #stream-count},
 * {@code section.stream[data-stream=ID]} with one cell per figure ({@code .mattes}, {@code .composites} /
 * {@code .masks}, {@code .overlays} / {@code .frames}, {@code .instances}, ...), {@code .median-ms}, {@code .p95-ms},
 * {@code .fps}, {@code .resets}, {@code .reset-reasons tr[data-reason=R] .count}, {@code table.truth} with
 * {@code .j}, {@code .f}, {@code .jf} or {@code .iou}; {@code #dead-letters tr[data-reason=REASON] .count}.
 */
public final class RunReport {
    /** Sample images per stream, spread evenly over it. */
    static final int SAMPLES = 4;
    private static final int CHART_W = 480;
    private static final int CHART_H = 120;

    /** One figure of a stream: {@code label} as shown, {@code key} the class a reader finds it by, {@code value} as printed. */
    public record Figure(String label, String key, String value) {}

    /** One stream's part of the page; {@code truth} is null when the stream was not scored. */
    public record Section(String streamId, List<Figure> figures, StreamStats stats, List<Path> samples, TruthScore truth) {
        public Section {
            figures = List.copyOf(figures);
            samples = List.copyOf(samples);
        }
    }

    /**
     * What the page shows.
     *
     * @param kind what was exported, plural ("mattes", "masks", "instances"): the heading and {@code #total-<kind>}
     * @param total how many of them
     * @param complete false when the export stopped on its idle timeout
     * @param deadLetters by reason, or null when the dead-letter topic was not read
     */
    public record Page(String kind, Path outputDir, long total, double seconds, boolean complete,
            Map<String, Long> deadLetters, List<Section> sections) {
        public Page {
            sections = List.copyOf(sections);
        }
    }

    private RunReport() {}

    /** The page of a matte export: composites (else alpha mattes) as samples; IoU of the streams scored. */
    public static Page mattes(ExportSummary summary) {
        Map<String, TruthScore> truth = summary.truth();
        List<Section> sections = new ArrayList<>();
        for (ExportSummary.StreamExport s : summary.streams().values()) {
            List<Path> samples = pngs(s.directory().resolve("composite"));
            sections.add(new Section(s.streamId(), List.of(new Figure("mattes", "mattes", Long.toString(s.mattes())),
                    new Figure("composites", "composites", Long.toString(s.composites()))), summary.stats(s.streamId()),
                    spread(samples.isEmpty() ? pngs(s.directory().resolve("alpha")) : samples), truth.get(s.streamId())));
        }
        return new Page("mattes", summary.outputDir(), summary.totalMattes(), summary.seconds(), summary.complete(),
                summary.deadLetters(), sections);
    }

    /** The page of a mask export: overlays (else the masks) as samples; J, F, J&amp;F of the streams scored. */
    public static Page masks(SegmentExport.Summary summary) {
        Map<String, TruthScore> truth = summary.truth();
        List<Section> sections = new ArrayList<>();
        summary.masksPerStream().forEach((id, masks) -> {
            Path dir = summary.streamDir(id);
            List<Path> samples = pngs(dir.resolve("overlay"));
            sections.add(new Section(id, List.of(new Figure("masks", "masks", Long.toString(masks)),
                    new Figure("overlays", "overlays", Long.toString(summary.overlaysPerStream().getOrDefault(id, 0L)))),
                    summary.stats().get(id), spread(samples.isEmpty() ? pngs(dir) : samples), truth.get(id)));
        });
        return new Page("masks", summary.outputDir(), summary.totalMasks(), summary.seconds(), true,
                summary.deadLetters(), sections);
    }

    /** The page of an instances export: overlays as samples; foreground IoU of the streams scored. */
    public static Page instances(InstancesExport.Summary summary) {
        Map<String, TruthScore> truth = summary.truth();
        List<Section> sections = new ArrayList<>();
        for (InstancesExport.StreamExport s : summary.streams().values()) {
            sections.add(new Section(s.streamId(), List.of(new Figure("frames", "frames", Long.toString(s.frames())),
                    new Figure("instances", "instances", Long.toString(s.instances())),
                    new Figure("overlays", "overlays", Long.toString(s.overlays()))), summary.stats().get(s.streamId()),
                    spread(pngs(s.dir().resolve("overlay"))), truth.get(s.streamId())));
        }
        return new Page("instances", summary.outputDir(), summary.totalInstances(), summary.seconds(),
                summary.complete(), summary.deadLetters(), sections);
    }

    /** Writes {@code page} to {@code file} (its folder is created). */
    public static void write(Page page, Path file) {
        String html = render(page);
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

    static String render(Page page) {
        StringBuilder b = new StringBuilder();
        b.append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>alphaflow export report (").append(esc(page.kind())).append("): ")
                .append(esc(page.outputDir().toString())).append("</title>\n")
                .append("<style>\n")
                .append("body { font-family: sans-serif; margin: 1em 2em; background: #f4f4f4; }\n")
                .append("section.stream { background: #fff; border-radius: 6px; padding: .8em; margin: 1em 0; ")
                .append("box-shadow: 0 1px 3px #0003; }\n")
                .append(".samples img { width: 240px; margin: 0 .4em .4em 0; background: #ddd; }\n")
                .append("table { border-collapse: collapse; font-size: .9em; margin-bottom: .4em; } ")
                .append("td, th { padding: .1em .6em; text-align: left; }\n")
                .append("svg { background: #fafafa; margin-right: 1em; }\n")
                .append("</style>\n</head>\n<body>\n<h1>alphaflow export report: ").append(esc(page.kind()))
                .append("</h1>\n");
        b.append("<p id=\"summary\">Exported <span id=\"total-").append(esc(page.kind())).append("\">")
                .append(page.total()).append("</span> ").append(esc(page.kind())).append(" of <span id=\"stream-count\">")
                .append(page.sections().size()).append("</span> stream(s) to <code>")
                .append(esc(page.outputDir().toString())).append("</code> in ")
                .append(String.format(Locale.ROOT, "%.2f", page.seconds())).append(" s")
                .append(page.complete() ? "" : " (stopped on the idle timeout)").append(".</p>\n");
        b.append("<p>Processing time is the job's own per-frame measure (the output's <code>timingsMicros.total</code>: ")
                .append("decode, model, encode); frames/s is frames per second of that time.</p>\n");

        b.append("<h2>Dead letters</h2>\n");
        Map<String, Long> dead = page.deadLetters();
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

        for (Section s : page.sections()) {
            StreamStats st = s.stats() != null ? s.stats() : new StreamStats(new TreeMap<>(), new TreeMap<>());
            b.append("<section class=\"stream\" data-stream=\"").append(esc(s.streamId())).append("\">\n<h2>")
                    .append(esc(s.streamId())).append("</h2>\n<table class=\"figures\">\n");
            for (Figure f : s.figures()) {
                row(b, f.label(), f.key(), f.value());
            }
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
            if (s.truth() != null) {
                TruthScore t = s.truth();
                b.append("<table class=\"truth\"><caption>against <code>").append(esc(t.truthDir().toString()))
                        .append("</code>: <span class=\"truth-frames\">").append(t.frames())
                        .append("</span> frames, <span class=\"truth-missing\">").append(t.missingFrames())
                        .append("</span> without an output</caption>\n");
                for (Figure f : t.figures()) {
                    row(b, f.label(), f.key(), f.value());
                }
                b.append("</table>\n");
            }
            b.append("<div class=\"samples\">\n");
            for (Path image : s.samples()) {
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

    /** Up to {@link #SAMPLES} of {@code files}, evenly spread. */
    static List<Path> spread(List<Path> files) {
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
