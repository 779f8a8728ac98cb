package dev.alphaflow.model.rvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.alphaflow.model.flow.FlowField;
import org.junit.jupiter.api.Test;

/** The warp error of {@link RvmWarpError}: zero for a matte that moves with the flow, the flicker where it does not. */
class RvmWarpErrorTest {
  private static final int W = 40;
  private static final int H = 30;

  /** A soft disc centred at (cx, cy). */
  private static float[] disc(float cx, float cy) {
    float[] a = new float[W * H];
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        double r = Math.hypot(x - cx, y - cy);
        a[y * W + x] = (float) Math.max(0, Math.min(1, 8 - r));
      }
    }
    return a;
  }

  @Test
  void aMatteThatMovesWithTheFlowHasNoWarpError() {
    // the disc moves 2 px right: flow t -> t+1 is (2, 0), back is (-2, 0)
    double error = RvmWarpError.warpError(disc(15, 15), disc(17, 15), FlowField.constant(W, H, 2, 0),
        FlowField.constant(W, H, -2, 0));
    assertThat(error).isCloseTo(0, within(1e-6));
  }

  @Test
  void aMatteThatFlickersHasItsFlickerAsError() {
    float[] still = disc(15, 15);
    float[] brighter = still.clone();
    for (int i = 0; i < brighter.length; i++) {
      brighter[i] = Math.min(1, brighter[i] + 0.1f); // every pixel 0.1 brighter except where already 1
    }
    FlowField zero = FlowField.constant(W, H, 0, 0);
    double expected = 0;
    for (int i = 0; i < still.length; i++) {
      expected += brighter[i] - still[i];
    }
    expected /= still.length;
    assertThat(RvmWarpError.warpError(still, brighter, zero, zero)).isCloseTo(expected, within(1e-6))
        .isGreaterThan(0.05);
    // the motion ignored: a moved disc compared without its flow shows an error
    assertThat(RvmWarpError.warpError(disc(15, 15), disc(17, 15), zero, zero)).isGreaterThan(0.02);
  }
}
