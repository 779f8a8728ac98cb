package dev.alphaflow.jobs.instances;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;

import dev.alphaflow.jobs.InvalidOptionException;
import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.model.ModelCards;
import dev.alphaflow.operators.instances.InstancesSpec;

/**
 * Options of the instance-segmentation job: its output topic here, the operator's {@code alphaflow.instances.*}
 * ({@link InstancesSpec#MODEL_ID}, {@link InstancesSpec#CLASSES}, {@link InstancesSpec#SCORE_THRESHOLD},
 * {@link InstancesSpec#NMS}, {@link InstancesSpec#IOU_THRESHOLD}, {@link InstancesSpec#MAX_INSTANCES}), and the ones
 * every job shares ({@link dev.alphaflow.jobs.CommonOptions}). The consumer group and transactional-id prefix default
 * to {@code alphaflow-instances} ({@link InstancesJob#IDENTITY}).
 */
public final class InstancesJobOptions {
    private InstancesJobOptions() {}

    /** Default topic of the {@code Instances} records. */
    public static final String DEFAULT_INSTANCES_TOPIC = KafkaDefaults.INSTANCES_TOPIC;

    public static final ConfigOption<String> INSTANCES_TOPIC = ConfigOptions.key("alphaflow.topics.instances")
            .stringType().defaultValue(DEFAULT_INSTANCES_TOPIC)
            .withDescription("Topic the Instances records are written to (key = stream id, seq in header alphaflow.seq).");

    /** Checks the {@code alphaflow.instances.*} values, naming the option (the class names are checked with the model). */
    public static void check(ReadableConfig conf) {
        try {
            ModelCards.byId(conf.get(InstancesSpec.MODEL_ID));
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException(InstancesSpec.MODEL_ID, e.getMessage());
        }
        float score = conf.get(InstancesSpec.SCORE_THRESHOLD);
        InvalidOptionException.check(score >= 0 && score < 1, InstancesSpec.SCORE_THRESHOLD,
                "must be in [0, 1), got %s", score);
        float iou = conf.get(InstancesSpec.IOU_THRESHOLD);
        InvalidOptionException.check(iou > 0 && iou <= 1, InstancesSpec.IOU_THRESHOLD, "must be in (0, 1], got %s", iou);
        int max = conf.get(InstancesSpec.MAX_INSTANCES);
        InvalidOptionException.check(max >= 1, InstancesSpec.MAX_INSTANCES, "must be at least 1, got %d", max);
        try {
            InstancesSpec.parseNms(conf.get(InstancesSpec.NMS));
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException(InstancesSpec.NMS, "must be 'nms' (class-aware NMS) or 'matrix' "
                    + "(matrix NMS), got '" + conf.get(InstancesSpec.NMS) + "'");
        }
    }
}
