package dev.alphaflow.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.junit.jupiter.api.Test;

import dev.alphaflow.schemas.Codec;
import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.DeadLetterReason;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.ObjectPrompt;
import dev.alphaflow.schemas.PromptAction;
import dev.alphaflow.schemas.ResetCause;

/**
 * Today's Frame schema and a next version with one more optional field read each other's records; dead letters
 * written before DeadLetterReason gained symbols stay readable, and older readers read the new symbols as OTHER.
 */
class SchemaEvolutionTest {

    /** Frame as it would look after adding an optional field: the evolution the project allows. */
    private static final Schema FRAME_V2 = withExtraOptionalField(Frame.getClassSchema());

    private static Schema withExtraOptionalField(Schema current) {
        String json = current.toString();
        String extra = "{\"name\":\"cameraModel\",\"type\":[\"null\",\"string\"],\"default\":null}";
        int end = json.lastIndexOf("]}"); // the fields array closes the top-level record
        return new Schema.Parser().parse(json.substring(0, end) + "," + extra + json.substring(end));
    }

    private static Frame sampleFrame() {
        return Frame.newBuilder()
                .setStreamId("cam-7")
                .setSeq(42)
                .setEventTimeMs(1_700_000_000_123L)
                .setCodec(Codec.PNG)
                .setWidth(64)
                .setHeight(48)
                .setPayload(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setControl(Control.NONE)
                .setPrompts(List.of(ObjectPrompt.newBuilder().setObjectId(1).setAction(PromptAction.ADD)
                        .setMask(ByteBuffer.wrap(new byte[] {9})).setLabel(null).build()))
                .setMetadata(Map.of("site", "north"))
                .build();
    }

    @Test
    void currentRecordsRoundTrip() {
        AvroCodec<Frame> codec = AvroCodec.of(Frame.class);
        Frame frame = sampleFrame();
        assertThat(codec.decode(codec.encode(frame))).isEqualTo(frame);
    }

    @Test
    void newerReaderReadsTodaysRecords() throws Exception {
        byte[] written = AvroCodec.of(Frame.class).encode(sampleFrame());

        SchemaStore.Cache store = new SchemaStore.Cache();
        store.addSchema(Frame.getClassSchema());
        BinaryMessageDecoder<GenericRecord> v2Reader = new BinaryMessageDecoder<>(GenericData.get(), FRAME_V2, store);
        GenericRecord read = v2Reader.decode(written);

        assertThat(read.get("streamId").toString()).isEqualTo("cam-7");
        assertThat(read.get("seq")).isEqualTo(42L);
        assertThat(read.get("cameraModel")).isNull();
        assertThat(((ByteBuffer) read.get("payload")).remaining()).isEqualTo(3);
    }

    @Test
    void todaysReaderReadsNewerRecords() throws Exception {
        GenericRecord v2 = new GenericData.Record(FRAME_V2);
        Frame base = sampleFrame();
        for (Schema.Field field : Frame.getClassSchema().getFields()) {
            v2.put(field.name(), GenericData.get().deepCopy(field.schema(), base.get(field.name())));
        }
        v2.put("cameraModel", "acme-4k");
        byte[] written = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), FRAME_V2).encode(v2).array();

        // Without the newer schema the reader cannot resolve the fingerprint and says so.
        assertThatThrownBy(() -> AvroCodec.of(Frame.class).decode(written))
                .isInstanceOf(AvroDecodeException.class)
                .hasMessageContaining("Frame");

