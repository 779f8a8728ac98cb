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
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code alphaflow export-masks}: see {@link SegmentExport}. */
@Command(name = "export-masks", mixinStandardHelpOptions = true,
        description = "Write the segments topic as DAVIS-format masks: <out>/<stream>/<seq>.png, 8-bit indexed PNGs "
                + "with the DAVIS palette, pixel value = object id (read them with davis-eval or the DAVIS toolkit).")
final class ExportMasksCommand implements Callable<Integer> {

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

    @Option(names = {"-X", "--consumer-property"}, paramLabel = "KEY=VALUE",
            description = "A Kafka consumer setting (repeatable).")
    Map<String, String> consumerProperties = new LinkedHashMap<>();

    @Override
    public Integer call() {
        SegmentExport.Summary summary = new SegmentExport(kafka.bootstrapServers(), segmentsTopic, output,
                Duration.ofMillis(Math.round(idleTimeoutSeconds * 1000)), Set.copyOf(streams), consumerProperties)
                .run();
        System.out.printf("wrote %d masks to %s%n", summary.totalMasks(), output);
        summary.masksPerStream().forEach((id, n) -> System.out.printf("  %s: %d%n", id, n));
        if (summary.duplicates() > 0 || summary.undecodable() > 0) {
            System.out.printf("  (%d records read again, %d undecodable records skipped)%n", summary.duplicates(),
                    summary.undecodable());
        }
        return summary.totalMasks() > 0 ? 0 : 1;
    }
}
