package dev.alphaflow.jobs.cli;

import java.util.concurrent.Callable;

import org.apache.flink.configuration.Configuration;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.jobs.flow.FlowJob;
import dev.alphaflow.jobs.flow.FlowJobOptions;
import dev.alphaflow.operators.flow.FlowSpec;

/**
 * {@code alphaflow flow}: the optical-flow job (OpenCV DIS) on a local Flink MiniCluster against any Kafka cluster.
 * Keyed by stream, so it runs beside the other jobs on the same frames topic (its own consumer group and
 * transactional ids). On a Flink cluster: {@code flink run -c dev.alphaflow.jobs.cli.FlinkEntryPoint alphaflow.jar
 * --job flow}.
 */
@Command(name = "flow", mixinStandardHelpOptions = true,
        description = "Run the optical-flow job: frames topic -> decode -> sequencer -> DIS flow from each stream's "
                + "previous frame -> flow topic (KITTI 16-bit PNGs; + DLQ).")
final class FlowCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Mixin
    EngineOptions engine;

    @Mixin
    LocalRunOptions local;

    @Option(names = "--flow-topic", paramLabel = "TOPIC", defaultValue = KafkaDefaults.FLOW_TOPIC,
            description = "Topic the OpticalFlow records are written to (default: ${DEFAULT-VALUE}).")
    String flowTopic;

    @Option(names = "--preset", paramLabel = "PRESET", defaultValue = "fast",
            description = "DIS preset: ultrafast, fast or medium (default: ${DEFAULT-VALUE}; BENCHMARKS.md flow.*).")
    String preset;

    @Option(names = "--max-size", paramLabel = "PX", defaultValue = "0",
            description = "Shrink frames whose longer side is above PX before estimating (the flow is then in pixels "
                    + "of the shrunk size); 0 = full size (default: ${DEFAULT-VALUE}).")
    int maxSize;

    /** The job configuration these flags describe (named flags first, then every -D). */
    Configuration toConfiguration() {
        Configuration conf = new Configuration();
        kafka.applyTo(conf);
        conf.set(FlowJobOptions.FLOW_TOPIC, flowTopic);
        conf.set(FlowSpec.PRESET, preset);
        conf.set(FlowSpec.MAX_SIZE, maxSize);
        engine.applyTo(conf);
        local.applyTo(conf);
        engine.applyExtra(conf);
        return conf;
    }

    @Override
    public Integer call() throws Exception {
        Configuration conf = toConfiguration();
        FlowJob job = FlowJob.fromConfiguration(conf); // bad options fail here, before anything starts
        local.run(job, kafka, engine);
        return 0;
    }
}
