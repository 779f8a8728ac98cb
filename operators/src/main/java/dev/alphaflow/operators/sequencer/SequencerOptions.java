package dev.alphaflow.operators.sequencer;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;

/**
 * How {@link FrameSequencer} decides gaps and idle streams.
 *
 * <pre>{@code
 * SequencerOptions options = SequencerOptions.builder()
 *     .maxGapFrames(10)
 *     .idleTimeout(Duration.ofMinutes(5))
 *     .build();
 * }</pre>
 */
public final class SequencerOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final ConfigOption<Integer> MAX_GAP_FRAMES = ConfigOptions.key("alphaflow.sequencer.max-gap-frames")
            .intType()
            .defaultValue(5)
            .withDescription("A frame whose seq is more than this many past the last one resets the stream's model "
                    + "memory (reason GAP). 1 resets on any missing frame.");

    public static final ConfigOption<Duration> IDLE_TIMEOUT = ConfigOptions.key("alphaflow.sequencer.idle-timeout")
            .durationType()
            .defaultValue(Duration.ofSeconds(60))
            .withDescription("Processing time without frames after which a stream ends (reason IDLE_TIMEOUT) and its "
                    + "state is cleared. A non-positive value disables the timeout.");

    private final int maxGapFrames;
    private final Duration idleTimeout;

    private SequencerOptions(Builder b) {
        this.maxGapFrames = b.maxGapFrames;
        this.idleTimeout = b.idleTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** maxGapFrames 5, idle timeout 60 s. */
    public static SequencerOptions defaults() {
        return builder().build();
    }

    /** Options from the {@code alphaflow.sequencer.*} keys, defaults for the ones not set. */
    public static SequencerOptions fromConfig(ReadableConfig config) {
        return builder().maxGapFrames(config.get(MAX_GAP_FRAMES)).idleTimeout(config.get(IDLE_TIMEOUT)).build();
    }

    public int maxGapFrames() {
        return maxGapFrames;
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    public boolean idleTimeoutEnabled() {
        return !idleTimeout.isZero() && !idleTimeout.isNegative();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SequencerOptions other
                && maxGapFrames == other.maxGapFrames
                && idleTimeout.equals(other.idleTimeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxGapFrames, idleTimeout);
    }

    @Override
    public String toString() {
        return "SequencerOptions{maxGapFrames=" + maxGapFrames + ", idleTimeout=" + idleTimeout + "}";
    }

    /** Builder for {@link SequencerOptions}; starts from the defaults. */
    public static final class Builder {
        private int maxGapFrames = MAX_GAP_FRAMES.defaultValue();
        private Duration idleTimeout = IDLE_TIMEOUT.defaultValue();

        private Builder() {}

        /** A jump to seq > lastSeq + maxGapFrames resets the stream; 1 resets on any missing frame. */
        public Builder maxGapFrames(int maxGapFrames) {
            this.maxGapFrames = maxGapFrames;
            return this;
        }

        /** Processing time without frames before a stream ends; zero or negative disables it. */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
            return this;
        }

        public SequencerOptions build() {
            sanityCheck();
            return new SequencerOptions(this);
        }

        private void sanityCheck() {
            if (maxGapFrames < 1) {
                throw new IllegalArgumentException("maxGapFrames must be at least 1, got " + maxGapFrames
                        + "; 1 resets the stream on any missing frame, larger values tolerate short gaps");
            }
            if (idleTimeoutEnabled(idleTimeout) && idleTimeout.toMillis() < 1) {
                throw new IllegalArgumentException("idleTimeout must be at least 1 ms, got " + idleTimeout
                        + "; use Duration.ZERO to disable it");
            }
        }

        private static boolean idleTimeoutEnabled(Duration d) {
            return !d.isZero() && !d.isNegative();
        }
    }
}
