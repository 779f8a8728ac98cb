package dev.alphaflow.model.vos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.alphaflow.model.image.RgbImage;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The refining guided filter: constants stay, edges of the guide are kept, regions match the whole frame. */
class GuidedFilterTest {

  private static final int W = 64;
  private static final int H = 48;

  /** Dark left half, bright right half (edge between columns 31 and 32), with a little noise. */
  private static RgbImage stepImage() {
    byte[] rgb = new byte[W * H * 3];
    Random random = new Random(3);
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        int v = (x < 32 ? 40 : 210) + random.nextInt(5);
        int i = 3 * (y * W + x);
        rgb[i] = (byte) v;
        rgb[i + 1] = (byte) v;
        rgb[i + 2] = (byte) v;
      }
    }
    return new RgbImage(W, H, rgb);
  }

  @Test
  void constantInputStaysConstant() {
    float[] input = new float[W * H];
    java.util.Arrays.fill(input, 0.3f);
    float[] out = new GuidedFilter(stepImage(), 4, 1e-3f).filter(input);
    for (float v : out) {
      assertThat(v).isCloseTo(0.3f, offset(1e-4f));
    }
  }

  @Test
  void blurredMaskSnapsToTheGuidesEdge() {
    // a probability ramp from column 28 to 36, centred on the image edge but 8 pixels wide
    float[] input = new float[W * H];
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        input[y * W + x] = Math.min(1f, Math.max(0f, (x - 28) / 8f));
      }
    }
    float[] out = new GuidedFilter(stepImage(), 4, 1e-3f).filter(input);
    int row = 20 * W;
    assertThat(out[row + 29]).isLessThan(0.3f);     // ramp said 0.125..: the dark side goes towards 0
    assertThat(out[row + 30]).isLessThan(0.35f);
    assertThat(out[row + 33]).isGreaterThan(0.65f);  // the bright side towards 1
    assertThat(out[row + 34]).isGreaterThan(0.7f);
  }

  @Test
  void regionMatchesTheWholeFrameAwayFromItsInnerBorder() {
    RgbImage image = stepImage();
    Random random = new Random(5);
    float[] input = new float[W * H];
    for (int i = 0; i < input.length; i++) {
      input[i] = random.nextFloat();
    }
    int r = 3;
    float[] whole = new GuidedFilter(image, r, 1e-2f).filter(input);
    int x0 = 10;
    int y0 = 0; // touches the top edge of the frame
    int w = 30;
    int h = 25;
    float[] region = new GuidedFilter(image, x0, y0, w, h, r, 1e-2f).filter(input);
    assertThat(region).hasSize(w * h);
    for (int y = 0; y < h - 2 * r; y++) {          // the top is the frame's edge; the bottom is 2r inside
      for (int x = 2 * r; x < w - 2 * r; x++) {
        assertThat(region[y * w + x]).as("(%d, %d)", x, y).isCloseTo(whole[(y0 + y) * W + x0 + x], offset(1e-4f));
      }
    }
  }
}
