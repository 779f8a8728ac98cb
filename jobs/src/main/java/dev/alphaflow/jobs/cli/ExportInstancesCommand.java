package dev.alphaflow.jobs.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.jobs.tools.InstancesExport;

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

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", required = true, description = "Output folder.")
    Path output;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "Stop when nothing new arrived for this many seconds (default: ${DEFAULT-VALUE}).")
    double idleTimeoutSeconds;

    @Option(names = "--stream", paramLabel = "ID", split = ",", description = "Export only these streams.")
    List<String> streams = new ArrayList<>();

    @Option(names = "--no-overlays", description = "JSON only: no overlay PNGs or video (the frames topic is not read).")
    boolean noOverlays;

    @Option(names = "--no-video", description = "Overlay PNGs but no overlay.mp4.")
    boolean noVideo;

    @Option(names = "--fps", paramLabel = "FPS",
            description = "Frame rate of overlay.mp4 (default: from the records' event times, else 24).")
    Double fps;

    @Option(names = {"-X", "--consumer-property"}, paramLabel = "KEY=VALUE",
            description = "A Kafka consumer setting (repeatable).")
    Map<String, String> consumerProperties = new LinkedHashMap<>();

    /** The export these arguments describe. */
    InstancesExport toExport() {
        InstancesExport.Builder b = InstancesExport.builder()
                .bootstrapServers(kafka.bootstrapServers())
                .instancesTopic(instancesTopic)
                .framesTopic(kafka.framesTopic())
                .outputDir(output)
                .idleTimeout(Duration.ofMillis(Math.round(idleTimeoutSeconds * 1000)))
                .streams(Set.copyOf(streams))
                .overlays(!noOverlays)
                .video(!noVideo);
        if (fps != null) {
            b.fps(fps);
        }
        kafka.clientProperties().forEach(b::consumerProperty);
        consumerProperties.forEach(b::consumerProperty);
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    @Override
    public Integer call() {
        InstancesExport export = toExport(); // flags are checked here, before Kafka is contacted
        kafka.preflight(List.of(instancesTopic), List.of());
        InstancesExport.Summary summary = export.run();
        var out = spec.commandLine().getOut();
        out.printf("wrote %d instances on %d frames to %s%n", summary.totalInstances(), summary.totalFrames(), output);
        summary.streams().values().forEach(s -> out.printf("  %s: %d frames, %d instances, %d overlays%s -> %s%n",
                s.streamId(), s.frames(), s.instances(), s.overlays(), s.video() == null ? "" : ", " + s.video(),
                s.dir()));
        if (summary.duplicates() > 0 || summary.undecodable() > 0) {
            out.printf("  (%d records read again, %d undecodable records skipped)%n", summary.duplicates(),
                    summary.undecodable());
        }
        if (!summary.complete()) {
            out.printf("  stopped after %.0f s without new records, before the end of a topic%n", idleTimeoutSeconds);
        }
        out.flush();
        return summary.totalFrames() > 0 ? 0 : 1;
    }
}
