package dev.alphaflow.operators.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Random;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import dev.alphaflow.model.rvm.RecurrentState;
import dev.alphaflow.model.tensor.HalfTensor;

/** Flink's serializer contract (inherited tests) plus the format's size, versioning and snapshot. */
class RecurrentStateSerializerTest extends SerializerTestBase<RecurrentState> {

    @Override
    protected TypeSerializer<RecurrentState> createSerializer() {
        return RecurrentStateSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<RecurrentState> getTypeClass() {
        return RecurrentState.class;
    }

    @Override
    protected RecurrentState[] getTestData() {
        Random random = new Random(7);
        return new RecurrentState[] {
            RecurrentState.initial(),
            Tensors.rvmState(random, 16, 16),
            Tensors.rvmState(random, 80, 48),
            Tensors.rvmState(random, 33, 17),
        };
    }

    private static byte[] serialize(RecurrentState state) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        RecurrentStateSerializer.INSTANCE.serialize(state, out);
        return out.getCopyOfBuffer();
    }

    private static RecurrentState deserialize(byte[] bytes) throws IOException {
        return RecurrentStateSerializer.INSTANCE.deserialize(new DataInputDeserializer(bytes));
    }

    @Test
    void aRealisticStateRoundTripsAtItsFp16Size() throws IOException {
        // RVM at 1080x1920 portrait with ratio 0.25: the downsampled frame is 270x480.
        Random random = new Random(1);
        RecurrentState state = RecurrentState.of(
                Tensors.random(random, 1, 16, 135, 240),
                Tensors.random(random, 1, 20, 68, 120),
                Tensors.random(random, 1, 40, 34, 60),
                Tensors.random(random, 1, 64, 17, 30));

        byte[] bytes = serialize(state);

        assertThat(deserialize(bytes)).isEqualTo(state);
        assertThat(state.byteSize()).isEqualTo(2L * (16 * 135 * 240 + 20 * 68 * 120 + 40 * 34 * 60 + 64 * 17 * 30));
        assertThat((double) bytes.length / state.byteSize()).isLessThanOrEqualTo(1.01);
        assertThat(bytes.length - state.byteSize()).as("header bytes").isLessThan(64);
        assertThat(RecurrentStateSerializer.serializedSize(state)).isEqualTo(bytes.length);
    }

    @Test
    void copyReturnsAnEqualState() {
        RecurrentState state = Tensors.rvmState(new Random(3), 64, 48);
        assertThat(RecurrentStateSerializer.INSTANCE.copy(state)).isEqualTo(state);
        assertThat(RecurrentStateSerializer.INSTANCE.copy(state, RecurrentState.initial())).isEqualTo(state);
    }

