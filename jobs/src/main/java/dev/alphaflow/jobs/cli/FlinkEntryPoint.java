package dev.alphaflow.jobs.cli;

import java.util.ArrayList;
import java.util.List;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import dev.alphaflow.jobs.AlphaflowJob;
import dev.alphaflow.jobs.FlinkArguments;
import dev.alphaflow.jobs.instances.InstancesJob;
import dev.alphaflow.jobs.matting.MattingJob;
import dev.alphaflow.jobs.segmentation.SegmentationJob;

/**
 * Main class for {@code flink run}, for any job: {@code --job matting|segment|instances} (default matting), then the
 * job options as {@code key=value} arguments (the {@code alphaflow.*} keys); checkpointing and state backend come
 * from the cluster's configuration or {@code flink run -D...}. Options are checked before the job is submitted.
 *
 * <pre>
 * flink run -c dev.alphaflow.jobs.cli.FlinkEntryPoint alphaflow.jar --job segment \
 *     alphaflow.kafka.bootstrap-servers=kafka:9092 alphaflow.model.dir=/models
 * </pre>
 */
public final class FlinkEntryPoint {
    private FlinkEntryPoint() {}

    public static void main(String[] args) throws Exception {
        String jobName = "matting";
        List<String> options = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--job") && i + 1 < args.length) {
                jobName = args[++i];
            } else if (args[i].startsWith("--job=")) {
                jobName = args[i].substring("--job=".length());
            } else {
                options.add(args[i]);
            }
        }
        AlphaflowJob job = job(jobName, FlinkArguments.parse(options));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        job.wire(env);
        env.execute("alphaflow " + job.identity().name());
    }

    /** The job named {@code name}, made (and checked) from {@code conf}. */
    public static AlphaflowJob job(String name, Configuration conf) {
        return switch (name) {
            case "matting" -> MattingJob.fromConfiguration(conf);
            case "segment", "segmentation" -> SegmentationJob.fromConfiguration(conf);
            case "instances" -> InstancesJob.fromConfiguration(conf);
            default -> throw new IllegalArgumentException("--job must be matting, segment or instances, got '" + name + "'");
        };
    }
}
