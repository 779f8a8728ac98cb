package dev.alphaflow.operators.decode;

import java.util.Arrays;
import java.util.Objects;

/**
 * One Kafka record of the frames topic exactly as the source read it: coordinates, timestamp and raw key/value.
 *
 * <p>The Kafka source emits this type so that deserialization can never fail; {@link FrameDecoder} turns it into a
 * {@link DecodedFrame} or a dead letter. A Flink POJO (public no-arg constructor, public fields).
 */
public class RawFrameRecord {

    public String topic;
    public int partition;
    public long offset;
    public long kafkaTimestampMs;
    /** Record key (the stream id in UTF-8), may be null. */
    public byte[] key;
    /** Record value (an Avro single-object-encoded {@code Frame}), may be null (tombstone). */
    public byte[] value;

    public RawFrameRecord() {}

    public RawFrameRecord(String topic, int partition, long offset, long kafkaTimestampMs, byte[] key, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.kafkaTimestampMs = kafkaTimestampMs;
        this.key = key;
        this.value = value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawFrameRecord other
                && partition == other.partition
                && offset == other.offset
                && kafkaTimestampMs == other.kafkaTimestampMs
                && Objects.equals(topic, other.topic)
                && Arrays.equals(key, other.key)
                && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset);
    }

    @Override
    public String toString() {
        return "RawFrameRecord{" + topic + "-" + partition + "@" + offset
                + ", value=" + (value == null ? "null" : value.length + " bytes") + "}";
    }
}
