package dev.alphaflow.schemas.serde;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.avro.specific.SpecificRecord;

/** Kafka serializers and deserializers for alphaflow's Avro records (single-object encoding). */
public final class AvroKafkaSerde {
    private AvroKafkaSerde() {}

    public static <T extends SpecificRecord> Serializer<T> serializer(Class<T> recordClass) {
        AvroCodec<T> codec = AvroCodec.of(recordClass);
        // Kafka calls a producer's serializer from the sending thread only; the codec is per producer.
        return (topic, record) -> record == null ? null : codec.encode(record);
    }

    public static <T extends SpecificRecord> Deserializer<T> deserializer(Class<T> recordClass) {
        AvroCodec<T> codec = AvroCodec.of(recordClass);
        return (topic, bytes) -> bytes == null ? null : codec.decode(bytes);
    }
}
