package dev.alphaflow.model.rvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.alphaflow.model.FrameTooSmallException;
import dev.alphaflow.model.ModelCards;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.SharedSession;
import dev.alphaflow.model.SharedSessions;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.testing.SharedTestData;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The real RVM model runs frames down to the minimum; smaller ones are rejected before ONNX Runtime, with it. */
class RvmMinimumSizeTest {

  private static RgbImage blank(int width, int height) {
    return new RgbImage(width, height, new byte[width * height * 3]);
  }

  @Test
  void framesAtTheMinimumRunAndSmallerOnesNameIt() {
    try (SharedSession session = SharedSessions.acquire(SharedTestData.modelRegistry(), ModelCards.RVM_MOBILENETV3,
            SessionSettings.defaults());
         RvmMatter auto = new RvmMatter(session, RvmOptions.defaults());
         RvmMatter quarter = new RvmMatter(session, RvmOptions.builder().downsampleRatio(0.25f).build())) {
      // At the minimum: the real model runs (small frames get ratio 1 when the ratio is automatic).
      assertThat(auto.infer(blank(3, 3), RecurrentState.initial()).width()).isEqualTo(3);
      assertThat(auto.infer(blank(3, 64), RecurrentState.initial()).height()).isEqualTo(64);
      assertThat(quarter.infer(blank(12, 12), RecurrentState.initial()).width()).isEqualTo(12);

      for (RgbImage tiny : List.of(blank(1, 1), blank(2, 2), blank(64, 2))) {
        assertThatThrownBy(() -> auto.infer(tiny, RecurrentState.initial()))
            .isInstanceOf(FrameTooSmallException.class)
            .hasMessageContaining("frame " + tiny.width() + "x" + tiny.height() + " is too small for model "
                + ModelCards.RVM_MOBILENETV3.id())
            .hasMessageContaining("frames of at least 3x3 pixels at this ratio");
      }
      assertThatThrownBy(() -> quarter.infer(blank(11, 40), RecurrentState.initial()))
          .isInstanceOf(FrameTooSmallException.class)
          .hasMessageContaining("at downsample ratio 0.25 it shrinks to 2x10")
          .hasMessageContaining("frames of at least 12x12 pixels");
      // A wide frame whose automatic ratio shrinks its short side below the minimum.
      assertThatThrownBy(() -> auto.infer(blank(2000, 8), RecurrentState.initial()))
          .isInstanceOf(FrameTooSmallException.class)
          .hasMessageContaining("shrinks to 512x2");
    }
  }

  @Test
  void minimumSideIsTheSmallestThatKeepsThreePixels() {
    assertThat(RvmMatter.minimumSide(1f)).isEqualTo(3);
    assertThat(RvmMatter.minimumSide(0.5f)).isEqualTo(6);
    assertThat(RvmMatter.minimumSide(0.25f)).isEqualTo(12);
    assertThat(RvmMatter.minimumSide(0.3f)).isEqualTo(10);
  }
}
