package dev.alphaflow.operators.decode;

import java.io.Serializable;
import java.util.Objects;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Bounds that {@link FrameDecoder} enforces before it spends memory on a frame.
 *
 * <pre>{@code
 * DecodeLimits limits = DecodeLimits.builder()
 *     .maxWidth(1920).maxHeight(1080)
 *     .maxPayloadBytes(8 << 20)
 *     .build();
 * }</pre>
 */
public final class DecodeLimits implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final ConfigOption<Integer> MAX_WIDTH = ConfigOptions.key("alphaflow.decode.max-width")
            .intType()
            .defaultValue(7680)
            .withDescription("Largest frame width in pixels, declared or in the image header; wider frames go to the DLQ.");

    public static final ConfigOption<Integer> MAX_HEIGHT = ConfigOptions.key("alphaflow.decode.max-height")
            .intType()
            .defaultValue(4320)
            .withDescription("Largest frame height in pixels, declared or in the image header; taller frames go to the DLQ.");

    public static final ConfigOption<MemorySize> MAX_PAYLOAD = ConfigOptions.key("alphaflow.decode.max-payload")
            .memoryType()
            .defaultValue(MemorySize.parse("32mb"))
            .withDescription("Largest Kafka record value; larger records go to the DLQ without being parsed.");

    public static final ConfigOption<MemorySize> MAX_DEAD_LETTER_PAYLOAD =
            ConfigOptions.key("alphaflow.decode.max-dead-letter-payload")
                    .memoryType()
                    .defaultValue(MemorySize.parse("1mb"))
                    .withDescription("How much of a rejected record value a dead letter keeps; the rest is cut off "
                            + "and the dead letter says so. 0 keeps nothing.");

    private final int maxWidth;
    private final int maxHeight;
    private final int maxPayloadBytes;
    private final int maxDeadLetterPayloadBytes;

    private DecodeLimits(Builder b) {
        this.maxWidth = b.maxWidth;
        this.maxHeight = b.maxHeight;
        this.maxPayloadBytes = b.maxPayloadBytes;
        this.maxDeadLetterPayloadBytes = b.maxDeadLetterPayloadBytes;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** 7680x4320, 32 MiB payloads, 1 MiB kept in dead letters. */
    public static DecodeLimits defaults() {
        return builder().build();
    }

    /** Limits from the {@code alphaflow.decode.*} options, defaults for the ones not set. */
    public static DecodeLimits fromConfig(ReadableConfig config) {
        return builder()
                .maxWidth(config.get(MAX_WIDTH))
                .maxHeight(config.get(MAX_HEIGHT))
                .maxPayloadBytes(toIntBytes(MAX_PAYLOAD, config.get(MAX_PAYLOAD)))
                .maxDeadLetterPayloadBytes(toIntBytes(MAX_DEAD_LETTER_PAYLOAD, config.get(MAX_DEAD_LETTER_PAYLOAD)))
                .build();
    }

    private static int toIntBytes(ConfigOption<MemorySize> option, MemorySize size) {
        if (size.getBytes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(option.key() + " must be below 2 GiB, got " + size.toHumanReadableString());
        }
        return (int) size.getBytes();
    }

    public int maxWidth() {
        return maxWidth;
    }

    public int maxHeight() {
        return maxHeight;
    }

    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    public int maxDeadLetterPayloadBytes() {
        return maxDeadLetterPayloadBytes;
    }

    /** True when both sides are positive and within the limits. */
    boolean allows(int width, int height) {
        return width > 0 && height > 0 && width <= maxWidth && height <= maxHeight;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DecodeLimits other
                && maxWidth == other.maxWidth
                && maxHeight == other.maxHeight
                && maxPayloadBytes == other.maxPayloadBytes
                && maxDeadLetterPayloadBytes == other.maxDeadLetterPayloadBytes;
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxWidth, maxHeight, maxPayloadBytes, maxDeadLetterPayloadBytes);
    }

    @Override
    public String toString() {
        return "DecodeLimits{" + maxWidth + "x" + maxHeight + ", maxPayloadBytes=" + maxPayloadBytes
                + ", maxDeadLetterPayloadBytes=" + maxDeadLetterPayloadBytes + "}";
    }

    /** Builder for {@link DecodeLimits}; starts from the defaults. */
    public static final class Builder {
        private int maxWidth = MAX_WIDTH.defaultValue();
        private int maxHeight = MAX_HEIGHT.defaultValue();
        private int maxPayloadBytes = (int) MAX_PAYLOAD.defaultValue().getBytes();
        private int maxDeadLetterPayloadBytes = (int) MAX_DEAD_LETTER_PAYLOAD.defaultValue().getBytes();

        private Builder() {}

        public Builder maxWidth(int maxWidth) {
            this.maxWidth = maxWidth;
            return this;
        }

        public Builder maxHeight(int maxHeight) {
            this.maxHeight = maxHeight;
            return this;
        }

        /** Largest record value in bytes; checked before the record is parsed. */
        public Builder maxPayloadBytes(int maxPayloadBytes) {
            this.maxPayloadBytes = maxPayloadBytes;
            return this;
        }

        /** How many bytes of a rejected value a dead letter keeps; 0 keeps nothing. */
        public Builder maxDeadLetterPayloadBytes(int maxDeadLetterPayloadBytes) {
            this.maxDeadLetterPayloadBytes = maxDeadLetterPayloadBytes;
            return this;
        }

        public DecodeLimits build() {
            sanityCheck();
            return new DecodeLimits(this);
        }

        private void sanityCheck() {
            if (maxWidth <= 0 || maxHeight <= 0) {
                throw new IllegalArgumentException(String.format(
                        "maxWidth and maxHeight must be positive, got %dx%d; set them to the largest frame to accept, "
                                + "e.g. 7680x4320", maxWidth, maxHeight));
            }
            if (maxPayloadBytes <= 0) {
                throw new IllegalArgumentException(
                        "maxPayloadBytes must be positive, got " + maxPayloadBytes + "; e.g. 33554432 for 32 MiB");
            }
            if (maxDeadLetterPayloadBytes < 0) {
                throw new IllegalArgumentException("maxDeadLetterPayloadBytes must not be negative, got "
                        + maxDeadLetterPayloadBytes + "; use 0 to keep no payload in dead letters");
            }
        }
    }
}
