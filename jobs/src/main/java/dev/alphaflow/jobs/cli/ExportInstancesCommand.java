package dev.alphaflow.jobs.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.jobs.tools.InstancesExport;
import dev.alphaflow.jobs.tools.RunReport;

/** {@code alphaflow export-instances}: see {@link InstancesExport}. */
@Command(name = "export-instances", mixinStandardHelpOptions = true,
        description = {"Write the instances topic as COCO results, per stream under <out>/<stream>/:",
                "  results.json     [{image_id, category_id, segmentation {size [h,w], counts (compressed RLE)}, "
                        + "bbox [x,y,w,h], score}, ...]; image_id = the frame's seq (0 = first frame), "
                        + "category_id = the model's class id",
                "  categories.json  [{id, name}, ...] of the classes seen",
                "  images.json      [{id = seq, file_name, width, height}, ...] of every frame with a record",
                "  overlay/<seq>.png, overlay.mp4: the frames with each instance tinted, boxed and labelled "
                        + "(unless --no-overlays)."})
final class ExportInstancesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--instances-topic", paramLabel = "TOPIC", defaultValue = KafkaDefaults.INSTANCES_TOPIC,
            description = "Topic of Instances records (default: ${DEFAULT-VALUE}).")
    String instancesTopic;

    @Mixin
    ExportOptions export;

    @Mixin
    OverlayExportOptions overlays;

    @Mixin
    ReportOptions report;

    @Option(names = "--no-overlays", description = "JSON only: no overlay PNGs or video (the frames topic is not read).")
    boolean noOverlays;

    /** The export these arguments describe. */
    InstancesExport toExport() {
        InstancesExport.Builder b = overlays.applyTo(export.applyTo(InstancesExport.builder(), kafka))
                .instancesTopic(instancesTopic)
                .overlays(!noOverlays);
        report.applyTo(spec, b, kafka);
        return ExportOptions.build(spec, b::build);
    }

    @Override
    public Integer call() {
        InstancesExport instancesExport = toExport(); // flags are checked here, before Kafka is contacted
        List<String> topics = new ArrayList<>(List.of(instancesTopic));
        topics.addAll(report.extraTopics(kafka));
        kafka.preflight(topics, List.of());
        InstancesExport.Summary summary = instancesExport.run();
        var out = spec.commandLine().getOut();
        out.printf("wrote %d instances on %d frames to %s%n", summary.totalInstances(), summary.totalFrames(), export.output);
        summary.streams().values().forEach(s -> {
            out.printf("  %s: %d frames, %d instances, %d overlays%s -> %s%n", s.streamId(), s.frames(), s.instances(),
                    s.overlays(), s.video() == null ? "" : ", " + s.video(), s.dir());
            out.printf("    %s%n", summary.stats().get(s.streamId()).describe());
            if (summary.truth().containsKey(s.streamId())) {
                out.printf("    %s%n", summary.truth().get(s.streamId()).describe());
            }
        });
        if (summary.deadLetters() != null) {
            out.printf("  dead letters: %s%n", summary.deadLetters().isEmpty() ? "none" : summary.deadLetters());
        }
        if (summary.duplicates() > 0 || summary.undecodable() > 0) {
            out.printf("  (%d records read again, %d undecodable records skipped)%n", summary.duplicates(),
                    summary.undecodable());
        }
        if (!summary.complete()) {
            out.printf("  stopped after %.0f s without new records, before the end of a topic%n", export.idleTimeoutSeconds);
        }
        report.finish(spec, RunReport.instances(summary), !summary.truth().isEmpty());
        return summary.totalFrames() > 0 ? 0 : 1;
    }
}