        SchemaStore.Cache store = new SchemaStore.Cache();
        store.addSchema(FRAME_V2);
        Frame read = AvroCodec.of(Frame.class, store).decode(written);
        assertThat(read).isEqualTo(base);
    }

    @Test
    void garbageIsAClearError() {
        assertThatThrownBy(() -> AvroCodec.of(Frame.class).decode(new byte[] {(byte) 0xC3, 0x01, 5, 5}))
                .isInstanceOf(AvroDecodeException.class)
                .hasMessageContaining("cannot decode a Frame from 4 bytes");
    }

    /** DeadLetter as it was before INVALID_DIMENSIONS and FRAME_TOO_SMALL: the version kept in the history. */
    private static Schema deadLetterV1() throws Exception {
        try (var in = KnownSchemas.class.getClassLoader()
                .getResourceAsStream("dev/alphaflow/schemas/history/DeadLetter-v1.avsc")) {
            return new Schema.Parser().parse(in);
        }
    }

    private static GenericRecord deadLetterRecord(Schema schema, String reason) {
        GenericRecord record = new GenericData.Record(schema);
        record.put("stage", "decode");
        record.put("reason", new GenericData.EnumSymbol(schema.getField("reason").schema(), reason));
        record.put("message", "declared -5x10 is not a valid frame size");
        record.put("originalSize", 0);
        record.put("original", ByteBuffer.allocate(0));
        record.put("originalTruncated", false);
        record.put("rejectedAtMs", 1L);
        return record;
    }

    @Test
    void deadLettersWrittenBeforeTheNewReasonsStayReadable() throws Exception {
        Schema v1 = deadLetterV1();
        assertThat(SchemaNormalization.parsingFingerprint64(v1))
                .as("the history keeps the old version, not a copy of today's")
                .isNotEqualTo(SchemaNormalization.parsingFingerprint64(DeadLetter.getClassSchema()));
        byte[] written = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1)
                .encode(deadLetterRecord(v1, "DIMENSIONS_TOO_LARGE")).array();

        DeadLetter read = AvroCodec.of(DeadLetter.class).decode(written);

        assertThat(read.getReason()).isEqualTo(DeadLetterReason.DIMENSIONS_TOO_LARGE);
        assertThat(read.getMessage()).isEqualTo("declared -5x10 is not a valid frame size");
    }

    @Test
    void olderReadersReadTheNewReasonsAsOther() throws Exception {
        DeadLetter current = DeadLetter.newBuilder()
                .setStage("decode").setReason(DeadLetterReason.INVALID_DIMENSIONS).setMessage("declared -5x10")
                .setOriginalSize(0).setOriginal(ByteBuffer.allocate(0)).setOriginalTruncated(false)
                .setRejectedAtMs(1L).build();
        byte[] written = AvroCodec.of(DeadLetter.class).encode(current);

        SchemaStore.Cache store = new SchemaStore.Cache();
        store.addSchema(DeadLetter.getClassSchema()); // an old reader that learned the writer's schema
        GenericRecord read = new BinaryMessageDecoder<GenericRecord>(GenericData.get(), deadLetterV1(), store)
                .decode(written);

        assertThat(read.get("reason").toString()).isEqualTo("OTHER");
        assertThat(read.get("message").toString()).isEqualTo("declared -5x10");
    }

    @Test
    void aFrameWithANewerControlSymbolIsReadWithTheDefaultOnceItsSchemaIsKnown() throws Exception {
        Schema newer = new Schema.Parser().parse(Frame.getClassSchema().toString()
                .replace("\"symbols\":[\"NONE\",\"RESET\",\"END\"]", "\"symbols\":[\"NONE\",\"RESET\",\"END\",\"PAUSE\"]"));
        assertThat(newer.getField("control").schema().getEnumSymbols()).contains("PAUSE");
        GenericRecord v2 = new GenericData.Record(newer);
        Frame base = sampleFrame();
        for (Schema.Field field : newer.getFields()) {
            v2.put(field.name(), GenericData.get().deepCopy(field.schema(), toGeneric(field.schema(), base.get(field.name()))));
        }
        v2.put("control", new GenericData.EnumSymbol(newer.getField("control").schema(), "PAUSE"));
        byte[] written = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), newer).encode(v2).array();

        assertThatThrownBy(() -> AvroCodec.of(Frame.class).decode(written))
                .isInstanceOf(AvroDecodeException.class)
                .hasMessageContaining("fingerprint " + KafkaSchemaStore.key(KafkaSchemaStore.fingerprint(newer)));

        SchemaStore.Cache store = new SchemaStore.Cache();
        store.addSchema(newer);
        Frame read = AvroCodec.of(Frame.class, store).decode(written);
        assertThat(read.getControl()).as("the reader's default for a symbol it does not know").isEqualTo(Control.NONE);
        assertThat(read.getStreamId()).isEqualTo("cam-7");
        assertThat(read.getPrompts()).isEqualTo(base.getPrompts());
    }

    private static Schema history(String name) throws Exception {
        try (var in = KnownSchemas.class.getClassLoader()
                .getResourceAsStream("dev/alphaflow/schemas/history/" + name)) {
            return new Schema.Parser().parse(in);
        }
    }

    @Test
    void framesWrittenBeforeResetCauseStayReadableAndOldReadersSeeAPlainReset() throws Exception {
        Schema v1 = history("Frame-v1.avsc");
        assertThat(v1.getField("resetCause")).as("the history keeps the version without the field").isNull();
        GenericRecord old = new GenericData.Record(v1);
        Frame base = sampleFrame();
        for (Schema.Field field : v1.getFields()) {
            old.put(field.name(), GenericData.get().deepCopy(field.schema(), toGeneric(field.schema(), base.get(field.name()))));
        }
        old.put("control", new GenericData.EnumSymbol(v1.getField("control").schema(), "RESET"));
        byte[] written = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old).array();

        Frame read = AvroCodec.of(Frame.class).decode(written); // KnownSchemas resolves the old fingerprint
        assertThat(read.getControl()).isEqualTo(Control.RESET);
        assertThat(read.getResetCause()).isNull();

        Frame reconnected = Frame.newBuilder(base).setControl(Control.RESET)
                .setResetCause(ResetCause.SOURCE_RECONNECTED).build();
        SchemaStore.Cache store = new SchemaStore.Cache();
        store.addSchema(Frame.getClassSchema()); // an old job that looked the writer's schema up
        GenericRecord seenByOldJob = new BinaryMessageDecoder<GenericRecord>(GenericData.get(), v1, store)
                .decode(AvroCodec.of(Frame.class).encode(reconnected));
        assertThat(seenByOldJob.get("control").toString()).isEqualTo("RESET");
        assertThat(seenByOldJob.get("streamId").toString()).isEqualTo("cam-7");
    }

    /** Specific enums as generic symbols of {@code schema}, so the generic writer takes the value. */
    private static Object toGeneric(Schema schema, Object value) {
        if (value instanceof Enum<?> e) {
            return new GenericData.EnumSymbol(schema, e.name());
        }
        return value;
    }
}
