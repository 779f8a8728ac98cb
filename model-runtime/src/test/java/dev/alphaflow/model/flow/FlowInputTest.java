package dev.alphaflow.model.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.alphaflow.model.image.Dimensions;
import dev.alphaflow.model.image.RgbImage;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FlowInputTest {

  @Test
  void flowSizeKeepsSmallFramesAndShrinksTheLongerSideToTheMaximum() {
    assertThat(FlowInput.flowSize(854, 480, 0)).isEqualTo(new Dimensions(854, 480));
    assertThat(FlowInput.flowSize(854, 480, 1000)).isEqualTo(new Dimensions(854, 480));
    assertThat(FlowInput.flowSize(854, 480, 427)).isEqualTo(new Dimensions(427, 240));
    assertThat(FlowInput.flowSize(480, 854, 427)).isEqualTo(new Dimensions(240, 427));
    assertThat(FlowInput.flowSize(1000, 3, 10)).isEqualTo(new Dimensions(10, 1));
    assertThatThrownBy(() -> FlowInput.flowSize(0, 5, 0)).hasMessageContaining("0x5");
  }

  @Test
  void lumaIsOpenCvsGreyAndTheGreyImageGivesTheSameLumaBack() {
    RgbImage frame = randomImage(37, 23, 3);
    byte[] luma = FlowInput.luma(frame, 0);
    assertThat(luma).hasSize(37 * 23);
    byte[] rgb = frame.rgb();
    for (int i = 0; i < luma.length; i++) {
      double expected = 0.299 * (rgb[3 * i] & 0xff) + 0.587 * (rgb[3 * i + 1] & 0xff) + 0.114 * (rgb[3 * i + 2] & 0xff);
      assertThat((double) (luma[i] & 0xff)).isCloseTo(expected, org.assertj.core.data.Offset.offset(1.0));
    }
    // what the stream keeps in state is exactly what DIS computes from it again
    assertThat(FlowInput.luma(FlowInput.asRgb(luma, 37, 23), 0)).isEqualTo(luma);
  }

  @Test
  void downscaledLumaAveragesBlocks() {
    // a 4x2 frame halved: each 2x2 block becomes its mean (area interpolation)
    byte[] rgb = new byte[4 * 2 * 3];
    int[] grey = {0, 100, 200, 40, 100, 0, 40, 200};
    for (int i = 0; i < grey.length; i++) {
      rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = (byte) grey[i];
    }
    byte[] small = FlowInput.luma(new RgbImage(4, 2, rgb), 2);
    assertThat(small).hasSize(2);
    assertThat(small[0] & 0xff).isEqualTo(50);
    assertThat(small[1] & 0xff).isEqualTo(120);
  }

  @Test
  void asRgbChecksTheSize() {
    assertThatThrownBy(() -> FlowInput.asRgb(new byte[5], 2, 3)).hasMessageContaining("2x3");
  }

  private static RgbImage randomImage(int w, int h, long seed) {
    byte[] rgb = new byte[w * h * 3];
    new Random(seed).nextBytes(rgb);
    return new RgbImage(w, h, rgb);
  }
}
