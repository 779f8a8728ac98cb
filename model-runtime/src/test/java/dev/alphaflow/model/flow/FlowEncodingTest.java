package dev.alphaflow.model.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import org.junit.jupiter.api.Test;

/** KITTI 16-bit PNG flow round trip and the Middlebury colour coding at known directions. */
class FlowEncodingTest {

  @Test
  void kittiPngRoundTripsToAQuarterOfA64thOfAPixelAndMarksInvalidPixels() {
    int w = 5;
    int h = 3;
    float[] data = new float[2 * w * h];
    for (int i = 0; i < w * h; i++) {
      data[i] = -40.3f + 7.77f * i;
      data[w * h + i] = 12.01f - 1.5f * i;
    }
    data[4] = Float.NaN; // one pixel without flow
    byte[] png = KittiFlowPng.encode(new FlowField(w, h, data));
    assertThat(png).startsWith(0x89, 'P', 'N', 'G');
    FlowField back = KittiFlowPng.decode(png);
    assertThat(back.width()).isEqualTo(w);
    assertThat(back.height()).isEqualTo(h);
    for (int i = 0; i < w * h; i++) {
      if (i == 4) {
        assertThat(back.data()[i]).isNaN();
        assertThat(back.data()[w * h + i]).isNaN();
        continue;
      }
      assertThat(back.data()[i]).isCloseTo(data[i], offset(0.5f / 64 + 1e-6f));
      assertThat(back.data()[w * h + i]).isCloseTo(data[w * h + i], offset(0.5f / 64 + 1e-6f));
    }
  }

  @Test
  void kittiDecodeRejectsAnEightBitPng() {
    byte[] png = ImageCodec.encodeRgbPng(new RgbImage(2, 2, new byte[12]));
    assertThatThrownBy(() -> KittiFlowPng.decode(png)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("16-bit");
  }

  @Test
  void colourWheelIsWhiteAtRestAndFollowsMiddleburyHues() {
    // Pixels: zero, +x (right), +y (down), -x (left), and 2x beyond the maximum to the right.
    float[] u = {0, 1, 0, -1, 2};
    float[] v = {0, 0, 1, 0, 0};
    float[] data = new float[10];
    System.arraycopy(u, 0, data, 0, 5);
    System.arraycopy(v, 0, data, 5, 5);
    RgbImage c = FlowColors.toColor(new FlowField(5, 1, data), 1.0);
    assertThat(c.rgbAt(0, 0) & 0xffffff).isEqualTo(0xffffff);
    // Middlebury's wheel index is (atan2(-v, -u) / pi + 1) / 2 * 54: to the left 27 (cyan-blue);
    // to the right, index 0 / 54 (red).
    int right = c.rgbAt(1, 0);
    assertThat((right >> 16) & 0xff).isEqualTo(255);
    assertThat(right & 0xff).isLessThan(40);
    int left = c.rgbAt(3, 0);
    assertThat((left >> 16) & 0xff).isZero();
    assertThat(left & 0xff).isEqualTo(255);
    int down = c.rgbAt(2, 0); // atan2(-1, 0) = -pi/2 -> index 13.5: yellow (red-yellow end)
    assertThat((down >> 16) & 0xff).isGreaterThan(200);
    assertThat((down >> 8) & 0xff).isGreaterThan(200);
    assertThat(down & 0xff).isLessThan(40);
    int beyond = c.rgbAt(4, 0); // darkened to 0.75
    assertThat((beyond >> 16) & 0xff).isEqualTo(191);
  }
}
