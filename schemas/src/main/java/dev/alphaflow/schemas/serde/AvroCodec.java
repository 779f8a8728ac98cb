package dev.alphaflow.schemas.serde;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes and decodes one Avro record class with Avro single-object encoding: two marker bytes, the
 * writer schema's 64-bit Rabin fingerprint, then the binary body. A reader resolves the writer's
 * schema by that fingerprint, first among the schemas it knows ({@link KnownSchemas}), so records
 * written by an older or newer version of a schema are read with Avro's schema-resolution rules.
 *
 * <p>Serializable so Flink functions can carry it; the Avro encoder and decoder are rebuilt lazily
 * after deserialization. Not thread-safe: use one instance per thread (one per operator instance).
 *
 * <pre>{@code
 * AvroCodec<Frame> codec = AvroCodec.of(Frame.class);
 * byte[] bytes = codec.encode(frame);
 * Frame back = codec.decode(bytes);
 * }</pre>
 */
public final class AvroCodec<T extends SpecificRecord> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Class<T> recordClass;
    private transient SchemaStore schemaStore;
    private transient BinaryMessageEncoder<T> encoder;
    private transient BinaryMessageDecoder<T> decoder;

    private AvroCodec(Class<T> recordClass, SchemaStore schemaStore) {
        this.recordClass = Objects.requireNonNull(recordClass, "recordClass");
        this.schemaStore = schemaStore;
    }

    /** A codec that resolves writer schemas among {@link KnownSchemas#store()}. */
    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> recordClass) {
        return new AvroCodec<>(recordClass, null);
    }

    /** A codec that resolves writer schemas among the given store (for tests and schema registries). */
    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> recordClass, SchemaStore schemaStore) {
        return new AvroCodec<>(recordClass, Objects.requireNonNull(schemaStore, "schemaStore"));
    }

    public Class<T> recordClass() {
        return recordClass;
    }

    public Schema schema() {
        return SpecificData.get().getSchema(recordClass);
    }

    public byte[] encode(T record) {
        try {
            ByteBuffer buffer = encoder().encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + recordClass.getSimpleName(), e);
        }
    }

    /**
     * Decodes one record.
     *
     * @throws AvroDecodeException when the bytes are not single-object encoded, the writer schema's
     *     fingerprint is unknown, or the body is truncated or corrupt
     */
    public T decode(byte[] bytes) {
        if (bytes == null) {
            throw new AvroDecodeException("null record value; expected a " + recordClass.getSimpleName());
        }
        try {
            return decoder().decode(bytes);
        } catch (MissingSchemaException e) {
            throw new AvroDecodeException(String.format(
                    "cannot decode a %s from %d bytes: its writer schema (fingerprint %s) is unknown to this reader "
                            + "and not in %s; the producer must register its schema before writing",
                    recordClass.getSimpleName(), bytes.length, KafkaSchemaStore.key(fingerprintOf(bytes)),
                    storeDescription()), e);
        } catch (IOException | RuntimeException e) {
            throw new AvroDecodeException(
                    "cannot decode a " + recordClass.getSimpleName() + " from " + bytes.length + " bytes: " + e.getMessage(), e);
        }
    }

    /** The writer fingerprint of a single-object-encoded record: 8 little-endian bytes after the 2-byte marker. */
    private static long fingerprintOf(byte[] bytes) {
        return ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private String storeDescription() {
        return schemaStore == null ? "the schemas this build knows" : schemaStore.toString();
    }

    private BinaryMessageEncoder<T> encoder() {
        if (encoder == null) {
            encoder = new BinaryMessageEncoder<>(SpecificData.getForClass(recordClass), schema());
        }
        return encoder;
    }

    private BinaryMessageDecoder<T> decoder() {
        if (decoder == null) {
            SchemaStore store = schemaStore != null ? schemaStore : KnownSchemas.store();
            decoder = new BinaryMessageDecoder<>(SpecificData.getForClass(recordClass), schema(), store);
        }
        return decoder;
    }
}
