package dev.alphaflow.operators.state;

import static dev.alphaflow.operators.state.Banks.assertSameBank;
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
import org.apache.flink.testutils.DeeplyEqualsChecker;
import org.junit.jupiter.api.Test;

import dev.alphaflow.model.vos.FeatureBank;
import dev.alphaflow.model.vos.FeatureBankConfig;
import dev.alphaflow.model.vos.ReadoutKernel;

/** Flink's serializer contract (inherited tests) plus size, lossless behaviour, versioning and snapshot. */
class FeatureBankSerializerTest extends SerializerTestBase<FeatureBank> {

    private static final FeatureBankConfig SMALL = FeatureBankConfig.builder()
            .budget(40)
            .thresClose(0.5f)
            .updateRate(0.25f)
            .valueMerge(FeatureBankConfig.ValueMerge.WEIGHTED_AVERAGE)
            .readoutKernel(ReadoutKernel.JAVA)
            .build();

    FeatureBankSerializerTest() {
        // FeatureBank has identity equality; compare contents bit for bit
        super(new DeeplyEqualsChecker().withCustomCheck(
                (a, b) -> a instanceof FeatureBank && b instanceof FeatureBank,
                (a, b, checker) -> Banks.sameBank((FeatureBank) a, (FeatureBank) b)));
    }

    @Override
    protected TypeSerializer<FeatureBank> createSerializer() {
        return FeatureBankSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<FeatureBank> getTypeClass() {
        return FeatureBank.class;
    }

    @Override
    protected FeatureBank[] getTestData() {
        Random random = new Random(7);
        return new FeatureBank[] {
            new FeatureBank(1, 1, FeatureBankConfig.defaults()),
            new FeatureBank(64, 2, SMALL), // empty, but its dimensions and config must survive
            Banks.random(random, 4, 3, SMALL, 12, 9),
            Banks.random(random, 16, 2, FeatureBankConfig.defaults(), 5, 30),
            Banks.random(random, 8, 1, SMALL.toBuilder().evictionEnabled(false).thresClose(1f).build(), 4, 20),
        };
    }


    private static byte[] serialize(FeatureBank bank) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        FeatureBankSerializer.INSTANCE.serialize(bank, out);
        return out.getCopyOfBuffer();
    }

    private static FeatureBank deserialize(byte[] bytes) throws IOException {
        return FeatureBankSerializer.INSTANCE.deserialize(new DataInputDeserializer(bytes));
    }

    @Test
    void aRestoredBankAbsorbsAndReadsExactlyLikeTheOriginal() throws IOException {
        Random random = new Random(11);
        FeatureBankConfig config = SMALL.toBuilder().thresClose(0.9f).build();
        FeatureBank original = Banks.random(random, 8, 2, config, 10, 12);
        FeatureBank restored = deserialize(serialize(original));
        assertSameBank("restored", original, restored);

        // Same inputs to both from here on: merges, appends, evictions and usage counts must stay identical.
        long seed = random.nextLong();
        Random a = new Random(seed);
        Random b = new Random(seed);
        for (int t = 10; t < 30; t++) {
            float[] expected = Banks.step(original, a, t, 12);
            float[] actual = Banks.step(restored, b, t, 12);
            assertThat(actual).as("readout of frame " + t).containsExactly(expected);
        }
        assertThat(original.size()).isEqualTo(config.budget()); // eviction happened on the way
        assertSameBank("after 20 more frames", original, restored);
    }

    @Test
    void copyIsDeep() {
        Random random = new Random(5);
        FeatureBank original = Banks.random(random, 4, 2, SMALL, 3, 6);
        FeatureBank copy = FeatureBankSerializer.INSTANCE.copy(original);
        Banks.step(copy, random, 3, 6);
        assertThat(copy.keys()).isNotEqualTo(original.keys());
        assertThat(original.size()).isEqualTo(FeatureBankSerializer.INSTANCE.copy(original).size());
    }

    @Test
    void aLargeBankCostsItsFp16BytesPlusASmallHeader() throws IOException {
        int entries = 2000;
        int d = 64;
        int v = 2;
        FeatureBankConfig config = SMALL.toBuilder().budget(entries).thresClose(1f).build();
        FeatureBank bank = Banks.random(new Random(3), d, v, config, 4, entries / 2);
        assertThat(bank.size()).isEqualTo(entries);

        byte[] bytes = serialize(bank);

        long payload = (long) entries * ((d + v) * 2 + 12);
        assertThat(bank.stateBytes()).isEqualTo(payload);
        assertThat((double) bytes.length / payload).isLessThanOrEqualTo(1.05);
        assertThat(bytes.length - payload).as("header bytes").isLessThan(80);
        assertThat(FeatureBankSerializer.serializedSize(bank)).isEqualTo(bytes.length);
        assertSameBank("large bank", bank, deserialize(bytes));
    }

    @Test
    void theConfigTravelsWithTheBank() throws IOException {
        FeatureBankConfig config = FeatureBankConfig.builder()
                .thresClose(0.81f)
                .updateRate(0.33f)
                .budget(123)
                .usageThreshold(2e-3f)
                .evictionEnabled(false)
                .valueMerge(FeatureBankConfig.ValueMerge.KEEP_MAGNITUDE)
                .readoutKernel(ReadoutKernel.ONNX)
                .build();
        FeatureBank restored = deserialize(serialize(new FeatureBank(5, 3, config)));
        assertThat(restored.config()).isEqualTo(config);
        assertThat(restored.keyDim()).isEqualTo(5);
        assertThat(restored.valueDim()).isEqualTo(3);
        assertThat(restored.isEmpty()).isTrue();
    }

