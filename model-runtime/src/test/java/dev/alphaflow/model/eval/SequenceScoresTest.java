package dev.alphaflow.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import org.junit.jupiter.api.Test;

class SequenceScoresTest {

  @Test
  void meansAndTrim() {
    SequenceScores s = new SequenceScores();
    assertThat(s.meanJ()).isNaN();
    for (int i = 0; i < 40; i++) {
      s.add(i / 40.0, 1 - i / 80.0);
    }
    assertThat(s.frames()).isEqualTo(40);
    assertThat(s.meanJ()).isCloseTo(19.5 / 40, offset(1e-12));
    assertThat(s.meanF()).isCloseTo(1 - 19.5 / 80, offset(1e-12));
    assertThat(s.meanJF()).isCloseTo((s.meanJ() + s.meanF()) / 2, offset(1e-15));
    SequenceScores t = s.trimmed(1, 1);
    assertThat(t.frames()).isEqualTo(38);
    assertThat(t.frameJ()[0]).isEqualTo(1 / 40.0);
    assertThat(t.meanJ()).isCloseTo(19.5 / 40, offset(1e-12));
  }

  @Test
  void addsMasks() {
    boolean[] a = new boolean[16];
    a[5] = true;
    a[6] = true;
    boolean[] b = new boolean[16];
    b[5] = true;
    SequenceScores s = new SequenceScores().add(a, a, 4, 4).add(a, b, 4, 4);
    assertThat(s.frameJ()).containsExactly(1.0, 0.5);
    assertThat(s.frameF()[0]).isEqualTo(1.0);
    assertThat(s.frameF()[1]).isEqualTo(SegmentationMetrics.boundaryF(a, b, 4, 4));
  }
}
