package dev.alphaflow.operators.matting;

import static dev.alphaflow.operators.testutils.TestFrames.decoded;
import static dev.alphaflow.operators.testutils.TestFrames.image;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.alphaflow.model.ModelCard;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.SharedSessions;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.rvm.RvmOptions;
import dev.alphaflow.model.testing.TinyModels;
import dev.alphaflow.operators.sequencer.EndReason;
import dev.alphaflow.operators.sequencer.ResetReason;
import dev.alphaflow.operators.sequencer.SequencedFrame;
import dev.alphaflow.operators.state.RecurrentStateSerializer;
import dev.alphaflow.operators.state.RecurrentStateTypeInfo;
import dev.alphaflow.operators.testutils.MetricCapture;
import dev.alphaflow.operators.testutils.TestModels;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.DeadLetterReason;
import dev.alphaflow.schemas.Matte;

/**
 * MattingFunction on a tiny generated model with RVM's exact inputs and outputs, whose alpha depends on the carried
 * state: so equal alphas mean equal states.
 */
class MattingFunctionTest {
    private static final int W = 64;
    private static final int H = 48;

    @TempDir
    static Path modelDir;

    private static MattingSpec spec;

    private final List<KeyedOneInputStreamOperatorTestHarness<String, SequencedFrame, MattedFrame>> harnesses =
            new ArrayList<>();

    @BeforeAll
    static void writeModel() {
        Path file = TinyModels.rvmContract(modelDir.resolve("rvm-tiny.onnx"));
        ModelCard card = TinyModels.rvmCard(file);
        spec = MattingSpec.builder()
                .modelDir(modelDir)
                .card(card)
                .sessionSettings(SessionSettings.builder().intraOpThreads(1).interOpThreads(1).build())
                .rvmOptions(RvmOptions.defaults())
                .build();
    }

    @AfterEach
    void closeHarnesses() throws Exception {
        for (var h : harnesses) {
            h.close();
        }
        assertThat(SharedSessions.openSessionCount()).as("sessions released on close").isZero();
    }

    // ---- helpers ----

