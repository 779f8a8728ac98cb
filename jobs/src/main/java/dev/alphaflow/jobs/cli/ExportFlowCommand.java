package dev.alphaflow.jobs.cli;

import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.jobs.tools.FlowExport;

/** {@code alphaflow export-flow}: see {@link FlowExport}. */
@Command(name = "export-flow", mixinStandardHelpOptions = true,
        description = {"Write the flow topic as files: <out>/<stream>/<seq>.png, KITTI 16-bit flow PNGs (R = u*64 + "
                + "2^15, G = v*64 + 2^15, B = valid; the flow from the previous frame to frame <seq>), and "
                + "<out>/<stream>/<seq>_color.png, the flow in Middlebury's colour coding.",
                "A stream's first frame (and the first after a reset) has no flow and writes nothing."})
final class ExportFlowCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--flow-topic", paramLabel = "TOPIC", defaultValue = KafkaDefaults.FLOW_TOPIC,
            description = "Topic of OpticalFlow records (default: ${DEFAULT-VALUE}).")
    String flowTopic;

    @Mixin
    ExportOptions export;

    @Override
    public Integer call() {
        // The flags are checked here, before Kafka is contacted.
        FlowExport.Builder b = export.applyTo(FlowExport.builder(), kafka).flowTopic(flowTopic);
        FlowExport flowExport = ExportOptions.build(spec, b::build);
        kafka.preflight(List.of(flowTopic), List.of());
        FlowExport.Summary summary = flowExport.run();
        System.out.printf("wrote %d flow fields (KITTI PNG + colour PNG each) to %s%n", summary.totalFlows(),
                export.output);
        summary.flowsPerStream().forEach((id, n) -> System.out.printf("  %s: %d flow fields%n", id, n));
        System.out.printf("  %d frame(s) without a flow (first of a stream or after a reset)%n", summary.withoutFlow());
        if (summary.duplicates() > 0 || summary.undecodable() > 0 || summary.badFlowPngs() > 0) {
            System.out.printf("  (%d records read again, %d undecodable records and %d records without a KITTI PNG "
                    + "skipped)%n", summary.duplicates(), summary.undecodable(), summary.badFlowPngs());
        }
        return summary.totalFlows() > 0 ? 0 : 1;
    }
}
