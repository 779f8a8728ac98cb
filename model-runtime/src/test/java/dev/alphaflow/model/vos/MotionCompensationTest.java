package dev.alphaflow.model.vos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.alphaflow.model.flow.DisPreset;
import dev.alphaflow.model.flow.FlowField;
import dev.alphaflow.model.image.RgbImage;
import org.junit.jupiter.api.Test;

/** Moving the previous grid mask by DIS flow: a texture shifted by a known amount moves the mask by as many cells. */
class MotionCompensationTest {

  static final int W = 320;
  static final int H = 192;

  /** A smooth texture (sums of sines) shifted right by {@code shift} pixels. */
  static RgbImage texture(int shift) {
    byte[] rgb = new byte[W * H * 3];
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        double u = x - shift;
        double v = 128 + 50 * Math.sin(u * 0.21) * Math.cos(y * 0.17) + 40 * Math.sin((u + 2 * y) * 0.07);
        byte b = (byte) Math.max(0, Math.min(255, (int) Math.round(v)));
        int p = 3 * (y * W + x);
        rgb[p] = b;
        rgb[p + 1] = b;
        rgb[p + 2] = b;
      }
    }
    return new RgbImage(W, H, rgb);
  }

  /** The key grid of a {@code W x H} frame at stride 8 (only its geometry matters here). */
  static KeyGrid grid() {
    return new KeyGrid(W / 8, H / 8, 1, new float[(W / 8) * (H / 8)], 1.0 / 8, 1.0 / 8);
  }

  @Test
  void aTextureMovedByOneCellMovesTheMaskByOneCell() {
    VosOptions options = VosOptions.builder().flowPreset(DisPreset.MEDIUM).flowMaxSide(W).build();
    try (MotionCompensation motion = new MotionCompensation(options)) {
      KeyGrid grid = grid();
      MotionCompensation.Luma previous = motion.luma(texture(0));
      MotionCompensation.Luma current = motion.luma(texture(8)); // everything moved 8 px = one cell right
      FlowField flow = motion.gridFlow(previous, current, grid, W, H);
      int gw = grid.width();
      int gh = grid.height();
      // previous -> current points one cell right, away from the frame's edges
      float[] f = flow.data();
      for (int gy = 4; gy < gh - 4; gy++) {
        for (int gx = 4; gx < gw - 4; gx++) {
          assertThat(f[gy * gw + gx]).as("dx at %d,%d", gx, gy).isCloseTo(1f, within(0.15f));
          assertThat(f[gw * gh + gy * gw + gx]).as("dy at %d,%d", gx, gy).isCloseTo(0f, within(0.15f));
        }
      }
      float[] mask = new float[gw * gh];
      for (int gy = 8; gy < 16; gy++) {
        for (int gx = 10; gx < 20; gx++) {
          mask[gy * gw + gx] = 1f;
        }
      }
      float[] moved = MotionCompensation.move(mask, flow);
      assertThat(moved[12 * gw + 20]).as("cell entered").isGreaterThan(0.8f);
      assertThat(moved[12 * gw + 10]).as("cell left").isLessThan(0.2f);
      assertThat(moved[12 * gw + 15]).as("inside").isGreaterThan(0.9f);
      for (float v : moved) {
        assertThat(v).isBetween(0f, 1f); // converging sums are capped
      }
    }
  }

  @Test
  void lumaSurvivesTheFp16FrameMemoryExactlyAndAnotherSizeGivesNoFlow() {
    VosOptions options = VosOptions.builder().flowPreset(DisPreset.FAST).flowMaxSide(160).build();
    try (MotionCompensation motion = new MotionCompensation(options)) {
      MotionCompensation.Luma luma = motion.luma(texture(3));
      assertThat(luma.width()).isEqualTo(160);
      assertThat(luma.height()).isEqualTo(96);
      MotionCompensation.Luma back = MotionCompensation.lumaOf(MotionCompensation.lumaTensor(luma));
      assertThat(back.pixels()).isEqualTo(luma.pixels());
      MotionCompensation.Luma other = new MotionCompensation.Luma(80, 48, new byte[80 * 48]);
      assertThat(motion.gridFlow(other, luma, grid(), W, H)).isNull();
      assertThat(motion.gridFlow(null, luma, grid(), W, H)).isNull();
    }
  }
}
