package dev.alphaflow.operators.segmentation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.SharedSessions;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.testing.TinyFeatureModels;
import dev.alphaflow.model.vos.FrameMemory;
import dev.alphaflow.model.vos.ReadoutKernel;
import dev.alphaflow.model.vos.VosOptions;
import dev.alphaflow.operators.decode.DecodedFrame;
import dev.alphaflow.operators.decode.FramePrompt;
import dev.alphaflow.operators.sequencer.ResetReason;
import dev.alphaflow.operators.sequencer.SequencedFrame;
import dev.alphaflow.operators.state.FeatureBankSerializer;
import dev.alphaflow.operators.state.FeatureBankTypeInfo;
import dev.alphaflow.operators.state.FrameMemorySerializer;
import dev.alphaflow.operators.state.FrameMemoryTypeInfo;
import dev.alphaflow.operators.testutils.SquareVideo;
import dev.alphaflow.operators.testutils.TestFrames;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.DeadLetterReason;
import dev.alphaflow.schemas.Segmentation;

/**
 * A frame the segmenter fails on after it has read the feature banks leaves the stream's keyed state bit for bit as
 * it was, on the heap (where state values are live objects the segmenter could have changed) and on RocksDB, and the
 * stream goes on as if the frame had never come.
 *
 * <p>The feature model ({@link TinyFeatureModels#failingOnBlack}) gives NaN features where a frame is black; the
 * frame with a black patch gets through feature extraction and the bank reads and is refused when the banks absorb
 * its NaN keys. (That a read's usage counts wait for the frame to succeed is {@code VideoObjectSegmenterTest}'s, with
 * a readout that fails on demand: NaN queries happen to count no uses at all.)
 */
class SegmentationFailedFrameTest {

    private static final String STREAM = "cam";
    private static final int W = SquareVideo.W;
    private static final int H = SquareVideo.H;
    /** The frame with the black patch; the banks absorb on frames divisible by memoryEvery (2), so on this one. */
    private static final int BAD = 4;

    @TempDir
    static Path modelDir;

    private static SegmentationSpec spec;

    enum Backend {
        HASHMAP, ROCKSDB;

        StateBackend create() {
            return this == HASHMAP ? new HashMapStateBackend() : new EmbeddedRocksDBStateBackend();
        }
    }

    private final List<KeyedOneInputStreamOperatorTestHarness<String, SequencedFrame, Segmentation>> harnesses =
            new ArrayList<>();

    @BeforeAll
    static void writeModel() {
        Path file = TinyFeatureModels.failingOnBlack(modelDir.resolve("features-nan-on-black.onnx"));
        spec = SegmentationSpec.builder()
                .modelDir(modelDir)
                .sessionSettings(SessionSettings.builder().intraOpThreads(1).interOpThreads(1).build())
                .vosOptions(VosOptions.builder()
                        .featureModel(TinyFeatureModels.card(file))
                        .memoryEvery(2)
                        .bank(VosOptions.defaultBank().toBuilder().readoutKernel(ReadoutKernel.JAVA).build())
                        .build())
                .build();
    }

