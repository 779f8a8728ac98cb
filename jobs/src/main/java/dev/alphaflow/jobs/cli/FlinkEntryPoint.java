package dev.alphaflow.jobs.cli;

import java.util.ArrayList;
import java.util.List;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import dev.alphaflow.jobs.AlphaflowJob;
import dev.alphaflow.jobs.CommonOptions;
import dev.alphaflow.jobs.FlinkArguments;
import dev.alphaflow.jobs.KafkaPreflight;
import dev.alphaflow.jobs.flow.FlowJob;
import dev.alphaflow.jobs.instances.InstancesJob;
import dev.alphaflow.jobs.matting.MattingJob;
import dev.alphaflow.jobs.segmentation.SegmentationJob;

/**
 * Main class for {@code flink run}, for any job: {@code --job matting|segment|instances|flow} (default matting), then the
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
        preflight(job);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        job.wire(env);
        env.execute("alphaflow " + job.identity().name());
    }

    /**
     * Checks, where the job is submitted (the JobManager for a REST submission, the client for {@code flink run}),
     * that Kafka answers, the topics exist and, on a secured cluster, that every ACL the job needs is granted: a
     * submission fails with the message instead of a job that restarts forever.
     */
    static void preflight(AlphaflowJob job) {
        Configuration conf = job.configuration();
        KafkaPreflight check = KafkaPreflight.forServers(conf.get(CommonOptions.BOOTSTRAP_SERVERS))
                .withClientProperties(clientProperties(conf))
                .withFix("-D " + CommonOptions.BOOTSTRAP_SERVERS.key() + "=HOST:PORT")
                .withConsumerGroup(job.identity().groupId(conf));
        if (conf.get(CommonOptions.DELIVERY) == CommonOptions.Delivery.EXACTLY_ONCE) {
            check = check.withTransactionalIdPrefix(job.identity().transactionalIdPrefix(conf));
        }
        check.check(List.of(conf.get(CommonOptions.FRAMES_TOPIC)),
                List.of(job.outputTopic(), conf.get(CommonOptions.DEAD_LETTER_TOPIC)));
    }

    private static java.util.Map<String, Object> clientProperties(Configuration conf) {
        java.util.Map<String, Object> props = new java.util.LinkedHashMap<>();
        CommonOptions.kafkaProperties(conf).forEach((k, v) -> props.put(k.toString(), v));
        return props;
    }

    /** The job named {@code name}, made (and checked) from {@code conf}. */
    public static AlphaflowJob job(String name, Configuration conf) {
        return switch (name) {
            case "matting" -> MattingJob.fromConfiguration(conf);
            case "segment", "segmentation" -> SegmentationJob.fromConfiguration(conf);
            case "instances" -> InstancesJob.fromConfiguration(conf);
            case "flow" -> FlowJob.fromConfiguration(conf);
            default -> throw new IllegalArgumentException("--job must be matting, segment, instances or flow, got '"
                    + name + "'");
        };
    }
}
