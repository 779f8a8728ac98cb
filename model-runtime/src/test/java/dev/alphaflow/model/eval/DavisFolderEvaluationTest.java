package dev.alphaflow.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DavisFolderEvaluationTest {

  private static final int W = 20;
  private static final int H = 10;

  /** A frame with object 1 in columns [x0, x0 + 4) and object 2 in columns [14, 18), rows 2..7. */
  private static int[] frame(int x0) {
    int[] labels = new int[W * H];
    for (int y = 2; y < 8; y++) {
      for (int x = x0; x < x0 + 4; x++) {
        labels[y * W + x] = 1;
      }
      for (int x = 14; x < 18; x++) {
        labels[y * W + x] = 2;
      }
    }
    return labels;
  }

  private static void writeSequence(Path dir, int frames, int shiftFromFrame, int shift) throws Exception {
    Files.createDirectories(dir);
    for (int t = 0; t < frames; t++) {
      DavisMasks.write(dir.resolve(String.format("%05d.png", t)), frame(t >= shiftFromFrame ? 2 + shift : 2), W, H);
    }
  }

  @Test
  void perfectPredictionsScoreOneAndTheFirstAndLastFramesAreNotScored(@TempDir Path tmp) throws Exception {
    writeSequence(tmp.resolve("truth/seq"), 5, 99, 0);
    writeSequence(tmp.resolve("pred/seq"), 4, 99, 0); // the last frame is missing: it is not scored anyway
    List<DavisFolderEvaluation.SequenceResult> results =
        DavisFolderEvaluation.evaluate(tmp.resolve("pred"), tmp.resolve("truth"));
    assertThat(results).hasSize(1);
    DavisFolderEvaluation.SequenceResult r = results.get(0);
    assertThat(r.frames()).isEqualTo(3);
    assertThat(r.missingFrames()).isZero();
    assertThat(r.perObject()).containsOnlyKeys(1, 2);
    assertThat(r.jf()).isEqualTo(1.0);
    assertThat(DavisFolderEvaluation.table(results)).contains("| seq | 2 | 3 | 0 | 1.0000 | 1.0000 | 1.0000 |");
  }

  @Test
  void aShiftedObjectLowersItsJAndAveragesOverObjects(@TempDir Path tmp) throws Exception {
    writeSequence(tmp.resolve("truth/seq"), 5, 99, 0);
    writeSequence(tmp.resolve("pred/seq"), 5, 0, 2); // object 1 shifted right by 2 columns on every frame
    DavisFolderEvaluation.SequenceResult r =
        DavisFolderEvaluation.evaluateSequence(tmp.resolve("pred/seq"), tmp.resolve("truth/seq"));
    // 4-wide boxes overlapping by 2 columns: IoU = 2 / 6.
    assertThat(r.perObject().get(1).meanJ()).isCloseTo(1.0 / 3, within(1e-9));
    assertThat(r.perObject().get(2).meanJ()).isEqualTo(1.0);
    assertThat(r.j()).isCloseTo((1.0 / 3 + 1) / 2, within(1e-9));
  }

  @Test
  void missingPredictionsCountAsEmptyMasks(@TempDir Path tmp) throws Exception {
    writeSequence(tmp.resolve("truth/seq"), 5, 99, 0);
    Files.createDirectories(tmp.resolve("pred/seq"));
    DavisFolderEvaluation.SequenceResult r =
        DavisFolderEvaluation.evaluateSequence(tmp.resolve("pred/seq"), tmp.resolve("truth/seq"));
    assertThat(r.missingFrames()).isEqualTo(3);
    assertThat(r.j()).isZero();
  }

  @Test
  void noMatchingFolderIsAClearError(@TempDir Path tmp) throws Exception {
    writeSequence(tmp.resolve("truth/a"), 5, 99, 0);
    writeSequence(tmp.resolve("pred/b"), 5, 99, 0);
    assertThatThrownBy(() -> DavisFolderEvaluation.evaluate(tmp.resolve("pred"), tmp.resolve("truth")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no folder of");
  }
}
