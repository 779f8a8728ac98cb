package dev.alphaflow.operators.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Random;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import dev.alphaflow.model.flow.LumaFrame;

/** The flow job's previous frame: Flink's serializer contract, its size, and clear errors for bytes of another kind. */
class LumaFrameSerializerTest extends SerializerTestBase<LumaFrame> {

    @Override
    protected TypeSerializer<LumaFrame> createSerializer() {
        return LumaFrameSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<LumaFrame> getTypeClass() {
        return LumaFrame.class;
    }

    @Override
    protected LumaFrame[] getTestData() {
        return new LumaFrame[] {
            frame(0, 1, 1, 1),
            frame(7, 64, 48, 2),
            frame(Long.MAX_VALUE / 5, 427, 240, 3),
        };
    }

    private static LumaFrame frame(long seq, int w, int h, long seed) {
        byte[] luma = new byte[w * h];
        new Random(seed).nextBytes(luma);
        return new LumaFrame(seq, w, h, luma);
    }

    @Test
    void aFrameTakesItsLumaPlusAFewHeaderBytes() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(1024);
        LumaFrameSerializer.INSTANCE.serialize(frame(5, 427, 240, 1), out);
        assertThat(out.length()).isBetween(427 * 240, 427 * 240 + 8);
    }

    @Test
    void unknownFormatVersionAndCorruptSizesAreClearErrors() {
        assertThatThrownBy(() -> LumaFrameSerializer.INSTANCE.deserialize(new DataInputDeserializer(new byte[] {9, 0})))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("luma frame format version 9");
        // version 1, seq 0, width 0
        assertThatThrownBy(() -> LumaFrameSerializer.INSTANCE.deserialize(new DataInputDeserializer(new byte[] {1, 0, 0, 1})))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("side 0");
    }
}
