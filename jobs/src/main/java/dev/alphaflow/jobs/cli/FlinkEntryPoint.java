package dev.alphaflow.jobs.cli;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import dev.alphaflow.jobs.matting.KafkaWiring;

/**
 * Main class for {@code flink run}: builds the matting job on the cluster's environment. Job options
 * are program arguments of the form {@code key=value} (the keys of {@code MattingJobOptions},
 * {@code DecodeLimits} and {@code SequencerOptions}); checkpointing and state backend come from the
 * cluster's configuration or {@code flink run -D...}.
 *
 * <pre>
 * flink run -c dev.alphaflow.jobs.cli.FlinkEntryPoint alphaflow.jar \
 *     alphaflow.kafka.bootstrap-servers=kafka:9092 alphaflow.model.dir=/models
 * </pre>
 */
public final class FlinkEntryPoint {
    private FlinkEntryPoint() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got '" + arg
                        + "' (e.g. alphaflow.kafka.bootstrap-servers=kafka:9092)");
            }
            options.put(arg.substring(0, eq).replaceFirst("^--?", ""), arg.substring(eq + 1));
        }
        Configuration conf = Configuration.fromMap(options);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        KafkaWiring.wire(env, conf);
        env.execute("alphaflow matting");
    }
}
