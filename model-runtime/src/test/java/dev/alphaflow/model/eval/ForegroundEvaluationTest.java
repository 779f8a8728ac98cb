package dev.alphaflow.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForegroundEvaluationTest {
  private static final int W = 20;
  private static final int H = 10;

  /** Columns [x0, x1) set; {@code id} as the label (any non-zero id is foreground). */
  private static int[] columns(int x0, int x1, int id) {
    int[] labels = new int[W * H];
    for (int y = 0; y < H; y++) {
      for (int x = x0; x < x1; x++) {
        labels[y * W + x] = id;
      }
    }
    return labels;
  }

  private static boolean[] foreground(int[] labels) {
    boolean[] mask = new boolean[labels.length];
    for (int i = 0; i < labels.length; i++) {
      mask[i] = labels[i] != 0;
    }
    return mask;
  }

  @Test
  void meanIouOverEveryAnnotatedFrameWithMissingFramesAsEmpty(@TempDir Path tmp) throws Exception {
    Path truth = Files.createDirectories(tmp.resolve("seq"));
    // Frame 0: objects 1 and 2 side by side, 10 columns of foreground in all; frames 1 and 2: columns 0..9 of object 1.
    int[] two = columns(0, 5, 1);
    int[] right = columns(5, 10, 2);
    for (int i = 0; i < two.length; i++) {
      two[i] = Math.max(two[i], right[i]);
    }
    DavisMasks.write(truth.resolve("00000.png"), two, W, H);
    DavisMasks.write(truth.resolve("00001.png"), columns(0, 10, 1), W, H);
    DavisMasks.write(truth.resolve("00002.png"), columns(0, 10, 1), W, H);

    ForegroundEvaluation.Result r = ForegroundEvaluation.evaluate(truth, frame -> switch (frame) {
      case 0 -> foreground(columns(0, 10, 1)); // the union of both objects: IoU 1
      case 1 -> foreground(columns(5, 15, 1)); // 5 of 15 columns: IoU 1/3
      default -> null; // no prediction: IoU 0
    });

    assertThat(r.sequence()).isEqualTo("seq");
    assertThat(r.frames()).isEqualTo(3);
    assertThat(r.missingFrames()).isEqualTo(1);
    assertThat(r.meanIou()).isCloseTo((1 + 1.0 / 3 + 0) / 3, within(1e-12));
  }

  @Test
  void aPredictionOfAnotherSizeIsAClearError(@TempDir Path tmp) throws Exception {
    Path truth = Files.createDirectories(tmp.resolve("seq"));
    DavisMasks.write(truth.resolve("00000.png"), columns(0, 10, 1), W, H);
    assertThatThrownBy(() -> ForegroundEvaluation.evaluate(truth, frame -> new boolean[7]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("frame 0 has 7 pixels").hasMessageContaining("20x10");
  }

  @Test
  void aFolderWithoutAnnotationsIsAClearError(@TempDir Path tmp) throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("none"));
    assertThatThrownBy(() -> ForegroundEvaluation.evaluate(empty, frame -> null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holds no annotation PNGs");
  }
}
