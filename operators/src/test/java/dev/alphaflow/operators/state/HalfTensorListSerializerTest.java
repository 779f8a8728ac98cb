package dev.alphaflow.operators.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Random;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import dev.alphaflow.model.tensor.HalfTensor;

/** The shared fp16 tensor-list format: Flink's serializer contract plus edge shapes and chunking. */
class HalfTensorListSerializerTest extends SerializerTestBase<List<HalfTensor>> {

    @Override
    protected TypeSerializer<List<HalfTensor>> createSerializer() {
        return HalfTensorListSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    protected Class<List<HalfTensor>> getTypeClass() {
        return (Class) List.class;
    }

    @Override
    @SuppressWarnings("unchecked")
    protected List<HalfTensor>[] getTestData() {
        Random random = new Random(11);
        return new List[] {
            List.of(),
            List.of(HalfTensor.zeros()), // a scalar
            List.of(HalfTensor.zeros(0, 3), Tensors.random(random, 5)),
            List.of(Tensors.random(random, 2, 3, 4), Tensors.random(random, 1, 1, 200, 300)), // spans chunks
        };
    }

    @Test
    void largeDimensionsAndManyTensorsRoundTrip() throws IOException {
        Random random = new Random(5);
        List<HalfTensor> tensors = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            tensors.add(Tensors.random(random, 1, i % 7 + 1));
        }
        tensors.add(Tensors.random(random, 40_000, 1, 1)); // a dimension that needs a 3-byte varint

        DataOutputSerializer out = new DataOutputSerializer(64);
        HalfTensorListSerializer.writeTensors(tensors, out);
        List<HalfTensor> back = HalfTensorListSerializer.readTensors(new DataInputDeserializer(out.getCopyOfBuffer()));

        assertThat(back).isEqualTo(tensors);
        assertThat(HalfTensorListSerializer.serializedSize(tensors)).isEqualTo(out.length());
    }
}
