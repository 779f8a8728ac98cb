package dev.alphaflow.jobs.flow;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;

import dev.alphaflow.jobs.InvalidOptionException;
import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.operators.flow.FlowSpec;

/**
 * Options of the optical-flow job: its output topic here, the operator's {@code alphaflow.flow.*}
 * ({@link FlowSpec#PRESET}, {@link FlowSpec#MAX_SIZE}), and the ones every job shares
 * ({@link dev.alphaflow.jobs.CommonOptions}, decode limits, sequencer). The consumer group and transactional-id prefix
 * default to {@code alphaflow-flow} ({@link FlowJob#IDENTITY}).
 */
public final class FlowJobOptions {
    private FlowJobOptions() {}

    public static final ConfigOption<String> FLOW_TOPIC = ConfigOptions.key("alphaflow.topics.flow")
            .stringType().defaultValue(KafkaDefaults.FLOW_TOPIC)
            .withDescription("Topic the OpticalFlow records (KITTI flow PNGs) are written to (key = stream id, seq in "
                    + "header alphaflow.seq).");

    /** Checks the {@code alphaflow.flow.*} values, naming the option, before anything starts. */
    public static void check(ReadableConfig conf) {
        InvalidOptionException.check(!conf.get(FLOW_TOPIC).isBlank(), FLOW_TOPIC, "is empty");
        try {
            FlowSpec.parsePreset(conf.get(FlowSpec.PRESET));
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException(FlowSpec.PRESET, e.getMessage());
        }
        int max = conf.get(FlowSpec.MAX_SIZE);
        InvalidOptionException.check(max == 0 || max >= FlowSpec.DIS_MIN_SIDE, FlowSpec.MAX_SIZE,
                "must be 0 (the frame's size) or at least %d px (DIS's smallest frame), got %d", FlowSpec.DIS_MIN_SIDE,
                max);
    }
}
