package dev.alphaflow.operators.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.alphaflow.model.flow.LumaFrame;
import dev.alphaflow.model.rvm.RecurrentState;
import dev.alphaflow.model.vos.FeatureBank;
import dev.alphaflow.model.vos.FrameMemory;

/**
 * State written by earlier alphaflow builds (serializer snapshots plus state bytes, committed under
 * {@code src/test/resources/state-upgrade/}, see {@link StateUpgradeResources}) restores with today's code: the
 * snapshot reads back, today's serializer says how it treats the old state, and the bytes decode to the values the
 * generator made from its seeds.
 */
class StateUpgradeTest {

    /** One committed generation of one state type, and the values its bytes hold. */
    record Case<T>(String type, String generation, TypeSerializer<T> serializer, Supplier<List<T>> expected,
            Equivalence<T> same) {
        @Override
        public String toString() {
            return type + "/" + generation;
        }
    }

    interface Equivalence<T> {
        boolean same(T a, T b);
    }

    static Stream<Arguments> generations() {
        return Stream.of(
                new Case<RecurrentState>(StateUpgradeResources.RVM_STATE, "v1", RecurrentStateSerializer.INSTANCE,
                        StateUpgradeResources::rvmStates, RecurrentState::equals),
                new Case<FeatureBank>(StateUpgradeResources.FEATURE_BANK, "v1", FeatureBankSerializer.INSTANCE,
                        StateUpgradeResources::featureBanks, Banks::sameBank),
                new Case<FrameMemory>(StateUpgradeResources.FRAME_MEMORY, "v1", FrameMemorySerializer.INSTANCE,
                        StateUpgradeResources::frameMemories, FrameMemory::equals),
                new Case<LumaFrame>(StateUpgradeResources.LUMA_FRAME, "v1", LumaFrameSerializer.INSTANCE,
                        StateUpgradeResources::lumaFrames, LumaFrame::equals))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("generations")
    <T> void oldSnapshotReadsBackAndTodaysSerializerAcceptsIt(Case<T> c) throws IOException {
        TypeSerializerSnapshot<T> old = readSnapshot(c);

        TypeSerializerSchemaCompatibility<T> compatibility =
                c.serializer().snapshotConfiguration().resolveSchemaCompatibility(old);

        assertThat(compatibility.isIncompatible()).as("today's serializer refuses %s", c).isFalse();
        assertThat(old.restoreSerializer()).isEqualTo(c.serializer());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("generations")
    <T> void oldStateBytesDecodeToTheValuesTheyWereWrittenFrom(Case<T> c) throws IOException {
        TypeSerializer<T> reader = readSnapshot(c).restoreSerializer();
        List<T> expected = c.expected().get();

        List<T> restored = readValues(c, reader);

        assertThat(restored).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(c.same().same(restored.get(i), expected.get(i))).as("%s value %d", c, i).isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("generations")
    <T> void oldStateRewrittenByTodaysSerializerKeepsItsValues(Case<T> c) throws IOException {
        // What a migration (or the next checkpoint) does: read with the restore serializer, write with today's.
        List<T> restored = readValues(c, readSnapshot(c).restoreSerializer());
        DataOutputSerializer out = new DataOutputSerializer(1 << 16);
        for (T value : restored) {
            c.serializer().serialize(value, out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        List<T> expected = c.expected().get();
        for (int i = 0; i < expected.size(); i++) {
            assertThat(c.same().same(c.serializer().deserialize(in), expected.get(i))).as("%s value %d", c, i).isTrue();
        }
        assertThat(in.available()).isZero();
    }

    private static <T> TypeSerializerSnapshot<T> readSnapshot(Case<T> c) throws IOException {
        byte[] bytes = resource(c, StateUpgradeResources.SNAPSHOT_FILE);
        return TypeSerializerSnapshot.readVersionedSnapshot(new DataInputDeserializer(bytes),
                StateUpgradeTest.class.getClassLoader());
    }

    private static <T> List<T> readValues(Case<T> c, TypeSerializer<T> reader) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(resource(c, StateUpgradeResources.STATE_FILE));
        int count = in.readInt();
        List<T> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(reader.deserialize(in));
        }
        assertThat(in.available()).as("bytes left after %d values of %s", count, c).isZero();
        return values;
    }

    private static byte[] resource(Case<?> c, String file) throws IOException {
        String name = "/state-upgrade/" + c.type() + "/" + c.generation() + "/" + file;
        try (InputStream in = StateUpgradeTest.class.getResourceAsStream(name)) {
            assertThat(in).as("test resource %s", name).isNotNull();
            return in.readAllBytes();
        }
    }
}