    private KeyedOneInputStreamOperatorTestHarness<String, SequencedFrame, MattedFrame> newHarness(
            MattingSpec spec, StateBackend backend, OperatorSubtaskState restoreFrom) throws Exception {
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new MattingFunction(spec)), SequencedFrame.byStreamId(), Types.STRING);
        harnesses.add(harness);
        harness.setStateBackend(backend);
        if (restoreFrom != null) {
            harness.initializeState(restoreFrom);
        }
        harness.open();
        return harness;
    }

    private KeyedOneInputStreamOperatorTestHarness<String, SequencedFrame, MattedFrame> newHarness() throws Exception {
        return newHarness(spec, new HashMapStateBackend(), null);
    }

    private static SequencedFrame frame(String stream, long seq, ResetReason reason) {
        return SequencedFrame.frame(decoded(stream, seq, image(W, H, (int) seq)), reason);
    }

    /** The stream's frames from..to (inclusive) as the sequencer emits them for an uninterrupted stream. */
    private static List<SequencedFrame> frames(String stream, int from, int to) {
        return IntStream.rangeClosed(from, to)
                .mapToObj(i -> frame(stream, i, i == 0 ? ResetReason.FIRST_FRAME : ResetReason.NONE))
                .toList();
    }

    private static List<Matte> run(KeyedOneInputStreamOperatorTestHarness<String, SequencedFrame, MattedFrame> harness,
            List<SequencedFrame> input) throws Exception {
        for (SequencedFrame f : input) {
            harness.processElement(f, f.isEnd() ? 0 : f.frame.eventTimeMs);
        }
        // The job encodes in a stage of its own (MatteEncodingOperator); the test encodes the same way, inline.
        List<Matte> out = harness.extractOutputValues().stream().map(MattedFrame::encode).toList();
        harness.getOutput().clear();
        return out;
    }

    private static List<String> alphas(List<Matte> mattes) {
        return mattes.stream().map(m -> m.getStreamId() + "#" + m.getSeq() + ":" + hex(m.getAlphaPng())).toList();
    }

    /** Streams that have recurrent state; works on every state backend (numKeyedStateEntries is heap-only). */
    private static List<String> stateKeys(KeyedOneInputStreamOperatorTestHarness<String, SequencedFrame, MattedFrame> harness) {
        KeyedStateBackend<String> backend = harness.getOperator().getKeyedStateBackend();
        try (Stream<String> keys = backend.getKeys(MattingFunction.STATE_NAME, VoidNamespace.INSTANCE)) {
            return keys.toList();
        }
    }

    private static String hex(ByteBuffer buffer) {
        byte[] b = new byte[buffer.remaining()];
        buffer.duplicate().get(b);
        return java.util.HexFormat.of().formatHex(b);
    }

    private static byte[] alpha8(Matte m) {
        byte[] png = new byte[m.getAlphaPng().remaining()];
        m.getAlphaPng().duplicate().get(png);
        return ImageCodec.decodeGray8Png(png);
    }

    // ---- tests ----

    @Test
    void mattesCarryAlphaAndMetadata() throws Exception {
        List<Matte> out = run(newHarness(), frames("cam", 0, 1));

        assertThat(out).hasSize(2);
        Matte first = out.get(0);
        assertThat(first.getStreamId()).isEqualTo("cam");
        assertThat(first.getSeq()).isZero();
        assertThat(first.getEventTimeMs()).isEqualTo(1_700_000_000_000L);
        assertThat(first.getWidth()).isEqualTo(W);
        assertThat(first.getHeight()).isEqualTo(H);
        assertThat(alpha8(first)).hasSize(W * H);
        assertThat(first.getModelId()).isEqualTo("rvm-tiny-contract");
        assertThat(first.getStateReset()).isTrue();
        assertThat(first.getResetReason()).isEqualTo("FIRST_FRAME");
        assertThat(first.getForegroundPng()).isNull();
        assertThat(first.getTimingsMicros()).containsOnlyKeys("decode", "preprocess", "inference", "matting", "encode", "total");
        assertThat(first.getTimingsMicros().get("decode")).isEqualTo(100L);
        assertThat(out.get(1).getStateReset()).isFalse();
        assertThat(out.get(1).getResetReason()).isNull();
        // The state matters: the same pixels after a different history give a different alpha.
        assertThat(alphas(out).get(1)).isNotEqualTo(alphas(run(newHarness(),
                List.of(frame("cam", 1, ResetReason.FIRST_FRAME)))).get(0));
    }

    @Test
    void foregroundIsEncodedWhenAskedFor() throws Exception {
        MattingSpec withForeground = MattingSpec.builder()
                .modelDir(spec.modelDir())
                .card(spec.card())
                .sessionSettings(spec.sessionSettings())
                .rvmOptions(RvmOptions.builder().withForeground(true).build())
                .build();
        List<Matte> out = run(newHarness(withForeground, new HashMapStateBackend(), null), frames("cam", 0, 0));

        byte[] png = new byte[out.get(0).getForegroundPng().remaining()];
        out.get(0).getForegroundPng().duplicate().get(png);
        RgbImage foreground = ImageCodec.decode(png);
        assertThat(foreground).isEqualTo(image(W, H, 0)); // the tiny model's fgr is its input
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Backend.class)
    void aRestoredRunEqualsAnUninterruptedOne(Backend backend) throws Exception {
        List<String> uninterrupted = alphas(run(newHarness(spec, backend.create(), null), frames("cam", 0, 9)));

        var before = newHarness(spec, backend.create(), null);
        List<Matte> firstHalf = run(before, frames("cam", 0, 4));
        OperatorSubtaskState snapshot = before.snapshot(1, 1);
        before.close();
        harnesses.remove(before);

        var after = newHarness(spec, backend.create(), snapshot);
        assertThat(stateKeys(after)).containsExactly("cam");
        List<Matte> secondHalf = run(after, frames("cam", 5, 9));

        List<String> restored = new ArrayList<>(alphas(firstHalf));
        restored.addAll(alphas(secondHalf));
        assertThat(restored).isEqualTo(uninterrupted);
        assertThat(secondHalf.get(0).getStateReset()).isFalse();
    }

    enum Backend {
        HASHMAP {
            @Override
            StateBackend create() {
                return new HashMapStateBackend();
            }
        },
        ROCKSDB {
            @Override
            StateBackend create() {
                return new EmbeddedRocksDBStateBackend();
            }
        };

        abstract StateBackend create();
    }

    @Test
    void endClearsTheStreamsStateAndEmitsNothing() throws Exception {
        var harness = newHarness();
        run(harness, frames("a", 0, 2));
        run(harness, frames("b", 0, 0));
        assertThat(stateKeys(harness)).containsExactlyInAnyOrder("a", "b");

        List<Matte> out = run(harness, List.of(SequencedFrame.end("a", EndReason.END_OF_STREAM)));

        assertThat(out).isEmpty();
        assertThat(stateKeys(harness)).containsExactly("b");
        run(harness, List.of(SequencedFrame.end("b", EndReason.IDLE_TIMEOUT)));
        assertThat(stateKeys(harness)).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = ResetReason.class, names = {"RESET", "GAP", "FIRST_FRAME"})
    void aResetStartsOverLikeAFreshStream(ResetReason reason) throws Exception {
        List<SequencedFrame> input = new ArrayList<>(frames("cam", 0, 4));
        input.add(frame("cam", 10, reason));
        input.add(frame("cam", 11, ResetReason.NONE));
        List<Matte> out = run(newHarness(), input);

        List<Matte> fresh = run(newHarness(),
                List.of(frame("cam", 10, ResetReason.FIRST_FRAME), frame("cam", 11, ResetReason.NONE)));

        Matte reset = out.get(5);
        assertThat(reset.getStateReset()).isTrue();
        assertThat(reset.getResetReason()).isEqualTo(reason.name());
        assertThat(alphas(out.subList(5, 7))).isEqualTo(alphas(fresh));
    }

    @Test
    void interleavedStreamsGiveTheSameOutputsAsEachAlone() throws Exception {
        List<SequencedFrame> a = frames("a", 0, 5);
        List<SequencedFrame> b = new ArrayList<>(frames("b", 0, 5));
        // Different pictures for b, so a mix-up could not go unnoticed.
        b.replaceAll(f -> SequencedFrame.frame(decoded("b", f.frame.seq, image(W, H, 20 + (int) f.frame.seq)),
                f.resetReason));
        List<SequencedFrame> interleaved = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            interleaved.add(a.get(i));
            interleaved.add(b.get(i));
        }

        List<Matte> mixed = run(newHarness(), interleaved);
        List<String> aAlone = alphas(run(newHarness(), a));
        List<String> bAlone = alphas(run(newHarness(), b));

        assertThat(alphas(mixed.stream().filter(m -> m.getStreamId().equals("a")).toList())).isEqualTo(aAlone);
        assertThat(alphas(mixed.stream().filter(m -> m.getStreamId().equals("b")).toList())).isEqualTo(bAlone);
        assertThat(aAlone).doesNotContainAnyElementsOf(bAlone);
    }

    @Test
    void aStateThatDoesNotFitIsDroppedAndReported() throws Exception {
        var harness = newHarness();
        run(harness, frames("cam", 0, 1));
        // The sequencer would flag this; here the stored state no longer fits, as after a changed deployment.
        SequencedFrame wider = SequencedFrame.frame(decoded("cam", 2, image(80, H, 2)), ResetReason.NONE);
        List<Matte> out = run(harness, List.of(wider));

        assertThat(out).hasSize(1);
        assertThat(out.get(0).getStateReset()).isTrue();
        assertThat(out.get(0).getResetReason()).isEqualTo(MattingFunction.STATE_MISMATCH);
        assertThat(alphas(out)).isEqualTo(alphas(run(newHarness(),
                List.of(SequencedFrame.frame(decoded("cam", 2, image(80, H, 2)), ResetReason.FIRST_FRAME)))));
    }

    @Test
    void aFrameTheModelCannotRunIsADeadLetterAndTheStreamGoesOn(@TempDir Path dir) throws Exception {
        Path file = TestModels.rvmOnlyFor(dir.resolve("rvm-64x48-only.onnx"), W, H);
        MattingSpec fragile = MattingSpec.builder().modelDir(dir).card(TinyModels.rvmCard(file)).build();
        try (MetricCapture metrics = new MetricCapture()) {
            var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                    new KeyedProcessOperator<>(new MattingFunction(fragile)), SequencedFrame.byStreamId(),
                    Types.STRING, metrics.environment());
            try {
                harness.open();
                List<SequencedFrame> input = new ArrayList<>(frames("cam", 0, 1));
                input.add(SequencedFrame.frame(decoded("cam", 2, image(80, H, 2)), ResetReason.GEOMETRY_CHANGE));
                List<Matte> out = run(harness, input);
                List<DeadLetter> dead = harness.getSideOutput(MattingFunction.DEAD_LETTERS).stream()
                        .map(StreamRecord::getValue)
                        .toList();

                assertThat(out).extracting(Matte::getSeq).containsExactly(0L, 1L);
                assertThat(dead).hasSize(1);
                DeadLetter letter = dead.get(0);
                assertThat(letter.getReason()).isEqualTo(DeadLetterReason.INFERENCE_FAILED);
                assertThat(letter.getStage()).isEqualTo("matting");
                assertThat(letter.getMessage()).contains("inference failed").contains("80x48");
                assertThat(letter.getStreamId()).isEqualTo("cam");
                assertThat(letter.getSeq()).isEqualTo(2L);
                assertThat(letter.getSourceTopic()).isEqualTo("frames");
                assertThat(letter.getSourceOffset()).isEqualTo(2L);
                assertThat(letter.getOriginalTruncated()).isTrue();
                // The reset the failed frame asked for still happened.
                assertThat(stateKeys(harness)).isEmpty();

                List<Matte> next = run(harness, List.of(frame("cam", 3, ResetReason.NONE)));
                assertThat(next).extracting(Matte::getResetReason).containsExactly(MattingFunction.STATE_MISSING);
                assertThat(metrics.count(MattingFunction.FRAMES_MATTED_METRIC)).isEqualTo(3);
                assertThat(metrics.count(MattingFunction.INFERENCE_FAILURES_METRIC)).isEqualTo(1);
                assertThat(metrics.count(MattingFunction.STATE_RESETS_METRIC)).isEqualTo(2);
                assertThat((Long) metrics.gauge(MattingFunction.INFERENCE_MICROS_METRIC)).isNotNegative();
            } finally {
                harness.close();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aFailedFrameLeavesTheStateAsItWasAndTheStreamGoesOnFromTheLastGoodFrame(Backend backend, @TempDir Path dir)
            throws Exception {
        Path file = TestModels.rvmOnlyFor(dir.resolve("rvm-64x48-only.onnx"), W, H);
        MattingSpec fragile = MattingSpec.builder().modelDir(dir).card(TinyModels.rvmCard(file)).build();
        var withFailure = newHarness(fragile, backend.create(), null);
        run(withFailure, frames("cam", 0, 2));
        byte[] before = stateBytes(withFailure);

        // A frame of another size without a reset (a producer bug): the model cannot run it, from any state.
        List<Matte> failed = run(withFailure,
                List.of(SequencedFrame.frame(decoded("cam", 3, image(80, H, 3)), ResetReason.NONE)));

        assertThat(failed).isEmpty();
        assertThat(withFailure.getSideOutput(MattingFunction.DEAD_LETTERS)).singleElement()
                .satisfies(r -> assertThat(r.getValue().getReason()).isEqualTo(DeadLetterReason.INFERENCE_FAILED));
        assertThat(stateBytes(withFailure)).as("the state after the failed frame").isEqualTo(before);

        List<Matte> next = run(withFailure, frames("cam", 4, 5));
        var without = newHarness(fragile, backend.create(), null);
        run(without, frames("cam", 0, 2));
        assertThat(alphas(next)).isEqualTo(alphas(run(without, frames("cam", 4, 5))));
        assertThat(next).extracting(Matte::getStateReset).containsOnly(false);
    }

    /** The stream "cam"'s recurrent state as the serializer writes it. */
    private static byte[] stateBytes(KeyedOneInputStreamOperatorTestHarness<String, SequencedFrame, MattedFrame> harness)
            throws Exception {
        assertThat(stateKeys(harness)).containsExactly("cam");
        harness.getOperator().getKeyedStateBackend().setCurrentKey("cam");
        var state = harness.getOperator().getKeyedStateStore().getState(
                new ValueStateDescriptor<>(MattingFunction.STATE_NAME, RecurrentStateTypeInfo.INSTANCE));
        DataOutputSerializer out = new DataOutputSerializer(1024);
        RecurrentStateSerializer.INSTANCE.serialize(state.value(), out);
        return out.getCopyOfBuffer();
    }

    @Test
    void aFrameSmallerThanTheModelTakesIsFrameTooSmallWithTheMinimumAndTheStreamGoesOn() throws Exception {
        var harness = newHarness();
        List<SequencedFrame> input = new ArrayList<>(frames("cam", 0, 1));
        input.add(SequencedFrame.frame(decoded("cam", 2, image(1, 1, 2)), ResetReason.NONE));
        input.add(frame("cam", 3, ResetReason.NONE));
        List<Matte> out = run(harness, input);
        List<DeadLetter> dead = harness.getSideOutput(MattingFunction.DEAD_LETTERS).stream()
                .map(StreamRecord::getValue)
                .toList();

        assertThat(out).extracting(Matte::getSeq).containsExactly(0L, 1L, 3L);
        assertThat(dead).hasSize(1);
        DeadLetter letter = dead.get(0);
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.FRAME_TOO_SMALL);
        assertThat(letter.getStage()).isEqualTo("matting");
        assertThat(letter.getMessage()).contains("frame 1x1 is too small").contains("at least 3x3 pixels");
        assertThat(letter.getSeq()).isEqualTo(2L);
    }

    @Test
    void theSpecIsChecked() {
        assertThatThrownBy(() -> MattingSpec.builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("modelDir is not set");
        MattingSpec defaults = MattingSpec.builder().modelDir("/models").build();
        assertThat(defaults.card().id()).isEqualTo("rvm-mobilenetv3");
        assertThat(defaults.rvmOptions()).isEqualTo(RvmOptions.defaults());
    }

    @Test
    void theFunctionTravelsInAJobGraph() throws Exception {
        // Serializable without opening anything: the model is only loaded in open() on the task managers.
        MattingFunction copy = InstantiationUtil.clone(new MattingFunction(spec));
        assertThat(copy.spec()).isEqualTo(spec);
        assertThat(SharedSessions.openSessionCount()).isZero();
    }
}
