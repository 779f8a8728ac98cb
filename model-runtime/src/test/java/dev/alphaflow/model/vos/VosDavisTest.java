package dev.alphaflow.model.vos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.alphaflow.model.ModelRegistry;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.eval.SequenceScores;
import dev.alphaflow.model.testing.SharedTestData;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * The real MobileNetV2 feature extractor with the default options on DAVIS 2016 blackswan (50 frames, 854x480):
 * prompted with the first frame's mask, frames 1..49 reach J&amp;F 0.85. Skipped when the shared models and data are
 * not there. {@code VosEvaluation} measures both sequences and the ablation.
 */
class VosDavisTest {

  @Test
  void blackswanReachesJandF085() throws IOException {
    ModelRegistry registry;
    try {
      registry = SharedTestData.modelRegistry();
      assumeTrue(Files.isDirectory(SharedTestData.dataDir().resolve("davis2016/JPEGImages/480p/blackswan")),
          "DAVIS 2016 blackswan is not in the shared data folder");
    } catch (IllegalStateException e) {
      assumeTrue(false, "shared models/data missing: " + e.getMessage());
      return;
    }
    VosEvaluation.Sequence blackswan = VosEvaluation.Sequence.load("blackswan");
    SessionSettings settings = SessionSettings.builder().intraOpThreads(2).build();
    try (VideoObjectSegmenter segmenter = VideoObjectSegmenter.open(registry, settings, VosOptions.defaults())) {
      VosEvaluation.Run run = VosEvaluation.run(segmenter, blackswan);
      SequenceScores scores = run.scores();
      System.out.printf("VOS blackswan %d frames: J %.3f F %.3f J&F %.3f, %.0f ms/frame (median)%n", scores.frames(),
          scores.meanJ(), scores.meanF(), scores.meanJF(), run.medianMs());
      assertThat(scores.frames()).isEqualTo(49);
      assertThat(scores.meanJF()).isGreaterThanOrEqualTo(0.85);
    }
  }
}
