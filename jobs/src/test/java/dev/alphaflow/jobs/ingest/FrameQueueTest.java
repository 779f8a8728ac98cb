package dev.alphaflow.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.schemas.ResetCause;

class FrameQueueTest {
    private static CapturedFrame frame(long seq, ResetCause cause) {
        return new CapturedFrame(seq, 1000 + seq, new RgbImage(1, 1, new byte[3]), cause);
    }

    @Test
    void whenFullTheOldestIsDroppedAndCounted() throws Exception {
        FrameQueue q = new FrameQueue(2);
        assertThat(q.offer(frame(0, null))).isZero();
        assertThat(q.offer(frame(1, null))).isZero();
        assertThat(q.offer(frame(2, null))).isEqualTo(1);
        assertThat(q.size()).isEqualTo(2);
        assertThat(q.poll(10).seq()).isEqualTo(1);
        assertThat(q.poll(10).seq()).isEqualTo(2);
        assertThat(q.poll(10)).as("empty: times out").isNull();
    }

    @Test
    void aDroppedResetRequestMovesToTheNextFrame() throws Exception {
        FrameQueue q = new FrameQueue(2);
        q.offer(frame(5, ResetCause.SOURCE_RECONNECTED));
        q.offer(frame(6, null));
        q.offer(frame(7, null)); // drops 5
        CapturedFrame first = q.poll(10);
        assertThat(first.seq()).isEqualTo(6);
        assertThat(first.resetCause()).isEqualTo(ResetCause.SOURCE_RECONNECTED);
        assertThat(q.poll(10).resetCause()).isNull();

        FrameQueue one = new FrameQueue(1);
        one.offer(frame(1, ResetCause.SOURCE_RECONNECTED));
        one.offer(frame(2, null));
        assertThat(one.poll(10).resetCause()).isEqualTo(ResetCause.SOURCE_RECONNECTED);
    }

    @Test
    void closedQueuesDrainThenReturnNull() throws Exception {
        FrameQueue q = new FrameQueue(3);
        q.offer(frame(0, null));
        q.close();
        assertThat(q.offer(frame(1, null))).as("refused after close").isEqualTo(1);
        assertThat(q.poll(1000).seq()).isZero();
        long start = System.nanoTime();
        assertThat(q.poll(5000)).isNull();
        assertThat(System.nanoTime() - start).as("no wait once closed").isLessThan(1_000_000_000L);
    }

    @Test
    void theFpsCapKeepsTheRhythmWithoutSavingUpTurns() {
        SourceWorker.FpsCap cap = new SourceWorker.FpsCap(10); // one frame per 100 ms
        int taken = 0;
        for (long t = 0; t < 2_000; t += 40) { // a 25 fps source for 2 s
            if (cap.take(t * 1_000_000)) {
                taken++;
            }
        }
        assertThat(taken).isBetween(19, 21);
        assertThat(cap.take(10_000_000_000L)).as("after a pause").isTrue();
        assertThat(cap.take(10_010_000_000L)).as("no burst after the pause").isFalse();
    }
}
