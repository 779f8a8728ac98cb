package dev.alphaflow.operators.sequencer;

import static dev.alphaflow.operators.testutils.TestFrames.controlOnly;
import static dev.alphaflow.operators.testutils.TestFrames.decoded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.alphaflow.operators.decode.DecodedFrame;
import dev.alphaflow.operators.metrics.AlphaflowMetrics;
import dev.alphaflow.operators.testutils.MetricCapture;
import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.ResetCause;

class FrameSequencerTest {
    private static final int W = 64;
    private static final int H = 48;

    private KeyedOneInputStreamOperatorTestHarness<String, DecodedFrame, SequencedFrame> harness;

    @AfterEach
    void closeHarness() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private KeyedOneInputStreamOperatorTestHarness<String, DecodedFrame, SequencedFrame> open(SequencerOptions options)
            throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new FrameSequencer(options), DecodedFrame.byStreamId(), Types.STRING);
        return harness;
    }

    private void feed(DecodedFrame... frames) throws Exception {
        for (DecodedFrame f : frames) {
            harness.processElement(f, f.eventTimeMs);
        }
    }

    private List<SequencedFrame> drain() {
        List<SequencedFrame> out = harness.extractOutputValues();
        harness.getOutput().clear();
        return out;
    }

    private static String describe(SequencedFrame s) {
        return s.isEnd() ? s.streamId + ":END:" + s.endReason : s.streamId + ":" + s.frame.seq + ":" + s.resetReason;
    }

    private List<String> drainDescribed() {
        return drain().stream().map(FrameSequencerTest::describe).toList();
    }

    @Test
    void firstFrameResetsThenFramesFlow() throws Exception {
        open(SequencerOptions.defaults());
        feed(decoded("a", 0, W, H), decoded("a", 1, W, H), decoded("a", 2, W, H));

        List<SequencedFrame> out = drain();
        assertThat(out).extracting(FrameSequencerTest::describe).containsExactly("a:0:FIRST_FRAME", "a:1:NONE", "a:2:NONE");
        assertThat(out.get(0).frame.rgb).isNotNull();
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
    }

    @Test
    void duplicatesAndOldFramesAreDroppedAndCounted() throws Exception {
        try (MetricCapture metrics = new MetricCapture()) {
            harness = new KeyedOneInputStreamOperatorTestHarness<>(
                    new KeyedProcessOperator<>(new FrameSequencer()), DecodedFrame.byStreamId(), Types.STRING,
                    metrics.environment());
            harness.open();
            feed(decoded("a", 0, W, H), decoded("a", 1, W, H), decoded("a", 1, W, H), decoded("a", 0, W, H),
                    decoded("a", 2, W, H));

            assertThat(drainDescribed()).containsExactly("a:0:FIRST_FRAME", "a:1:NONE", "a:2:NONE");
            assertThat(metrics.count(FrameSequencer.DUPLICATES_DROPPED_METRIC)).isEqualTo(2);
            assertThat(metrics.count("reason.FIRST_FRAME." + AlphaflowMetrics.STATE_RESETS)).isEqualTo(1);
            harness.close();
            harness = null;
        }
    }

    @Test
    void aJumpPastMaxGapResets() throws Exception {
        open(SequencerOptions.builder().maxGapFrames(5).build());
        // 0 -> 5 is within the gap (seq <= last + 5); 5 -> 11 is not.
        feed(decoded("a", 0, W, H), decoded("a", 5, W, H), decoded("a", 11, W, H), decoded("a", 12, W, H));

        assertThat(drainDescribed()).containsExactly("a:0:FIRST_FRAME", "a:5:NONE", "a:11:GAP", "a:12:NONE");
    }

    @Test
    void maxGapOneResetsOnAnyMissingFrame() throws Exception {
        open(SequencerOptions.builder().maxGapFrames(1).build());
        feed(decoded("a", 0, W, H), decoded("a", 1, W, H), decoded("a", 3, W, H));

        assertThat(drainDescribed()).containsExactly("a:0:FIRST_FRAME", "a:1:NONE", "a:3:GAP");
    }

    @Test
    void aNewFrameSizeResets() throws Exception {
        open(SequencerOptions.defaults());
        feed(decoded("a", 0, W, H), decoded("a", 1, 80, H), decoded("a", 2, 80, H), decoded("a", 3, 80, 64));

        assertThat(drainDescribed())
                .containsExactly("a:0:FIRST_FRAME", "a:1:GEOMETRY_CHANGE", "a:2:NONE", "a:3:GEOMETRY_CHANGE");
    }

    @Test
    void resetWithPixelsResetsAtThatFrame() throws Exception {
        open(SequencerOptions.defaults());
        feed(decoded("a", 0, W, H), decoded("a", 1, W, H, Control.RESET), decoded("a", 2, W, H));

        assertThat(drainDescribed()).containsExactly("a:0:FIRST_FRAME", "a:1:RESET", "a:2:NONE");
    }

    @Test
    void aResetBecauseTheSourceReconnectedSaysSo() throws Exception {
        open(SequencerOptions.defaults());
        DecodedFrame reconnected = decoded("a", 2, W, H, Control.RESET);
        reconnected.resetCause = ResetCause.SOURCE_RECONNECTED;
        DecodedFrame unsaid = decoded("a", 4, W, H, Control.RESET);
        unsaid.resetCause = ResetCause.OTHER;
        feed(decoded("a", 0, W, H), decoded("a", 1, W, H), reconnected, decoded("a", 3, W, H), unsaid);

        assertThat(drainDescribed())
                .containsExactly("a:0:FIRST_FRAME", "a:1:NONE", "a:2:SOURCE_RECONNECTED", "a:3:NONE", "a:4:RESET");
    }

    @Test
    void controlOnlyResetResetsAtTheNextFrame() throws Exception {
        open(SequencerOptions.defaults());
        feed(decoded("a", 0, W, H), controlOnly("a", 1, Control.RESET), controlOnly("a", 1, Control.RESET),
                decoded("a", 2, W, H), decoded("a", 3, W, H));

        assertThat(drainDescribed()).containsExactly("a:0:FIRST_FRAME", "a:2:RESET", "a:3:NONE");
    }

    @Test
    void resetTakesPrecedenceOverGapAndGeometry() throws Exception {
        open(SequencerOptions.defaults());
        feed(decoded("a", 0, W, H), decoded("a", 100, 80, 64, Control.RESET), decoded("a", 200, 32, 32));

        assertThat(drainDescribed()).containsExactly("a:0:FIRST_FRAME", "a:100:RESET", "a:200:GAP");
    }

    @Test
    void endEmitsAnEndMarkerAndClearsAllState() throws Exception {
        open(SequencerOptions.defaults());
        feed(decoded("a", 0, W, H), decoded("a", 1, W, H));
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        feed(controlOnly("a", 2, Control.END));

        assertThat(drainDescribed()).containsExactly("a:0:FIRST_FRAME", "a:1:NONE", "a:END:END_OF_STREAM");
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();

        // The stream id may be reused: it starts over.
        feed(decoded("a", 0, W, H));
        assertThat(drainDescribed()).containsExactly("a:0:FIRST_FRAME");
    }

    @Test
    void endWithPixelsProcessesTheFrameThenEnds() throws Exception {
        open(SequencerOptions.defaults());
        feed(decoded("a", 0, W, H), decoded("a", 1, W, H, Control.END));

        assertThat(drainDescribed()).containsExactly("a:0:FIRST_FRAME", "a:1:NONE", "a:END:END_OF_STREAM");
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void endAtTheLastSeqIsHonouredButAStaleEndIsDropped() throws Exception {
        open(SequencerOptions.defaults());
        feed(decoded("a", 0, W, H), decoded("a", 1, W, H), decoded("a", 2, W, H), controlOnly("a", 1, Control.END));
        assertThat(drainDescribed()).containsExactly("a:0:FIRST_FRAME", "a:1:NONE", "a:2:NONE");
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);

        feed(controlOnly("a", 2, Control.END));
        assertThat(drainDescribed()).containsExactly("a:END:END_OF_STREAM");
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void anIdleStreamEndsAndItsStateIsCleared() throws Exception {
        open(SequencerOptions.builder().idleTimeout(Duration.ofSeconds(60)).build());
        harness.setProcessingTime(1_000);
        feed(decoded("a", 0, W, H));
        harness.setProcessingTime(31_000);
        feed(decoded("a", 1, W, H));
        assertThat(harness.numProcessingTimeTimers()).as("the previous timer is deleted").isEqualTo(1);

        harness.setProcessingTime(61_000); // the first frame's deadline: no longer armed
        assertThat(drainDescribed()).containsExactly("a:0:FIRST_FRAME", "a:1:NONE");

        harness.setProcessingTime(91_000);
        assertThat(drainDescribed()).containsExactly("a:END:IDLE_TIMEOUT");
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void timeTheJobWasDownIsNotIdleTime() throws Exception {
        SequencerOptions options = SequencerOptions.builder().idleTimeout(Duration.ofSeconds(60)).build();
        open(options);
        harness.setProcessingTime(1_000);
        feed(decoded("a", 0, W, H), decoded("a", 1, W, H));
        OperatorSubtaskState snapshot = harness.snapshot(1, 2_000);
        harness.close();

        // Restored ten minutes later: the deadline (61 s) passed while the job was down.
        harness = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new FrameSequencer(options)),
                DecodedFrame.byStreamId(), Types.STRING);
        harness.setProcessingTime(600_000);
        harness.initializeState(snapshot);
        harness.open();
        harness.setProcessingTime(601_000); // the restored timer fires: not idle for 60 s of running time yet
        assertThat(drainDescribed()).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);

        feed(decoded("a", 2, W, H));
        assertThat(drainDescribed()).containsExactly("a:2:NONE"); // the archive carries on, memory kept

        harness.setProcessingTime(602_000 + 60_000); // now idle for a full timeout of running time
        assertThat(drainDescribed()).containsExactly("a:END:IDLE_TIMEOUT");
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void aStreamThatStaysSilentAfterARestoreEndsOneTimeoutLater() throws Exception {
        SequencerOptions options = SequencerOptions.builder().idleTimeout(Duration.ofSeconds(60)).build();
        open(options);
        harness.setProcessingTime(1_000);
        feed(decoded("a", 0, W, H));
        OperatorSubtaskState snapshot = harness.snapshot(1, 2_000);
        harness.close();

        harness = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new FrameSequencer(options)),
                DecodedFrame.byStreamId(), Types.STRING);
        harness.setProcessingTime(600_000);
        harness.initializeState(snapshot);
        harness.open();
        harness.setProcessingTime(600_500);
        assertThat(drainDescribed()).isEmpty();
        harness.setProcessingTime(600_500 + 60_000);
        assertThat(drainDescribed()).containsExactly("a:END:IDLE_TIMEOUT");
    }

    @Test
    void anIdleTimeoutOfZeroRegistersNoTimers() throws Exception {
        open(SequencerOptions.builder().idleTimeout(Duration.ZERO).build());
        feed(decoded("a", 0, W, H), decoded("a", 1, W, H));
        harness.setProcessingTime(Long.MAX_VALUE / 2);

        assertThat(harness.numProcessingTimeTimers()).isZero();
        assertThat(drainDescribed()).containsExactly("a:0:FIRST_FRAME", "a:1:NONE");
    }

    @Test
    void streamsAreIndependent() throws Exception {
        open(SequencerOptions.defaults());
        feed(decoded("a", 0, W, H), decoded("b", 7, W, H), decoded("a", 1, W, H), decoded("b", 7, W, H),
                controlOnly("a", 2, Control.END), decoded("b", 8, W, H));

        assertThat(drainDescribed())
                .containsExactly("a:0:FIRST_FRAME", "b:7:FIRST_FRAME", "a:1:NONE", "a:END:END_OF_STREAM", "b:8:NONE");
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
    }

    @Test
    void stateAndTimersSurviveARestore() throws Exception {
        SequencerOptions options = SequencerOptions.defaults();
        open(options);
        harness.setProcessingTime(0);
        feed(decoded("a", 0, W, H), decoded("a", 1, W, H));
        drain();
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new FrameSequencer(options)), DecodedFrame.byStreamId(), Types.STRING);
        harness.setProcessingTime(0);
        harness.initializeState(snapshot);
        harness.open();
        feed(decoded("a", 1, W, H), decoded("a", 2, 80, H));
        assertThat(drainDescribed()).containsExactly("a:2:GEOMETRY_CHANGE");

        harness.setProcessingTime(60_000);
        assertThat(drainDescribed()).containsExactly("a:END:IDLE_TIMEOUT");
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void theFunctionTravelsInAJobGraph() throws Exception {
        SequencerOptions options = SequencerOptions.builder().maxGapFrames(3).build();
        assertThat(InstantiationUtil.clone(new FrameSequencer(options)).options()).isEqualTo(options);
    }

    @Test
    void optionsAreCheckedAndReadFromConfiguration() {
        assertThatThrownBy(() -> SequencerOptions.builder().maxGapFrames(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxGapFrames must be at least 1");

        Configuration config = new Configuration();
        config.set(SequencerOptions.MAX_GAP_FRAMES, 9);
        config.set(SequencerOptions.IDLE_TIMEOUT, Duration.ofMinutes(-1));
        SequencerOptions options = SequencerOptions.fromConfig(config);
        assertThat(options.maxGapFrames()).isEqualTo(9);
        assertThat(options.idleTimeoutEnabled()).isFalse();
        assertThat(SequencerOptions.defaults().idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(SequencerOptions.defaults().maxGapFrames()).isEqualTo(5);
    }
}
