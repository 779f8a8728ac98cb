package dev.alphaflow.operators.matting;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.operators.OperatorTypes;
import dev.alphaflow.schemas.Matte;

/**
 * The PNG stage: mattes leave in input order, and everything that arrived before a checkpoint barrier has left
 * before it, so the checkpoint holds no frame and a restore loses or repeats none.
 */
class MatteEncodingOperatorTest {
    private static final int W = 16;
    private static final int H = 8;

    private static MattedFrame frame(long seq) {
        MattedFrame f = new MattedFrame();
        f.streamId = "cam";
        f.seq = seq;
        f.eventTimeMs = 1_000 + seq;
        f.width = W;
        f.height = H;
        f.alpha8 = new byte[W * H];
        for (int i = 0; i < f.alpha8.length; i++) {
            f.alpha8[i] = (byte) (i * 3 + seq);
        }
        f.modelId = "rvm-test";
        f.stateReset = seq == 0;
        f.resetReason = seq == 0 ? "FIRST_FRAME" : null;
        f.decodeMicros = 10;
        f.preprocessMicros = 20;
        f.inferenceMicros = 30;
        f.mattingMicros = 40;
        return f;
    }

    private static OneInputStreamOperatorTestHarness<MattedFrame, Matte> harness(OperatorSubtaskState restore)
            throws Exception {
        var harness = new OneInputStreamOperatorTestHarness<>(MatteEncodingOperator.factory(3),
                OperatorTypes.MATTED_FRAME.createSerializer(new SerializerConfigImpl()));
        if (restore != null) {
            harness.initializeState(restore);
        }
        harness.open();
        return harness;
    }

    private static byte[] alpha(Matte m) {
        ByteBuffer b = m.getAlphaPng().duplicate();
        byte[] png = new byte[b.remaining()];
        b.get(png);
        return ImageCodec.decodeGray8Png(png);
    }

    @Test
    void encodesEveryFrameInInputOrder() throws Exception {
        List<Matte> out;
        List<Long> timestamps;
        try (var h = harness(null)) {
            for (long seq = 0; seq < 20; seq++) {
                h.processElement(frame(seq), 100 + seq);
            }
            h.endInput();
            out = h.extractOutputValues();
            timestamps = h.getOutput().stream().map(r -> ((StreamRecord<?>) r).getTimestamp()).toList();
        }
        assertThat(out).extracting(Matte::getSeq).containsExactlyElementsOf(LongStream.range(0, 20).boxed().toList());
        assertThat(timestamps).as("record timestamps kept")
                .containsExactlyElementsOf(LongStream.range(100, 120).boxed().toList());
        for (Matte m : out) {
            assertThat(alpha(m)).isEqualTo(frame(m.getSeq()).alpha8);
            assertThat(m.getTimingsMicros()).containsKeys("decode", "preprocess", "inference", "encode", "total");
            assertThat(m.getTimingsMicros().get("total")).isGreaterThanOrEqualTo(50L);
        }
        assertThat(out.get(0).getStateReset()).isTrue();
        assertThat(out.get(0).getResetReason()).isEqualTo("FIRST_FRAME");
        assertThat(out.get(1).getResetReason()).isNull();
    }

    @Test
    void everyFrameLeavesBeforeTheCheckpointBarrier() throws Exception {
        List<Long> seen = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var first = harness(null)) {
            for (long seq = 0; seq < 6; seq++) {
                first.processElement(frame(seq), 0);
            }
            // What the task does for a checkpoint: the pre-barrier hook, then the state snapshot.
            first.prepareSnapshotPreBarrier(1);
            assertThat(first.extractOutputValues()).as("drained before the barrier").hasSize(6);
            snapshot = first.snapshot(1, 1);
            first.extractOutputValues().forEach(m -> seen.add(m.getSeq()));
        }
        try (var restored = harness(snapshot)) {
            for (long seq = 6; seq < 9; seq++) {
                restored.processElement(frame(seq), 0);
            }
            restored.endInput();
            restored.extractOutputValues().forEach(m -> seen.add(m.getSeq()));
        }
        assertThat(seen).containsExactlyElementsOf(LongStream.range(0, 9).boxed().toList());
    }
}
