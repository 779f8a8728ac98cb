package dev.alphaflow.model.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FlowWarpTest {

  private static final int W = 23;
  private static final int H = 17;

  @Test
  void integerShiftCopiesPixelsAndRepeatsTheBorder() {
    float[] src = random(1, W * H, 1);
    float[] dst = FlowWarp.warp(src, 1, FlowField.constant(W, H, 2, -1));
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        int sx = Math.min(x + 2, W - 1);
        int sy = Math.max(y - 1, 0);
        assertThat(dst[y * W + x]).as("(%s, %s)", x, y).isEqualTo(src[sy * W + sx]);
      }
    }
  }

  @Test
  void zeroFlowIsTheIdentity() {
    float[] src = random(2, 3 * W * H, 1);
    assertThat(FlowWarp.warp(src, 3, FlowField.constant(W, H, 0, 0))).containsExactly(src);
  }

  @Test
  void bilinearSamplingReproducesALinearRamp() {
    // Bilinear interpolation is exact on a linear function, so sub-pixel affine motion inside the frame must land
    // exactly on the ramp's value at the sample point.
    float[] ramp = new float[W * H];
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        ramp[y * W + x] = 0.5f * x - 0.25f * y + 3;
      }
    }
    float[] data = new float[2 * W * H];
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        // A small rotation and zoom about the centre: stays inside the frame.
        double cx = x - (W - 1) / 2.0;
        double cy = y - (H - 1) / 2.0;
        data[y * W + x] = (float) (0.8 * cx - 0.1 * cy - cx + 0.37);
        data[W * H + y * W + x] = (float) (0.1 * cx + 0.8 * cy - cy - 0.21);
      }
    }
    FlowField flow = new FlowField(W, H, data);
    float[] dst = FlowWarp.warp(ramp, 1, flow);
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        float sx = x + flow.dx(x, y);
        float sy = y + flow.dy(x, y);
        assertThat(dst[y * W + x]).isCloseTo(0.5f * sx - 0.25f * sy + 3, offset(1e-4f));
      }
    }
  }

  @Test
  void matchesGridSampleAlignCornersBorderOnRandomFlowAndChannels() {
    int channels = 4;
    float[] src = random(3, channels * W * H, 1);
    float[] flowData = random(4, 2 * W * H, 30); // displacements up to ±15 px, many samples off the frame
    FlowField flow = new FlowField(W, H, flowData);
    float[] dst = FlowWarp.warp(src, channels, flow);
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
          double expected = gridSampleReference(src, c, x + flow.dx(x, y), y + flow.dy(x, y));
          assertThat((double) dst[c * W * H + y * W + x]).isCloseTo(expected, offset(1e-5));
        }
      }
    }
  }

  @Test
  void rejectsMismatchedSizesAndInPlaceUse() {
    FlowField flow = FlowField.constant(W, H, 1, 1);
    assertThatThrownBy(() -> FlowWarp.warp(new float[W * H + 1], 1, flow))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("23x17");
    float[] same = new float[W * H];
    assertThatThrownBy(() -> FlowWarp.warp(same, 1, flow, same))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("in place");
    assertThatThrownBy(() -> new FlowField(W, H, new float[W * H]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dx plane");
  }

  /**
   * PyTorch's grid_sample written out: normalise the pixel coordinate to [-1, 1] with align_corners=True, map it
   * back, clip it to the frame (border padding), and take the four neighbours with bilinear weights, neighbours off
   * the frame contributing zero.
   */
  private static double gridSampleReference(float[] src, int c, double px, double py) {
    double gx = 2 * px / (W - 1) - 1;
    double gy = 2 * py / (H - 1) - 1;
    double ix = Math.min(Math.max((gx + 1) / 2 * (W - 1), 0), W - 1);
    double iy = Math.min(Math.max((gy + 1) / 2 * (H - 1), 0), H - 1);
    int x0 = (int) Math.floor(ix);
    int y0 = (int) Math.floor(iy);
    double sum = 0;
    for (int dy = 0; dy <= 1; dy++) {
      for (int dx = 0; dx <= 1; dx++) {
        int xi = x0 + dx;
        int yi = y0 + dy;
        double weight = (dx == 0 ? 1 - (ix - x0) : ix - x0) * (dy == 0 ? 1 - (iy - y0) : iy - y0);
        if (xi >= 0 && xi < W && yi >= 0 && yi < H) {
          sum += weight * src[c * W * H + yi * W + xi];
        }
      }
    }
    return sum;
  }

  private static float[] random(long seed, int n, float range) {
    Random random = new Random(seed);
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = (random.nextFloat() - 0.5f) * range;
    }
    return values;
  }
}
