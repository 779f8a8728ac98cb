package dev.alphaflow.model.instances;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.alphaflow.model.image.RgbImage;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Letterbox geometry: Ultralytics' sizes and padding, exact round trips, and the resized pixels. */
class LetterboxTest {

  @Test
  void messiGeometryMatchesUltralytics() {
    // 548x342 into 320x320: r = 320/548, 342 * r = 199.7 -> 200 rows, (320 - 200) / 2 = 60 rows of padding on top.
    Letterbox lb = Letterbox.fit(548, 342, 320, 320);
    assertThat(lb.scaledWidth()).isEqualTo(320);
    assertThat(lb.scaledHeight()).isEqualTo(200);
    assertThat(lb.padX()).isZero();
    assertThat(lb.padY()).isEqualTo(60);
    assertThat(lb.toInputX(0)).isZero();
    assertThat(lb.toInputY(0)).isEqualTo(60.0);
    assertThat(lb.toInputX(548)).isCloseTo(320.0, within(1e-9));
    assertThat(lb.toInputY(342)).isCloseTo(260.0, within(1e-9));
  }

  @Test
  void oddPaddingPutsTheExtraPixelAtTheBottom() {
    // 100x47 -> 32x15 (47 * 0.32 = 15.04): 17 rows to pad, round(8.5 - 0.1) = 8 on top, 9 below.
    Letterbox lb = Letterbox.fit(100, 47, 32, 32);
    assertThat(lb.scaledHeight()).isEqualTo(15);
    assertThat(lb.padY()).isEqualTo(8);
    Letterbox tall = Letterbox.fit(30, 90, 32, 32);
    assertThat(tall.scaledWidth()).isEqualTo(11);
    assertThat(tall.padX()).isEqualTo(10);
  }

  @Test
  void pointsAndBoxesRoundTrip() {
    Random random = new Random(3);
    for (int[] sizes : new int[][] {{548, 342, 320, 320}, {854, 480, 320, 320}, {480, 854, 320, 320},
        {64, 32, 32, 32}, {7, 5, 320, 320}}) {
      Letterbox lb = Letterbox.fit(sizes[0], sizes[1], sizes[2], sizes[3]);
      for (int i = 0; i < 100; i++) {
        double x = random.nextDouble() * sizes[0];
        double y = random.nextDouble() * sizes[1];
        assertThat(lb.toFrameX(lb.toInputX(x))).isCloseTo(x, within(1e-9));
        assertThat(lb.toFrameY(lb.toInputY(y))).isCloseTo(y, within(1e-9));
      }
      Box frameBox = new Box(1, 2, sizes[0] - 1, sizes[1] - 2);
      Box back = lb.toFrame(lb.toInput(frameBox));
      assertThat(back.x0()).isCloseTo(frameBox.x0(), within(1e-3f));
      assertThat(back.y1()).isCloseTo(frameBox.y1(), within(1e-3f));
      // The whole input maps to more than the frame; toFrame clips to it.
      Box whole = lb.toFrame(new Box(0, 0, sizes[2], sizes[3]));
      assertThat(whole).isEqualTo(new Box(0, 0, sizes[0], sizes[1]));
    }
  }

  @Test
  void fillResizesInsideAndPadsOutside() {
    byte[] rgb = new byte[64 * 32 * 3];
    for (int i = 0; i < rgb.length; i += 3) {
      rgb[i] = 10;
      rgb[i + 1] = (byte) 128;
      rgb[i + 2] = (byte) 250;
    }
    Letterbox lb = Letterbox.fit(64, 32, 32, 32);
    float[] chw = new float[3 * 32 * 32];
    lb.fill(new RgbImage(64, 32, rgb), chw, 114f / 255f);
    int plane = 32 * 32;
    for (int y = 0; y < 32; y++) {
      boolean inside = y >= 8 && y < 24;
      for (int x = 0; x < 32; x++) {
        int i = y * 32 + x;
        assertThat(chw[i]).isCloseTo(inside ? 10 / 255f : 114 / 255f, within(1e-6f));
        assertThat(chw[2 * plane + i]).isCloseTo(inside ? 250 / 255f : 114 / 255f, within(1e-6f));
      }
    }
  }

  @Test
  void identityCopiesAndHalvingAveragesPairs() {
    Random random = new Random(5);
    byte[] rgb = new byte[4 * 2 * 3];
    random.nextBytes(rgb);
    RgbImage frame = new RgbImage(4, 2, rgb);
    float[] same = new float[3 * 8];
    Letterbox.stretch(4, 2, 4, 2).fill(frame, same, 0f);
    for (int p = 0; p < 8; p++) {
      for (int c = 0; c < 3; c++) {
        assertThat(same[c * 8 + p]).isEqualTo((rgb[p * 3 + c] & 0xff) / 255f);
      }
    }
    // 4x2 -> 2x1: output pixel (0, 0) samples at (0.5, 0.5), the mean of frame pixels (0..1, 0..1).
    float[] half = new float[3 * 2];
    Letterbox.stretch(4, 2, 2, 1).fill(frame, half, 0f);
    float expected = ((rgb[0] & 0xff) + (rgb[3] & 0xff) + (rgb[12] & 0xff) + (rgb[15] & 0xff)) / 4f / 255f;
    assertThat(half[0]).isCloseTo(expected, within(1e-6f));
  }
}
