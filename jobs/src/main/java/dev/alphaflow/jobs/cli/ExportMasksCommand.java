package dev.alphaflow.jobs.cli;

import java.util.List;
import java.util.concurrent.Callable;

import dev.alphaflow.jobs.KafkaDefaults;
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

    @Option(names = "--no-overlays", description = "Masks only: no overlay PNGs or video (the frames topic is not read).")
    boolean noOverlays;

    @Override
    public Integer call() {
        // The flags are checked here, before Kafka is contacted.
        SegmentExport.Builder b = overlays.applyTo(export.applyTo(SegmentExport.builder(), kafka))
                .segmentsTopic(segmentsTopic)
                .overlays(!noOverlays);
        SegmentExport segmentExport = ExportOptions.build(spec, b::build);
        kafka.preflight(List.of(segmentsTopic), List.of());
        SegmentExport.Summary summary = segmentExport.run();
        System.out.printf("wrote %d masks to %s%n", summary.totalMasks(), export.output);
        summary.masksPerStream().forEach((id, n) -> System.out.printf("  %s: %d masks%s%s%n", id, n,
                summary.overlaysPerStream().containsKey(id)
                        ? ", " + summary.overlaysPerStream().get(id) + " overlays" : "",
                summary.videos().containsKey(id) ? ", " + summary.videos().get(id) : ""));
        if (summary.duplicates() > 0 || summary.undecodable() > 0) {
            System.out.printf("  (%d records read again, %d undecodable records skipped)%n", summary.duplicates(),
                    summary.undecodable());
        }
        return summary.totalMasks() > 0 ? 0 : 1;
    }
}