    @Test
    void aNewerFormatIsAClearError() throws IOException {
        byte[] bytes = serialize(new FeatureBank(2, 1, SMALL));
        bytes[0] = 9;
        assertThatThrownBy(() -> deserialize(bytes))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("unknown feature bank format version 9");
    }

    @Test
    void bytesThatAreNotABankAreAClearError() throws IOException {
        byte[] bytes = serialize(Banks.random(new Random(1), 2, 1, SMALL, 1, 3));
        byte[] unknownEnum = bytes.clone();
        int merge = indexOf(unknownEnum, "WEIGHTED_AVERAGE".getBytes());
        unknownEnum[merge] = 'X';
        assertThatThrownBy(() -> deserialize(unknownEnum))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("corrupt feature bank config");

        DataOutputSerializer out = new DataOutputSerializer(64);
        out.write(bytes, 0, merge + "WEIGHTED_AVERAGE".length() + 2 + "JAVA".length()); // header up to the tensors
        HalfTensorListSerializer.writeTensors(java.util.List.of(dev.alphaflow.model.tensor.HalfTensor.zeros(2, 2)), out);
        assertThatThrownBy(() -> deserialize(out.getCopyOfBuffer()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("corrupt feature bank state");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    @Test
    void snapshotRoundTripsAndIsCompatibleWithItself() throws IOException {
        TypeSerializerSnapshot<FeatureBank> snapshot = FeatureBankSerializer.INSTANCE.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);

        TypeSerializerSnapshot<FeatureBank> restored = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());

        assertThat(restored).isInstanceOf(FeatureBankSerializerSnapshot.class);
        assertThat(((FeatureBankSerializerSnapshot) restored).formatVersion())
                .isEqualTo(FeatureBankSerializer.FORMAT_VERSION);
        assertThat(((FeatureBankSerializerSnapshot) restored).tensorFormatVersion())
                .isEqualTo(HalfTensorListSerializer.FORMAT_VERSION);
        assertThat(restored.restoreSerializer()).isSameAs(FeatureBankSerializer.INSTANCE);
        TypeSerializerSchemaCompatibility<FeatureBank> compatibility =
                FeatureBankSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(restored);
        assertThat(compatibility.isCompatibleAsIs()).isTrue();
    }

    @Test
    void theSnapshotAcceptsExactlyTheFormatsTheSerializerReads() throws IOException {
        // A snapshot that accepts a format its serializer then refuses on read fails the restore half-way.
        int bank = FeatureBankSerializer.FORMAT_VERSION;
        int tensor = HalfTensorListSerializer.FORMAT_VERSION;
        FeatureBankSerializerSnapshot current = new FeatureBankSerializerSnapshot();
        assertThat(current.resolveSchemaCompatibility(snapshotOf(bank, tensor)).isCompatibleAsIs()).isTrue();
        for (int b = 0; b <= bank + 1; b++) {
            for (int t = 0; t <= tensor + 1; t++) {
                boolean readable = FeatureBankSerializer.canRead(b) && HalfTensorListSerializer.canRead(t);
                assertThat(current.resolveSchemaCompatibility(snapshotOf(b, t)).isIncompatible())
                        .as("bank format %d, tensor format %d", b, t).isEqualTo(!readable);
            }
        }
        // and canRead tells the truth about the reader
        byte[] record = serialize(Banks.random(new Random(5), 4, 2, FeatureBankConfig.defaults(), 2, 3));
        for (int b = 0; b <= bank + 1; b++) {
            byte[] inVersion = record.clone();
            inVersion[0] = (byte) b; // the bank format version is the record's first byte
            if (FeatureBankSerializer.canRead(b)) {
                assertThat(deserialize(inVersion).size()).isPositive();
            } else {
                assertThatThrownBy(() -> deserialize(inVersion)).isInstanceOf(IOException.class)
                        .hasMessageContaining("format version " + b);
            }
        }
        assertThat(current.resolveSchemaCompatibility(snapshotOf(bank - 1, tensor)).isIncompatible())
                .as("no reader for the format before this one").isTrue();
    }

    private static FeatureBankSerializerSnapshot snapshotOf(int formatVersion, int tensorFormatVersion)
            throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(8);
        out.writeInt(formatVersion);
        out.writeInt(tensorFormatVersion);
        FeatureBankSerializerSnapshot snapshot = new FeatureBankSerializerSnapshot();
        snapshot.readSnapshot(snapshot.getCurrentVersion(), new DataInputDeserializer(out.getCopyOfBuffer()),
                FeatureBankSerializerTest.class.getClassLoader());
        return snapshot;
    }

    @Test
    void anUnknownSnapshotVersionIsAClearError() {
        assertThatThrownBy(() -> new FeatureBankSerializerSnapshot().readSnapshot(
                        FeatureBankSerializerSnapshot.CURRENT_VERSION + 1, new DataInputDeserializer(new byte[8]),
                        getClass().getClassLoader()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("FeatureBankSerializer snapshot of version");
    }

    @Test
    void anotherSerializersSnapshotIsIncompatible() {
        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeSerializerSnapshot<FeatureBank> other = (TypeSerializerSnapshot) new RecurrentStateSerializerSnapshot();
        assertThat(FeatureBankSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(other)
                .isIncompatible()).isTrue();
    }

    @Test
    void typeInfoCreatesTheDedicatedSerializer() {
        assertThat(FeatureBankTypeInfo.INSTANCE.createSerializer(new SerializerConfigImpl()))
                .isSameAs(FeatureBankSerializer.INSTANCE);
        assertThat(FeatureBankTypeInfo.INSTANCE.getTypeClass()).isEqualTo(FeatureBank.class);
        assertThat(FeatureBankTypeInfo.INSTANCE).isEqualTo(new FeatureBankTypeInfo());
    }
}
