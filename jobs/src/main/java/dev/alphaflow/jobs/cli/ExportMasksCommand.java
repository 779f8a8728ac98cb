package dev.alphaflow.jobs.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.jobs.tools.RunReport;
import dev.alphaflow.jobs.tools.SegmentExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code alphaflow export-masks}: see {@link SegmentExport}. */
@Command(name = "export-masks", mixinStandardHelpOptions = true,
        description = {"Write the segments topic as DAVIS-format masks: <out>/<stream>/<seq>.png, 8-bit indexed PNGs "
                + "with the DAVIS palette, pixel value = object id (read them with davis-eval or the DAVIS toolkit).",
                "Also <out>/<stream>/overlay/<seq>.png (the frame from the frames topic, each object tinted in its "
                        + "palette colour with its label) and <out>/<stream>/overlay.mp4, unless --no-overlays."})
final class ExportMasksCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--segments-topic", paramLabel = "TOPIC", defaultValue = KafkaDefaults.SEGMENTS_TOPIC,
            description = "Topic of Segmentation records (default: ${DEFAULT-VALUE}).")
    String segmentsTopic;

    @Mixin
    ExportOptions export;

    @Mixin
    OverlayExportOptions overlays;

    @Mixin
    ReportOptions report;

    @Option(names = "--no-overlays", description = "Masks only: no overlay PNGs or video (the frames topic is not read).")
    boolean noOverlays;

    @Override
    public Integer call() {
        // The flags are checked here, before Kafka is contacted.
        SegmentExport.Builder b = overlays.applyTo(export.applyTo(SegmentExport.builder(), kafka))
                .segmentsTopic(segmentsTopic)
                .overlays(!noOverlays);
        report.applyTo(spec, b, kafka);
        SegmentExport segmentExport = ExportOptions.build(spec, b::build);
        List<String> topics = new ArrayList<>(List.of(segmentsTopic));
        topics.addAll(report.extraTopics(kafka));
        kafka.preflight(topics, List.of());
        SegmentExport.Summary summary = segmentExport.run();
        var out = spec.commandLine().getOut();
        out.printf("wrote %d masks to %s%n", summary.totalMasks(), export.output);
        summary.masksPerStream().forEach((id, n) -> {
            out.printf("  %s: %d masks%s%s%n", id, n,
                    summary.overlaysPerStream().containsKey(id)
                            ? ", " + summary.overlaysPerStream().get(id) + " overlays" : "",
                    summary.videos().containsKey(id) ? ", " + summary.videos().get(id) : "");
            out.printf("    %s%n", summary.stats().get(id).describe());
            if (summary.truth().containsKey(id)) {
                out.printf("    %s%n", summary.truth().get(id).describe());
            }
        });
        if (summary.deadLetters() != null) {
            out.printf("  dead letters: %s%n", summary.deadLetters().isEmpty() ? "none" : summary.deadLetters());
        }
        if (summary.duplicates() > 0 || summary.undecodable() > 0) {
            out.printf("  (%d records read again, %d undecodable records skipped)%n", summary.duplicates(),
                    summary.undecodable());
        }
        report.finish(spec, RunReport.masks(summary), !summary.truth().isEmpty());
        return summary.totalMasks() > 0 ? 0 : 1;
    }
}
