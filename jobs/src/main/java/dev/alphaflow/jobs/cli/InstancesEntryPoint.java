package dev.alphaflow.jobs.cli;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import dev.alphaflow.jobs.instances.InstancesJob;

/**
 * Main class for {@code flink run} of the instance-segmentation job, as {@link FlinkEntryPoint} is for the matting
 * job: program arguments {@code key=value} (the {@code alphaflow.*} keys), checkpointing and state backend from the
 * cluster's configuration.
 *
 * <pre>
 * flink run -c dev.alphaflow.jobs.cli.InstancesEntryPoint alphaflow.jar \
 *     alphaflow.kafka.bootstrap-servers=kafka:9092 alphaflow.model.dir=/models alphaflow.instances.classes=person
 * </pre>
 */
public final class InstancesEntryPoint {
    private InstancesEntryPoint() {}

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
        InstancesJob.wire(env, conf);
        env.execute("alphaflow instances");
    }
}
