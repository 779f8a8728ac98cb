package dev.alphaflow.model.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FlowSplatTest {

  private static final int W = 23;
  private static final int H = 17;

  @Test
  void integerShiftMovesEveryValueAndDropsWhatLeavesTheFrame() {
    float[] src = random(1, 2 * W * H);
    float[] dst = FlowSplat.sum(src, 2, FlowField.constant(W, H, 3, -2));
    for (int c = 0; c < 2; c++) {
      for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
          int sx = x - 3;
          int sy = y + 2;
          float expected = sx >= 0 && sy < H ? src[c * W * H + sy * W + sx] : 0f;
          assertThat(dst[c * W * H + y * W + x]).as("c %s (%s, %s)", c, x, y).isEqualTo(expected);
        }
      }
    }
  }

  @Test
  void aFractionalShiftSharesEachValueBilinearlyAndKeepsTheMassInsideTheFrame() {
    float[] src = new float[W * H];
    src[5 * W + 7] = 1f;
    float[] dst = FlowSplat.sum(src, 1, FlowField.constant(W, H, 0.25f, 0.5f));
    assertThat(dst[5 * W + 7]).isCloseTo(0.75f * 0.5f, offset(1e-6f));
    assertThat(dst[5 * W + 8]).isCloseTo(0.25f * 0.5f, offset(1e-6f));
    assertThat(dst[6 * W + 7]).isCloseTo(0.75f * 0.5f, offset(1e-6f));
    assertThat(dst[6 * W + 8]).isCloseTo(0.25f * 0.5f, offset(1e-6f));
    double total = 0;
    for (float v : dst) {
      total += v;
    }
    assertThat(total).isCloseTo(1.0, offset(1e-6));
  }

  @Test
  void whereTheFlowConvergesTheValuesAddUpAndWhereItPointsNowhereTheyAreDropped() {
    float[] src = new float[W * H];
    src[4 * W + 4] = 0.6f;
    src[4 * W + 6] = 0.7f;
    float[] data = new float[2 * W * H];
    data[4 * W + 4] = 1f; // both land on (5, 4)
    data[4 * W + 6] = -1f;
    data[W * H + 4 * W + 6] = Float.NaN; // ... but this one's flow is broken: dropped, not spread
    float[] dst = FlowSplat.sum(src, 1, new FlowField(W, H, data));
    assertThat(dst[4 * W + 5]).isCloseTo(0.6f, offset(1e-6f));
    data[W * H + 4 * W + 6] = 0f;
    dst = FlowSplat.sum(src, 1, new FlowField(W, H, data));
    assertThat(dst[4 * W + 5]).isCloseTo(1.3f, offset(1e-6f));
    assertThat(dst[4 * W + 4]).isZero();
    assertThat(dst[4 * W + 6]).isZero();
  }

  @Test
  void aBackwardWarpOfAMovedObjectLeavesACopyInTheUncoveredBackgroundAndASplatDoesNot() {
    // A square moves 4 px right over a background that moves 4 px left (a camera panning with it). The flow of the
    // pixels that just came into view behind the square is a guess; DIS-like propagation gives them the
    // background's motion.
    float[] mask = new float[W * H];
    for (int y = 6; y < 11; y++) {
      for (int x = 6; x < 11; x++) {
        mask[y * W + x] = 1f;
      }
    }
    float[] forward = new float[2 * W * H];
    float[] backward = new float[2 * W * H];
    for (int i = 0; i < W * H; i++) {
      boolean square = mask[i] > 0;
      forward[i] = square ? 4f : -4f; // previous -> current
    }
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        boolean squareNow = y >= 6 && y < 11 && x >= 10 && x < 15;
        backward[y * W + x] = squareNow ? -4f : 4f; // current -> previous, background's guess everywhere else
      }
    }
    float[] splatted = FlowSplat.sum(mask, 1, new FlowField(W, H, forward));
    float[] warped = FlowWarp.warp(mask, 1, new FlowField(W, H, backward));
    for (int y = 6; y < 11; y++) {
      for (int x = 10; x < 15; x++) {
        assertThat(splatted[y * W + x]).isEqualTo(1f);
        assertThat(warped[y * W + x]).isEqualTo(1f);
      }
      // x 2..5: uncovered background to the square's old left, whose guessed flow points back at the old square
      for (int x = 2; x < 6; x++) {
        assertThat(splatted[y * W + x]).as("splat at (%s, %s)", x, y).isZero();
        assertThat(warped[y * W + x]).as("warp at (%s, %s)", x, y).isEqualTo(1f);
      }
    }
  }

  @Test
  void aMismatchedLengthIsRefusedWithTheSizes() {
    assertThatThrownBy(() -> FlowSplat.sum(new float[10], 1, FlowField.constant(W, H, 0, 0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("23x17").hasMessageContaining("got 10");
    assertThatThrownBy(() -> FlowSplat.sum(new float[W * H], 0, FlowField.constant(W, H, 0, 0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("channels");
  }

  private static float[] random(long seed, int n) {
    Random random = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = random.nextFloat();
    }
    return v;
  }
}