    @AfterEach
    void closeHarnesses() throws Exception {
        for (var h : harnesses) {
            h.close();
        }
        assertThat(SharedSessions.openSessionCount()).as("sessions released on close").isZero();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aFrameTheSegmenterFailsOnLeavesTheStateAsItWas(Backend backend) throws Exception {
        var harness = newHarness(backend);
        run(harness, frames(0, BAD - 1));
        String before = stateDigest(harness);

        List<Segmentation> out = run(harness, List.of(frame(BAD, badImage(BAD))));

        assertThat(out).isEmpty();
        List<DeadLetter> dead = harness.getSideOutput(SegmentationFunction.DEAD_LETTERS).stream()
                .map(r -> r.getValue()).toList();
        assertThat(dead).singleElement().satisfies(letter -> {
            assertThat(letter.getReason()).isEqualTo(DeadLetterReason.INFERENCE_FAILED);
            assertThat(letter.getSeq()).isEqualTo((long) BAD);
            assertThat(letter.getMessage()).contains("NaN");
        });
        assertThat(stateDigest(harness)).as("keyed state after the failed frame").isEqualTo(before);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void theStreamGoesOnAsIfTheFailedFrameHadNeverCome(Backend backend) throws Exception {
        var withFailure = newHarness(backend);
        run(withFailure, frames(0, BAD - 1));
        run(withFailure, List.of(frame(BAD, badImage(BAD))));
        List<Segmentation> after = run(withFailure, frames(BAD + 1, BAD + 3));

        var without = newHarness(backend);
        run(without, frames(0, BAD - 1));
        List<Segmentation> expected = run(without, frames(BAD + 1, BAD + 3));

        assertThat(masks(after)).isEqualTo(masks(expected));
        assertThat(masks(after)).allSatisfy(objects -> assertThat(objects).hasSize(1));
        assertThat(stateDigest(withFailure)).isEqualTo(stateDigest(without));
    }

    // ---- frames ----

    private static List<SequencedFrame> frames(int from, int to) {
        List<SequencedFrame> frames = new ArrayList<>();
        for (int t = from; t <= to; t++) {
            SequencedFrame f = frame(t, SquareVideo.image(t));
            if (t == 0) {
                f = SequencedFrame.frame(f.frame, ResetReason.FIRST_FRAME);
                f.frame.prompts = new FramePrompt[] {SquareVideo.prompt(1)};
            }
            frames.add(f);
        }
        return frames;
    }

    private static SequencedFrame frame(int t, RgbImage image) {
        DecodedFrame f = TestFrames.decoded(STREAM, t, image);
        f.prompts = new FramePrompt[0];
        return SequencedFrame.frame(f, ResetReason.NONE);
    }

    /** Frame t with a black patch in the bottom-right corner, away from the square. */
    private static RgbImage badImage(int t) {
        RgbImage good = SquareVideo.image(t);
        byte[] rgb = good.rgb().clone();
        for (int y = H - 16; y < H; y++) {
            for (int x = W - 16; x < W; x++) {
                int i = y * W + x;
                rgb[3 * i] = 0;
                rgb[3 * i + 1] = 0;
                rgb[3 * i + 2] = 0;
            }
        }
        return new RgbImage(W, H, rgb);
    }

    // ---- harness and state ----

    private KeyedOneInputStreamOperatorTestHarness<String, SequencedFrame, Segmentation> newHarness(Backend backend)
            throws Exception {
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new SegmentationFunction(spec)), SequencedFrame.byStreamId(), Types.STRING);
        harnesses.add(harness);
        harness.setStateBackend(backend.create());
        harness.open();
        return harness;
    }

    private static List<Segmentation> run(
            KeyedOneInputStreamOperatorTestHarness<String, SequencedFrame, Segmentation> harness,
            List<SequencedFrame> input) throws Exception {
        for (SequencedFrame f : input) {
            harness.processElement(f, f.frame.eventTimeMs);
        }
        List<Segmentation> out = harness.extractOutputValues();
        harness.getOutput().clear();
        return out;
    }

    /** Every byte of the stream's banks, frame memory, labels and track support, as the serializers write them. */
    private static String stateDigest(
            KeyedOneInputStreamOperatorTestHarness<String, SequencedFrame, Segmentation> harness) throws Exception {
        KeyedStateBackend<String> backend = harness.getOperator().getKeyedStateBackend();
        var store = harness.getOperator().getKeyedStateStore();
        StringBuilder digest = new StringBuilder();
        try (Stream<String> keys = backend.getKeys(SegmentationFunction.BANKS_STATE, VoidNamespace.INSTANCE)) {
            assertThat(keys.toList()).containsExactly(STREAM);
        }
        backend.setCurrentKey(STREAM);
        var banks = store.getMapState(
                new MapStateDescriptor<>(SegmentationFunction.BANKS_STATE, Types.INT, FeatureBankTypeInfo.INSTANCE));
        TreeMap<Integer, String> bankBytes = new TreeMap<>();
        for (var e : banks.entries()) {
            DataOutputSerializer out = new DataOutputSerializer(1024);
            FeatureBankSerializer.INSTANCE.serialize(e.getValue(), out);
            bankBytes.put(e.getKey(), HexFormat.of().formatHex(out.getCopyOfBuffer()));
        }
        assertThat(bankBytes).as("banks").isNotEmpty();
        digest.append("banks=").append(bankBytes);
        FrameMemory previous = store.getState(
                new ValueStateDescriptor<>(SegmentationFunction.PREVIOUS_STATE, FrameMemoryTypeInfo.INSTANCE)).value();
        assertThat(previous).as("frame memory").isNotNull();
        DataOutputSerializer out = new DataOutputSerializer(1024);
        FrameMemorySerializer.INSTANCE.serialize(previous, out);
        digest.append(" previous=").append(HexFormat.of().formatHex(out.getCopyOfBuffer()));
        var labels = store.getMapState(
                new MapStateDescriptor<>(SegmentationFunction.LABELS_STATE, Types.INT, Types.STRING));
        TreeMap<Integer, String> labelMap = new TreeMap<>();
        labels.entries().forEach(e -> labelMap.put(e.getKey(), e.getValue()));
        digest.append(" labels=").append(labelMap);
        return digest.toString();
    }

    private static List<List<String>> masks(List<Segmentation> out) {
        return out.stream().map(s -> s.getObjects().stream()
                .map(o -> o.getObjectId() + ":" + o.getScore() + ":" + o.getMask().getCounts()).toList()).toList();
    }
}
