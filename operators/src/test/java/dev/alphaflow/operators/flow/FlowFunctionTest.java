package dev.alphaflow.operators.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.alphaflow.model.flow.DisFlowEstimator;
import dev.alphaflow.model.flow.DisPreset;
import dev.alphaflow.model.flow.FlowEstimator;
import dev.alphaflow.model.flow.FlowField;
import dev.alphaflow.model.flow.KittiFlowPng;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.operators.sequencer.EndReason;
import dev.alphaflow.operators.sequencer.ResetReason;
import dev.alphaflow.operators.sequencer.SequencedFrame;
import dev.alphaflow.operators.testutils.ShiftedTexture;
import dev.alphaflow.operators.testutils.TestFrames;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.DeadLetterReason;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.OpticalFlow;
import dev.alphaflow.schemas.serde.AvroCodec;

/**
 * The flow operator in Flink's keyed test harness, with the real DIS estimator on a texture whose true motion is known
 * ({@link ShiftedTexture}: 3 px right, 2 px up per frame): the records carry that flow as KITTI PNGs, the first frame
 * and the first after a reset carry none, END clears the state, a restored run equals an uninterrupted one on both
 * state backends, and a frame that fails goes to the dead letters and leaves the state as it was.
 */
class FlowFunctionTest {
    private static final int W = 96;
    private static final int H = 64;
    private static final int DX = 3;
    private static final int DY = -2;
    private static final ShiftedTexture TEXTURE = new ShiftedTexture(W, H, DX, DY, 11);

    private final List<KeyedOneInputStreamOperatorTestHarness<String, SequencedFrame, OpticalFlow>> harnesses =
            new ArrayList<>();

    @AfterEach
    void closeHarnesses() throws Exception {
        for (var h : harnesses) {
            h.close();
        }
    }

