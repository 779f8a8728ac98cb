package dev.alphaflow.operators.flow;

import java.io.Serializable;
import java.util.Locale;
import java.util.Objects;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;

import dev.alphaflow.model.flow.DisFlowEstimator;
import dev.alphaflow.model.flow.DisPreset;
import dev.alphaflow.model.flow.FlowEstimator;
import dev.alphaflow.operators.decode.DecodeLimits;

/**
 * What the flow operator runs: OpenCV's DIS with a preset, at the frame's resolution or shrunk to a longest side, and
 * how much of a failed frame its dead letters keep. Serializable, so it travels with the job graph; the estimator is
 * made in each operator instance's {@code open}.
 *
 * <pre>{@code
 * FlowSpec spec = FlowSpec.builder().preset(DisPreset.MEDIUM).maxSide(512).build();
 * stream.process(new FlowFunction(spec), FlowFunction.OUTPUT_TYPE);
 * }</pre>
 */
public final class FlowSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The {@code estimator} of the records: OpenCV's Dense Inverse Search. */
    public static final String DIS = "opencv-dis";

    /** DIS refuses frames whose sides are both below this (OpenCV: "either width or height >= 12"). */
    public static final int DIS_MIN_SIDE = 12;

    public static final ConfigOption<String> PRESET = ConfigOptions.key("alphaflow.flow.preset")
            .stringType().defaultValue(DisPreset.DEFAULT.name())
            .withDescription("DIS preset: ultrafast, fast or medium (case-insensitive). FAST is the measured "
                    + "trade-off (BENCHMARKS.md, flow.*): within 1% of MEDIUM's mean error at a quarter of its time.");

    public static final ConfigOption<Integer> MAX_SIZE = ConfigOptions.key("alphaflow.flow.max-size")
            .intType().defaultValue(0)
            .withDescription("Longest side of the flow field in pixels: larger frames are shrunk to it (area "
                    + "interpolation, aspect kept) before the flow is estimated, and the flow is in pixels of that "
                    + "size. 0: the frame's own size. Otherwise at least " + DIS_MIN_SIDE + ".");

    /** Makes the estimator of one operator instance; the default makes {@link DisFlowEstimator}. */
    @FunctionalInterface
    public interface EstimatorFactory extends Serializable {
        FlowEstimator open(DisPreset preset);
    }

    private final DisPreset preset;
    private final int maxSide;
    private final int maxDeadLetterPayloadBytes;
    private final EstimatorFactory estimatorFactory;

    private FlowSpec(Builder b) {
        this.preset = b.preset;
        this.maxSide = b.maxSide;
        this.maxDeadLetterPayloadBytes = b.maxDeadLetterPayloadBytes;
        this.estimatorFactory = b.estimatorFactory;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The spec the {@link #PRESET} and {@link #MAX_SIZE} options and the decode limits' dead-letter bound describe.
     *
     * @throws IllegalArgumentException naming the option whose value cannot be used
     */
    public static FlowSpec fromConfig(ReadableConfig conf) {
        return builder()
                .preset(parsePreset(conf.get(PRESET)))
                .maxSide(conf.get(MAX_SIZE))
                .maxDeadLetterPayloadBytes(DecodeLimits.fromConfig(conf).maxDeadLetterPayloadBytes())
                .build();
    }

    /**
     * A DIS preset by name, case-insensitive.
     *
     * @throws IllegalArgumentException listing the presets when {@code name} is none of them
     */
    public static DisPreset parsePreset(String name) {
        Objects.requireNonNull(name, "name");
        try {
            return DisPreset.valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("must be one of ultrafast, fast, medium (DIS presets), got '" + name
                    + "'", e);
        }
    }

    public DisPreset preset() {
        return preset;
    }

    /** Longest side of the flow field; 0 for the frame's own size. */
    public int maxSide() {
        return maxSide;
    }

    public int maxDeadLetterPayloadBytes() {
        return maxDeadLetterPayloadBytes;
    }

    /** The estimator name written in every record ({@value #DIS}). */
    public String estimatorName() {
        return DIS;
    }

    /** A new estimator for one operator instance; the caller closes it. */
    public FlowEstimator openEstimator() {
        return Objects.requireNonNull(estimatorFactory.open(preset), "the estimator factory returned null");
    }

    @Override
    public String toString() {
        return "FlowSpec{" + DIS + " " + preset + (maxSide > 0 ? ", max side " + maxSide : "") + "}";
    }

    /** Builder with the defaults: {@link DisPreset#DEFAULT}, full resolution, 1 MiB of a failed frame kept. */
    public static final class Builder {
        private DisPreset preset = DisPreset.DEFAULT;
        private int maxSide;
        private int maxDeadLetterPayloadBytes = 1 << 20;
        private EstimatorFactory estimatorFactory = DisFlowEstimator::new;

        private Builder() {}

        public Builder preset(DisPreset preset) {
            this.preset = Objects.requireNonNull(preset, "preset");
            return this;
        }

        /** Longest side of the flow field (0: the frame's size, else at least {@value FlowSpec#DIS_MIN_SIDE}). */
        public Builder maxSide(int maxSide) {
            this.maxSide = maxSide;
            return this;
        }

        public Builder maxDeadLetterPayloadBytes(int bytes) {
            this.maxDeadLetterPayloadBytes = bytes;
            return this;
        }

        /** Another estimator of the same contract (tests use one that fails on demand). */
        public Builder estimatorFactory(EstimatorFactory factory) {
            this.estimatorFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        public FlowSpec build() {
            if (maxSide != 0 && maxSide < DIS_MIN_SIDE) {
                throw new IllegalArgumentException("max side must be 0 (the frame's size) or at least "
                        + DIS_MIN_SIDE + " (DIS's smallest frame), got " + maxSide);
            }
            if (maxDeadLetterPayloadBytes < 0) {
                throw new IllegalArgumentException("maxDeadLetterPayloadBytes must not be negative: "
                        + maxDeadLetterPayloadBytes);
            }
            return new FlowSpec(this);
        }
    }
}
