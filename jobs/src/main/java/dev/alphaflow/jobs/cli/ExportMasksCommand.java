package dev.alphaflow.jobs.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.jobs.tools.SegmentExport;
import picocli.CommandLine;
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

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", required = true, description = "Output folder.")
    Path output;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "Stop when nothing new arrived for this many seconds (default: ${DEFAULT-VALUE}).")
    double idleTimeoutSeconds;

    @Option(names = "--stream", paramLabel = "ID", split = ",", description = "Export only these streams.")
    List<String> streams = new ArrayList<>();

    @Option(names = "--no-overlays", description = "Masks only: no overlay PNGs or video (the frames topic is not read).")
    boolean noOverlays;

    @Option(names = "--no-video", description = "Overlay PNGs but no overlay.mp4.")
    boolean noVideo;

    @Option(names = "--fps", paramLabel = "FPS",
            description = "Frame rate of overlay.mp4 (default: from the records' event times, else 24).")
    Double fps;

    @Option(names = {"-X", "--consumer-property"}, paramLabel = "KEY=VALUE",
            description = "A Kafka consumer setting (repeatable).")
    Map<String, String> consumerProperties = new LinkedHashMap<>();

    @Override
    public Integer call() {
        SegmentExport.Builder b = SegmentExport.builder()
                .bootstrapServers(kafka.bootstrapServers())
                .segmentsTopic(segmentsTopic)
                .framesTopic(kafka.framesTopic())
                .outputDir(output)
                .idleTimeout(Duration.ofMillis(Math.round(idleTimeoutSeconds * 1000)))
                .streams(Set.copyOf(streams))
                .overlays(!noOverlays)
                .video(!noVideo)
                .consumerProperties(kafka.clientProperties())
                .consumerProperties(consumerProperties);
        if (fps != null) {
            b.fps(fps);
        }
        SegmentExport export;
        try {
            export = b.build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        kafka.preflight(List.of(segmentsTopic), List.of());
        SegmentExport.Summary summary = export.run();
        System.out.printf("wrote %d masks to %s%n", summary.totalMasks(), output);
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