    private KeyedOneInputStreamOperatorTestHarness<String, SequencedFrame, OpticalFlow> newHarness(FlowSpec spec,
            StateBackend backend, OperatorSubtaskState restoreFrom) throws Exception {
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new FlowFunction(spec)), SequencedFrame.byStreamId(), Types.STRING);
        harnesses.add(harness);
        harness.setStateBackend(backend);
        if (restoreFrom != null) {
            harness.initializeState(restoreFrom);
        }
        harness.open();
        return harness;
    }

    private KeyedOneInputStreamOperatorTestHarness<String, SequencedFrame, OpticalFlow> newHarness() throws Exception {
        return newHarness(FlowSpec.builder().build(), new HashMapStateBackend(), null);
    }

    private static SequencedFrame frame(String stream, int seq, ResetReason reason) {
        return frame(stream, seq, TEXTURE.frame(seq), reason);
    }

    private static SequencedFrame frame(String stream, int seq, RgbImage image, ResetReason reason) {
        return SequencedFrame.frame(TestFrames.decoded(stream, seq, image), reason);
    }

    private static List<SequencedFrame> frames(String stream, int from, int to) {
        List<SequencedFrame> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(frame(stream, i, i == 0 ? ResetReason.FIRST_FRAME : ResetReason.NONE));
        }
        return out;
    }

    private static List<OpticalFlow> run(KeyedOneInputStreamOperatorTestHarness<String, SequencedFrame, OpticalFlow> h,
            List<SequencedFrame> input) throws Exception {
        for (SequencedFrame f : input) {
            h.processElement(f, f.isEnd() ? 0 : f.frame.eventTimeMs);
        }
        List<OpticalFlow> out = new ArrayList<>(h.extractOutputValues());
        h.getOutput().clear();
        return out;
    }

    private static List<String> streamsWithState(
            KeyedOneInputStreamOperatorTestHarness<String, SequencedFrame, OpticalFlow> h) {
        KeyedStateBackend<String> backend = h.getOperator().getKeyedStateBackend();
        try (Stream<String> keys = backend.getKeys(FlowFunction.PREVIOUS_STATE, VoidNamespace.INSTANCE)) {
            return keys.toList();
        }
    }

    private static FlowField flow(OpticalFlow record) {
        return KittiFlowPng.decode(bytes(record.getFlowPng()));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] b = new byte[buffer.remaining()];
        buffer.duplicate().get(b);
        return b;
    }

    private static void assertMotion(OpticalFlow record, double dx, double dy) {
        double[] mean = ShiftedTexture.interiorMean(flow(record), 8);
        assertThat(mean[0]).as("mean dx of %s#%d", record.getStreamId(), record.getSeq()).isCloseTo(dx, within(0.3));
        assertThat(mean[1]).as("mean dy of %s#%d", record.getStreamId(), record.getSeq()).isCloseTo(dy, within(0.3));
    }

    @Test
    void theFirstFrameHasNoFlowAndEveryLaterOneTheKnownMotion() throws Exception {
        List<OpticalFlow> out = run(newHarness(), frames("cam", 0, 3));

        assertThat(out).extracting(OpticalFlow::getSeq).containsExactly(0L, 1L, 2L, 3L);
        OpticalFlow first = out.get(0);
        assertThat(first.getFlowPng()).isNull();
        assertThat(first.getFromSeq()).isNull();
        assertThat(first.getStateReset()).isTrue();
        assertThat(first.getResetReason()).isEqualTo("FIRST_FRAME");
        for (OpticalFlow r : out.subList(1, 4)) {
            assertThat(r.getFromSeq()).isEqualTo(r.getSeq() - 1);
            assertThat(r.getStateReset()).isFalse();
            assertThat(r.getEstimator()).isEqualTo(FlowSpec.DIS);
            assertThat(r.getPreset()).isEqualTo("FAST");
            assertThat(r.getWidth()).isEqualTo(W);
            assertThat(r.getHeight()).isEqualTo(H);
            assertThat(r.getFrameWidth()).isEqualTo(W);
            assertThat(r.getEventTimeMs()).isEqualTo(TestFrames.decoded("cam", r.getSeq(), 4, 4).eventTimeMs);
            assertThat(r.getTimingsMicros()).containsKeys(FlowFunction.TIMING_FLOW, FlowFunction.TIMING_ENCODE);
            assertMotion(r, DX, DY);
        }
    }

    @Test
    void aResetStartsOverAndEndClearsTheStream() throws Exception {
        var harness = newHarness();
        run(harness, frames("a", 0, 2));
        run(harness, frames("b", 0, 0));
        assertThat(streamsWithState(harness)).containsExactlyInAnyOrder("a", "b");

        List<OpticalFlow> afterGap = run(harness, List.of(frame("a", 3, ResetReason.GAP), frame("a", 4, ResetReason.NONE)));
        assertThat(afterGap.get(0).getFlowPng()).as("no flow across a reset").isNull();
        assertThat(afterGap.get(0).getResetReason()).isEqualTo("GAP");
        assertMotion(afterGap.get(1), DX, DY);

        assertThat(run(harness, List.of(SequencedFrame.end("a", EndReason.END_OF_STREAM)))).isEmpty();
        assertThat(streamsWithState(harness)).containsExactly("b");
        // a control-only RESET clears too and emits nothing
        assertThat(run(harness, List.of(SequencedFrame.frame(
                TestFrames.controlOnly("b", 1, dev.alphaflow.schemas.Control.RESET), ResetReason.RESET)))).isEmpty();
        assertThat(streamsWithState(harness)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Backend.class)
    void aRestoredRunEqualsAnUninterruptedOne(Backend backend) throws Exception {
        FlowSpec spec = FlowSpec.builder().build();
        List<OpticalFlow> uninterrupted = run(newHarness(spec, backend.create(), null), frames("cam", 0, 5));

        var before = newHarness(spec, backend.create(), null);
        List<OpticalFlow> restored = run(before, frames("cam", 0, 2));
        OperatorSubtaskState snapshot = before.snapshot(1, 1);
        before.close();
        harnesses.remove(before);
        var after = newHarness(spec, backend.create(), snapshot);
        assertThat(streamsWithState(after)).containsExactly("cam");
        restored.addAll(run(after, frames("cam", 3, 5)));

        assertThat(restored).hasSize(6);
        for (int i = 0; i < 6; i++) {
            OpticalFlow a = restored.get(i);
            OpticalFlow b = uninterrupted.get(i);
            assertThat(a.getFromSeq()).isEqualTo(b.getFromSeq());
            assertThat(a.getFlowPng()).as("flow of frame %d", i).isEqualTo(b.getFlowPng());
        }
        assertThat(restored.get(3).getFlowPng()).as("the restored state is the frame before").isNotNull();
    }

    @Test
    void aRestoreWithAnotherMaximumSizeStartsOverAndSaysWhy() throws Exception {
        var before = newHarness();
        run(before, frames("cam", 0, 1));
        OperatorSubtaskState snapshot = before.snapshot(1, 1);
        before.close();
        harnesses.remove(before);

        var after = newHarness(FlowSpec.builder().maxSide(48).build(), new HashMapStateBackend(), snapshot);
        List<OpticalFlow> out = run(after, frames("cam", 2, 3));

        assertThat(out.get(0).getFlowPng()).as("the kept 96x64 frame is not compared with a 48x32 one").isNull();
        assertThat(out.get(0).getStateReset()).isTrue();
        assertThat(out.get(0).getResetReason()).isEqualTo(FlowFunction.FLOW_SIZE_CHANGED);
        assertThat(out.get(1).getWidth()).isEqualTo(48);
        assertMotion(out.get(1), DX / 2.0, DY / 2.0);
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

    /** DIS that fails on an all-black frame: a stand-in for any failure of the estimator. */
    static final class FailsOnBlack implements FlowSpec.EstimatorFactory {
        private static final long serialVersionUID = 1L;

        @Override
        public FlowEstimator open(DisPreset preset) {
            DisFlowEstimator dis = new DisFlowEstimator(preset);
            return new FlowEstimator() {
                @Override
                public FlowField estimate(RgbImage from, RgbImage to) {
                    for (byte b : to.rgb()) {
                        if (b != 0) {
                            return dis.estimate(from, to);
                        }
                    }
                    throw new IllegalStateException("black frame");
                }

                @Override
                public void close() {
                    dis.close();
                }
            };
        }
    }

    @Test
    void aFailedFrameIsADeadLetterAndTheNextFrameStartsFromTheLastGoodOne() throws Exception {
        var harness = newHarness(FlowSpec.builder().estimatorFactory(new FailsOnBlack()).build(),
                new HashMapStateBackend(), null);
        RgbImage black = new RgbImage(W, H, new byte[W * H * 3]);

        List<OpticalFlow> out = run(harness, List.of(frame("cam", 0, ResetReason.FIRST_FRAME),
                frame("cam", 1, black, ResetReason.NONE), frame("cam", 2, ResetReason.NONE)));

        assertThat(out).extracting(OpticalFlow::getSeq).containsExactly(0L, 2L);
        assertThat(out.get(1).getFromSeq()).isEqualTo(0L);
        assertMotion(out.get(1), 2 * DX, 2 * DY); // from frame 0, two frames of motion
        DeadLetter dead = harness.getSideOutput(FlowFunction.DEAD_LETTERS).stream().map(r -> r.getValue())
                .reduce((a, b) -> { throw new AssertionError("more than one dead letter"); }).orElseThrow();
        assertThat(dead.getStage()).isEqualTo("flow");
        assertThat(dead.getReason()).isEqualTo(DeadLetterReason.INFERENCE_FAILED);
        assertThat(dead.getMessage()).contains("black frame");
        assertThat(dead.getSeq()).isEqualTo(1L);
        assertThat(dead.getOriginalTruncated()).isFalse();
        // the dead letter is the frame as a replayable Frame record, pixels intact
        Frame replay = AvroCodec.of(Frame.class).decode(bytes(dead.getOriginal()));
        assertThat(replay.getSeq()).isEqualTo(1L);
        assertThat(ImageCodec.decode(bytes(replay.getPayload())).rgb()).isEqualTo(black.rgb());
    }

    @Test
    void aFrameTooSmallForDisIsADeadLetterAndLeavesTheState() throws Exception {
        var harness = newHarness();
        run(harness, frames("cam", 0, 0));
        List<OpticalFlow> out = run(harness, List.of(frame("cam", 1, new RgbImage(8, 8, new byte[8 * 8 * 3]),
                ResetReason.NONE), frame("cam", 2, ResetReason.NONE)));

        assertThat(out).singleElement().satisfies(r -> {
            assertThat(r.getSeq()).isEqualTo(2L);
            assertThat(r.getFromSeq()).isEqualTo(0L);
        });
        assertThat(harness.getSideOutput(FlowFunction.DEAD_LETTERS)).singleElement()
                .satisfies(r -> {
                    assertThat(r.getValue().getReason()).isEqualTo(DeadLetterReason.FRAME_TOO_SMALL);
                    assertThat(r.getValue().getMessage()).contains("8x8", "12 px");
                });
    }

    @Test
    void aMaximumSizeShrinksTheFlowFieldAndItsMotion() throws Exception {
        ShiftedTexture big = new ShiftedTexture(160, 120, 4, -2, 5);
        var harness = newHarness(FlowSpec.builder().maxSide(80).build(), new HashMapStateBackend(), null);
        List<OpticalFlow> out = run(harness, List.of(frame("cam", 0, big.frame(0), ResetReason.FIRST_FRAME),
                frame("cam", 1, big.frame(1), ResetReason.NONE)));

        OpticalFlow r = out.get(1);
        assertThat(r.getWidth()).isEqualTo(80);
        assertThat(r.getHeight()).isEqualTo(60);
        assertThat(r.getFrameWidth()).isEqualTo(160);
        assertThat(r.getFrameHeight()).isEqualTo(120);
        assertMotion(r, 2, -1); // in pixels of the flow field: half the frame's
    }

    @Test
    void presetsParseByNameAndATooSmallMaximumIsRefused() {
        assertThat(FlowSpec.parsePreset("medium")).isEqualTo(DisPreset.MEDIUM);
        assertThat(FlowSpec.parsePreset(" UltraFast ")).isEqualTo(DisPreset.ULTRAFAST);
        assertThatThrownBy(() -> FlowSpec.parsePreset("slow")).hasMessageContaining("ultrafast, fast, medium")
                .hasMessageContaining("'slow'");
        assertThatThrownBy(() -> FlowSpec.builder().maxSide(8).build()).hasMessageContaining("at least 12");
    }
}
