package dev.alphaflow.operators.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataOutputSerializer;

import dev.alphaflow.model.flow.LumaFrame;
import dev.alphaflow.model.rvm.RecurrentState;
import dev.alphaflow.model.tensor.HalfTensor;
import dev.alphaflow.model.vos.FeatureBank;
import dev.alphaflow.model.vos.FeatureBankConfig;
import dev.alphaflow.model.vos.FrameMemory;
import dev.alphaflow.model.vos.ReadoutKernel;

/**
 * Writes the state-upgrade test resources: for each state type, the serializer snapshot (as Flink writes it into a
 * checkpoint) and state bytes of a few realistic values, into {@code <dir>/<type>/<generation>/}. The values come from
 * fixed seeds, so {@link StateUpgradeTest} re-derives what the bytes must decode to.
 *
 * <p>Resources of an existing generation are never rewritten: they are what an older alphaflow wrote, and a later
 * build must keep reading them. When a state format changes, bump {@link #GENERATION}, run this once and commit the
 * new folder beside the old ones (the command is in {@code src/test/resources/state-upgrade/README.md}).
 */
public final class StateUpgradeResources {
    private StateUpgradeResources() {}

    /** The folder name of what today's code writes. */
    static final String GENERATION = "v1";

    static final String RVM_STATE = "rvm-recurrent-state";
    static final String FEATURE_BANK = "feature-bank";
    static final String FRAME_MEMORY = "frame-memory";
    static final String LUMA_FRAME = "flow-luma-frame";

    static final String SNAPSHOT_FILE = "serializer-snapshot";
    static final String STATE_FILE = "state";

    /** A bank config with no default values, so a restore that dropped one would show. */
    static final FeatureBankConfig BANK_CONFIG = FeatureBankConfig.builder()
            .budget(96)
            .thresClose(0.85f)
            .updateRate(0.2f)
            .usageThreshold(0.05f)
            .evictionEnabled(true)
            .valueMerge(FeatureBankConfig.ValueMerge.WEIGHTED_AVERAGE)
            .readoutKernel(ReadoutKernel.JAVA)
            .build();

    /** RVM states as the matting operator stores them: the initial state and r1..r4 of two frame sizes. */
    static List<RecurrentState> rvmStates() {
        Random random = new Random(1401);
        return List.of(RecurrentState.initial(), Tensors.rvmState(random, 64, 48), Tensors.rvmState(random, 45, 27));
    }

    /**
     * Banks as the segmenter stores them (key size 64, value size 1): an empty one, one filled past its budget (so
     * merges, evictions and usage counts are in it) and one of two frames.
     */
    static List<FeatureBank> featureBanks() {
        Random random = new Random(1402);
        return List.of(
                new FeatureBank(64, 1, BANK_CONFIG),
                Banks.random(random, 64, 1, BANK_CONFIG, 12, 20),
                Banks.random(random, 64, 1, BANK_CONFIG, 2, 7));
    }

    /**
     * Frame memories as the segmenter stores them: keys [gh, gw, dim] (or [gh, gw, 0] without the local match), masks
     * [objects, gh, gw] and object ids [objects].
     */
    static List<FrameMemory> frameMemories() {
        Random random = new Random(1403);
        return List.of(
                new FrameMemory(0, List.of()),
                new FrameMemory(41, List.of(Tensors.random(random, 6, 8, 64), masks(random, 2, 6, 8),
                        HalfTensor.fromFloats(new long[] {2}, new float[] {1f, 3f}))),
                new FrameMemory(5_000_123, List.of(HalfTensor.zeros(4, 4, 0), masks(random, 1, 4, 4),
                        HalfTensor.fromFloats(new long[] {1}, new float[] {7f}))));
    }

    /** Previous frames as the flow operator stores them: a tiny one and two of realistic flow sizes. */
    static List<LumaFrame> lumaFrames() {
        Random random = new Random(1404);
        return List.of(luma(random, 0, 12, 1), luma(random, 41, 64, 48), luma(random, 5_000_123, 107, 60));
    }

    private static LumaFrame luma(Random random, long seq, int width, int height) {
        byte[] pixels = new byte[width * height];
        random.nextBytes(pixels);
        return new LumaFrame(seq, width, height, pixels);
    }

    private static HalfTensor masks(Random random, int objects, int height, int width) {
        float[] values = new float[objects * height * width];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat();
        }
        return HalfTensor.fromFloats(new long[] {objects, height, width}, values);
    }

    /** {@code args[0]}: the state-upgrade resource folder. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: StateUpgradeResources <operators/src/test/resources/state-upgrade>");
        }
        Path root = Path.of(args[0]);
        write(root.resolve(RVM_STATE).resolve(GENERATION), RecurrentStateSerializer.INSTANCE, rvmStates());
        write(root.resolve(FEATURE_BANK).resolve(GENERATION), FeatureBankSerializer.INSTANCE, featureBanks());
        write(root.resolve(FRAME_MEMORY).resolve(GENERATION), FrameMemorySerializer.INSTANCE, frameMemories());
        write(root.resolve(LUMA_FRAME).resolve(GENERATION), LumaFrameSerializer.INSTANCE, lumaFrames());
    }

    /** Writes one generation of one type; one that exists is left as it is (a released generation is never rewritten). */
    private static <T> void write(Path dir, TypeSerializer<T> serializer, List<T> values) throws IOException {
        if (Files.exists(dir)) {
            System.out.println("kept " + dir + " (exists: resources of a released generation are never rewritten)");
            return;
        }
        Files.createDirectories(dir);
        DataOutputSerializer snapshot = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(snapshot, serializer.snapshotConfiguration());
        Files.write(dir.resolve(SNAPSHOT_FILE), snapshot.getCopyOfBuffer());

        // the value count, then each value as the state backends hold it (the serializer's bytes)
        DataOutputSerializer state = new DataOutputSerializer(1 << 16);
        state.writeInt(values.size());
        for (T value : values) {
            serializer.serialize(value, state);
        }
        Files.write(dir.resolve(STATE_FILE), state.getCopyOfBuffer());
        System.out.println("wrote " + dir + " (" + values.size() + " values, " + state.length() + " bytes)");
    }
}
