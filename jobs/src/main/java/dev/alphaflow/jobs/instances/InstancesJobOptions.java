package dev.alphaflow.jobs.instances;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import dev.alphaflow.operators.instances.InstancesSpec;

/**
 * Options of the instance-segmentation job, beyond the ones it shares with the matting job
 * ({@code alphaflow.kafka.*}, {@code alphaflow.topics.frames} / {@code .dlq}, {@code alphaflow.delivery},
 * {@code alphaflow.model.dir}, {@code alphaflow.ort.*}, {@code alphaflow.decode.*}; see
 * {@link dev.alphaflow.jobs.matting.MattingJobOptions}) and the operator's {@code alphaflow.instances.*}
 * ({@link InstancesSpec#MODEL_ID}, {@link InstancesSpec#CLASSES}, {@link InstancesSpec#SCORE_THRESHOLD},
 * {@link InstancesSpec#NMS}, {@link InstancesSpec#IOU_THRESHOLD}, {@link InstancesSpec#MAX_INSTANCES}).
 *
 * <p>The consumer group and the sink's transactional-id prefix default to {@value #DEFAULT_GROUP_AND_PREFIX} for this
 * job (instead of the matting job's {@code alphaflow-matting}) when {@code alphaflow.kafka.group-id} /
 * {@code alphaflow.kafka.transactional-id-prefix} are not set, so both jobs can read the same frames topic and write
 * the same dead-letter topic side by side.
 */
public final class InstancesJobOptions {
    private InstancesJobOptions() {}

    /** Default topic of the {@code Instances} records. */
    public static final String DEFAULT_INSTANCES_TOPIC = "alphaflow.instances";

    /** Consumer group and transactional-id prefix of this job unless configured. */
    public static final String DEFAULT_GROUP_AND_PREFIX = "alphaflow-instances";

    public static final ConfigOption<String> INSTANCES_TOPIC = ConfigOptions.key("alphaflow.topics.instances")
            .stringType().defaultValue(DEFAULT_INSTANCES_TOPIC)
            .withDescription("Topic the Instances records are written to (key = stream id, seq in header alphaflow.seq).");
}
