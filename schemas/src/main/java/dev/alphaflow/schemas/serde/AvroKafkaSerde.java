package dev.alphaflow.schemas.serde;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.avro.specific.SpecificRecord;

/** Kafka serializers and deserializers for alphaflow's Avro records (single-object encoding). */
public final class AvroKafkaSerde {
    private AvroKafkaSerde() {}

    public static <T extends SpecificRecord> Serializer<T> serializer(Class<T> recordClass) {
        // KafkaProducer.send() serializes on the caller's thread and one producer may be shared by
        // several threads, while a codec is not thread-safe: one codec per thread.
        ThreadLocal<AvroCodec<T>> codec = ThreadLocal.withInitial(() -> AvroCodec.of(recordClass));
        return (topic, record) -> record == null ? null : codec.get().encode(record);
    }

    public static <T extends SpecificRecord> Deserializer<T> deserializer(Class<T> recordClass) {
        // A consumer is single-threaded, so one codec per deserializer is enough.
        AvroCodec<T> codec = AvroCodec.of(recordClass);
        return (topic, bytes) -> bytes == null ? null : codec.decode(bytes);
    }
}
