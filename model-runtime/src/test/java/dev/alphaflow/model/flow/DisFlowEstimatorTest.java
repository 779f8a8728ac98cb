package dev.alphaflow.model.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.alphaflow.model.image.RgbImage;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DisFlowEstimatorTest {

  private static final int W = 160;
  private static final int H = 120;
  private static final int MARGIN = 16;
  private static final float[] TEXTURE = smoothTexture(W + 2 * MARGIN, H + 2 * MARGIN, 7);

  @ParameterizedTest
  @EnumSource(DisPreset.class)
  void recoversTheShiftOfATexture(DisPreset preset) {
    // to(x + (3, -2)) = from(x): the flow from -> to is (3, -2) everywhere.
    RgbImage from = crop(0, 0);
    RgbImage to = crop(-3, 2);
    try (DisFlowEstimator dis = new DisFlowEstimator(preset)) {
      FlowField flow = dis.estimate(from, to);
      assertThat(flow.width()).isEqualTo(W);
      assertThat(flow.height()).isEqualTo(H);
      double epe = interiorEndPointError(flow, 3, -2);
      assertThat(epe).as("mean end-point error of %s", preset).isLessThan(0.35);

      // Backward warping `to` by that flow brings it back onto `from`.
      float[] warped = FlowWarp.warp(gray(to), 1, flow);
      float[] original = gray(from);
      double error = 0;
      int count = 0;
      for (int y = 8; y < H - 8; y++) {
        for (int x = 8; x < W - 8; x++) {
          error += Math.abs(warped[y * W + x] - original[y * W + x]);
          count++;
        }
      }
      assertThat(error / count).as("mean |warp(to) - from| in grey levels").isLessThan(3.0);

      // The estimator is reused across frames of one stream: a second pair gives the reverse motion.
      double reverse = interiorEndPointError(dis.estimate(to, from), -3, 2);
      assertThat(reverse).isLessThan(0.35);
    }
  }

  @Test
  void aPairsFlowDoesNotDependOnThePairsEstimatedBefore() {
    try (DisFlowEstimator used = new DisFlowEstimator(DisPreset.FAST);
        DisFlowEstimator fresh = new DisFlowEstimator(DisPreset.FAST)) {
      used.estimate(crop(0, 0), crop(-5, 4)); // another motion first: DIS would start from its flow if it were kept
      float[] after = used.estimate(crop(0, 0), crop(-3, 2)).data();
      assertThat(after).isEqualTo(fresh.estimate(crop(0, 0), crop(-3, 2)).data());
    }
  }

  @Test
  void lumaPlanesGiveTheFlowOfTheirGreyImagesWithoutTheRoundTrip() {
    byte[] from = FlowInput.luma(crop(0, 0), W);
    byte[] to = FlowInput.luma(crop(-3, 2), W);
    try (DisFlowEstimator dis = new DisFlowEstimator(DisPreset.FAST)) {
      FlowField direct = dis.estimateLuma(from, to, W, H);
      assertThat(interiorEndPointError(direct, 3, -2)).isLessThan(0.35);
      FlowField viaRgb = dis.estimate(FlowInput.asRgb(from, W, H), FlowInput.asRgb(to, W, H));
      assertThat(direct.data()).isEqualTo(viaRgb.data());
      assertThatThrownBy(() -> dis.estimateLuma(from, new byte[7], W, H))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("160x120 luma planes");
    }
  }

  @Test
  void rejectsFramesOfDifferentSizesAndUseAfterClose() {
    DisFlowEstimator dis = new DisFlowEstimator(DisPreset.ULTRAFAST);
    RgbImage small = new RgbImage(8, 8, new byte[8 * 8 * 3]);
    assertThatThrownBy(() -> dis.estimate(crop(0, 0), small))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("160x120 and 8x8");
    dis.close();
    dis.close(); // idempotent
    assertThatThrownBy(() -> dis.estimate(small, small)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> dis.estimateLuma(new byte[64], new byte[64], 8, 8))
        .isInstanceOf(IllegalStateException.class);
  }

  private static double interiorEndPointError(FlowField flow, float dx, float dy) {
    double sum = 0;
    int count = 0;
    for (int y = 8; y < H - 8; y++) {
      for (int x = 8; x < W - 8; x++) {
        sum += Math.hypot(flow.dx(x, y) - dx, flow.dy(x, y) - dy);
        count++;
      }
    }
    return sum / count;
  }

  /** The frame whose pixel (x, y) is the texture at (x + MARGIN + ox, y + MARGIN + oy). */
  private static RgbImage crop(int ox, int oy) {
    int tw = W + 2 * MARGIN;
    byte[] rgb = new byte[W * H * 3];
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        int v = Math.round(TEXTURE[(y + MARGIN + oy) * tw + x + MARGIN + ox]);
        int i = (y * W + x) * 3;
        // Colour channels differ so the luma conversion is exercised, not a copy of one channel.
        rgb[i] = (byte) v;
        rgb[i + 1] = (byte) (255 - v);
        rgb[i + 2] = (byte) (v / 2);
      }
    }
    return new RgbImage(W, H, rgb);
  }

  private static float[] gray(RgbImage image) {
    byte[] rgb = image.rgb();
    float[] g = new float[image.pixelCount()];
    for (int i = 0; i < g.length; i++) {
      g[i] = 0.299f * (rgb[3 * i] & 0xff) + 0.587f * (rgb[3 * i + 1] & 0xff) + 0.114f * (rgb[3 * i + 2] & 0xff);
    }
    return g;
  }

  /** Random grey levels on a coarse 6 px lattice, bilinearly interpolated: smooth blobs DIS can track. */
  private static float[] smoothTexture(int w, int h, long seed) {
    int cell = 6;
    int lw = w / cell + 2;
    int lh = h / cell + 2;
    Random random = new Random(seed);
    float[] lattice = new float[lw * lh];
    for (int i = 0; i < lattice.length; i++) {
      lattice[i] = 20 + 215 * random.nextFloat();
    }
    float[] t = new float[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        float fx = (float) x / cell;
        float fy = (float) y / cell;
        int x0 = (int) fx;
        int y0 = (int) fy;
        float wx = fx - x0;
        float wy = fy - y0;
        float top = lattice[y0 * lw + x0] * (1 - wx) + lattice[y0 * lw + x0 + 1] * wx;
        float bottom = lattice[(y0 + 1) * lw + x0] * (1 - wx) + lattice[(y0 + 1) * lw + x0 + 1] * wx;
        t[y * w + x] = top * (1 - wy) + bottom * wy;
      }
    }
    return t;
  }
}