    @Test
    void valuesAreWrittenLittleEndianAfterAShortHeader() throws IOException {
        HalfTensor one = HalfTensor.fromFloats(new long[] {1, 1, 1, 1}, new float[] {1f}); // fp16 1.0 = 0x3C00
        byte[] bytes = serialize(RecurrentState.of(one, one, one, one));

        // version, count, then per tensor: rank, 4 one-byte dims, 2 value bytes
        assertThat(bytes).hasSize(2 + 4 * (1 + 4 + 2));
        assertThat(bytes[0]).isEqualTo((byte) HalfTensorListSerializer.FORMAT_VERSION);
        assertThat(bytes[1]).isEqualTo((byte) 4);
        assertThat(new byte[] {bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8]})
                .containsExactly(4, 1, 1, 1, 1, 0x00, 0x3C);
    }

    @Test
    void aNewerFormatIsAClearError() throws IOException {
        byte[] bytes = serialize(RecurrentState.initial());
        bytes[0] = 9;
        assertThatThrownBy(() -> deserialize(bytes))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("unknown fp16 tensor format version 9");
    }

    @Test
    void aStateThatIsNotRvmShapedIsAClearError() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        HalfTensorListSerializer.writeTensors(java.util.List.of(HalfTensor.zeros(2, 2)), out);
        assertThatThrownBy(() -> deserialize(out.getCopyOfBuffer()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("corrupt RVM recurrent state");
    }

    @Test
    void snapshotRoundTripsAndIsCompatibleWithItself() throws IOException {
        TypeSerializerSnapshot<RecurrentState> snapshot = RecurrentStateSerializer.INSTANCE.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);

        TypeSerializerSnapshot<RecurrentState> restored = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());

        assertThat(restored).isInstanceOf(RecurrentStateSerializerSnapshot.class);
        assertThat(((RecurrentStateSerializerSnapshot) restored).formatVersion())
                .isEqualTo(HalfTensorListSerializer.FORMAT_VERSION);
        assertThat(restored.restoreSerializer()).isSameAs(RecurrentStateSerializer.INSTANCE);
        TypeSerializerSchemaCompatibility<RecurrentState> compatibility =
                RecurrentStateSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(restored);
        assertThat(compatibility.isCompatibleAsIs()).isTrue();
    }

    @Test
    void theSnapshotAcceptsExactlyTheFormatsTheSerializerReads() throws IOException {
        // A snapshot that accepts a format its serializer then refuses on read fails the restore half-way.
        RecurrentStateSerializerSnapshot current = new RecurrentStateSerializerSnapshot();
        byte[] record = serialize(Tensors.rvmState(new Random(3), 16, 16));
        for (int version = 0; version <= HalfTensorListSerializer.FORMAT_VERSION + 1; version++) {
            byte[] inVersion = record.clone();
            inVersion[0] = (byte) version; // the tensor format version is the record's first byte
            boolean reads = readsWithoutAVersionError(inVersion);
            TypeSerializerSchemaCompatibility<RecurrentState> compatibility =
                    current.resolveSchemaCompatibility(snapshotOfFormat(version));
            assertThat(compatibility.isIncompatible()).as("format %d, read: %s", version, reads).isEqualTo(!reads);
            assertThat(compatibility.isCompatibleAsIs()).isEqualTo(version == HalfTensorListSerializer.FORMAT_VERSION);
        }
        assertThat(current.resolveSchemaCompatibility(snapshotOfFormat(0)).isIncompatible())
                .as("no reader for format 0").isTrue();
    }

    private static boolean readsWithoutAVersionError(byte[] bytes) {
        try {
            deserialize(bytes);
            return true;
        } catch (IOException e) {
            assertThat(e).hasMessageContaining("format version");
            return false;
        }
    }

    private static RecurrentStateSerializerSnapshot snapshotOfFormat(int formatVersion) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(8);
        out.writeInt(formatVersion);
        RecurrentStateSerializerSnapshot snapshot = new RecurrentStateSerializerSnapshot();
        snapshot.readSnapshot(snapshot.getCurrentVersion(), new DataInputDeserializer(out.getCopyOfBuffer()),
                RecurrentStateSerializerTest.class.getClassLoader());
        return snapshot;
    }

    @Test
    void anotherSerializersSnapshotIsIncompatible() {
        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeSerializerSnapshot<RecurrentState> other = (TypeSerializerSnapshot) new HalfTensorListSerializer.Snapshot();
        assertThat(RecurrentStateSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(other)
                .isIncompatible()).isTrue();
    }

    @Test
    void typeInfoCreatesTheDedicatedSerializer() {
        assertThat(RecurrentStateTypeInfo.INSTANCE.createSerializer(new SerializerConfigImpl()))
                .isSameAs(RecurrentStateSerializer.INSTANCE);
        assertThat(RecurrentStateTypeInfo.INSTANCE.getTypeClass()).isEqualTo(RecurrentState.class);
        assertThat(RecurrentStateTypeInfo.INSTANCE).isEqualTo(new RecurrentStateTypeInfo());
    }
}
