package dev.alphaflow.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.junit.jupiter.api.Test;

import dev.alphaflow.schemas.Codec;
import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.ObjectPrompt;
import dev.alphaflow.schemas.PromptAction;

/** Today's Frame schema and a next version with one more optional field read each other's records. */
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
}
