package dev.alphaflow.operators.state;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.Random;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.junit.jupiter.api.Test;

import dev.alphaflow.model.vos.FrameMemory;

/** The previous-frame VOS memory: Flink's serializer contract, and a clear error for bytes of another format. */
class FrameMemorySerializerTest extends SerializerTestBase<FrameMemory> {

    @Override
    protected TypeSerializer<FrameMemory> createSerializer() {
        return FrameMemorySerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<FrameMemory> getTypeClass() {
        return FrameMemory.class;
    }

    @Override
    protected FrameMemory[] getTestData() {
        Random random = new Random(3);
        return new FrameMemory[] {
            new FrameMemory(0, List.of()),
            new FrameMemory(1, List.of(Tensors.random(random, 60, 107, 8))),
            new FrameMemory(Long.MAX_VALUE / 3,
                    List.of(Tensors.random(random, 6420, 128), Tensors.random(random, 2, 6420))),
        };
    }

    @Test
    void unknownFormatVersionIsAClearError() {
        DataInputDeserializer in = new DataInputDeserializer(new byte[] {9, 0, 0});
        assertThatThrownBy(() -> FrameMemorySerializer.INSTANCE.deserialize(in))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("frame memory format version 9");
    }
}
