package dev.alphaflow.model.vos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.alphaflow.model.image.RgbImage;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Local colour models move a trailing, blurred boundary onto the frame's colour edge and touch nothing else. */
class LocalColourModelsTest {

  private static final int W = 96;
  private static final int H = 64;

  /** A red rectangle (columns 40..71, rows 16..47) on a blue background, a little noise on both. */
  private static RgbImage rectangle() {
    byte[] rgb = new byte[W * H * 3];
    Random random = new Random(5);
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        boolean inside = x >= 40 && x < 72 && y >= 16 && y < 48;
        int i = 3 * (y * W + x);
        rgb[i] = (byte) ((inside ? 200 : 30) + random.nextInt(20));
        rgb[i + 1] = (byte) (40 + random.nextInt(20));
        rgb[i + 2] = (byte) ((inside ? 30 : 190) + random.nextInt(20));
      }
    }
    return new RgbImage(W, H, rgb);
  }

  /**
   * Background + one object whose estimate is the rectangle moved 5 px left, with a soft 4-px edge, never quite 0 or
   * 1 (as the soft aggregation's probabilities are near a boundary).
   */
  private static float[][] trailingEstimate() {
    float[] object = new float[W * H];
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        float inX = Math.min(Math.min(1f, (x - 35 + 2) / 4f), Math.min(1f, (67 - x + 2) / 4f));
        float inY = Math.min(Math.min(1f, (y - 16 + 2) / 4f), Math.min(1f, (47 - y + 2) / 4f));
        object[y * W + x] = Math.max(0.02f, Math.min(0.98f, Math.min(inX, inY)));
      }
    }
    float[] background = new float[W * H];
    for (int i = 0; i < background.length; i++) {
      background[i] = 1f - object[i];
    }
    return new float[][] {background, object};
  }

  private static int mismatches(float[][] classes) {
    int wrong = 0;
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        boolean inside = x >= 40 && x < 72 && y >= 16 && y < 48;
        int i = y * W + x;
        if ((classes[1][i] > classes[0][i]) != inside) {
          wrong++;
        }
      }
    }
    return wrong;
  }

  @Test
  void trailingBoundaryMovesOntoTheColourEdge() {
    float[][] estimate = trailingEstimate();
    assertThat(mismatches(estimate)).isGreaterThan(250); // two 5-px strips of 32 rows, and the corners

    float[][] refined = LocalColourModels.refine(rectangle(), estimate, 8, 1f);

    assertThat(mismatches(refined)).isLessThanOrEqualTo(4);
  }

  @Test
  void classIndicesAbove127Work() {
    // 200 classes (the background, 198 absent objects, the rectangle last): labels past a signed byte's range
    float[][] two = trailingEstimate();
    float[][] estimate = new float[200][];
    estimate[0] = two[0];
    for (int c = 1; c < 199; c++) {
      estimate[c] = new float[W * H];
    }
    estimate[199] = two[1];

    float[][] refined = LocalColourModels.refine(rectangle(), estimate, 8, 1f);

    assertThat(mismatches(new float[][] {refined[0], refined[199]})).isLessThanOrEqualTo(4);
  }

  @Test
  void probabilitiesStayDistributionsAndFarPixelsAreUntouched() {
    float[][] estimate = trailingEstimate();
    float[][] refined = LocalColourModels.refine(rectangle(), estimate, 8, 1f);
    for (int i = 0; i < W * H; i++) {
      assertThat(refined[0][i] + refined[1][i]).isCloseTo(1f, offset(1e-5f));
    }
    int corner = 2 * W + 2; // 30+ px from the boundary: outside the band
    assertThat(refined[0][corner]).isEqualTo(estimate[0][corner]);
    assertThat(estimate[0][3]).isEqualTo(0.98f); // the input is not modified
  }

  @Test
  void withoutEnoughSamplesOfAClassNothingChanges() {
    // one object pixel: no ring samples of the object anywhere
    float[] object = new float[W * H];
    object[30 * W + 30] = 0.9f;
    float[] background = new float[W * H];
    for (int i = 0; i < background.length; i++) {
      background[i] = 1f - object[i];
    }
    float[][] estimate = {background, object};
    float[][] refined = LocalColourModels.refine(rectangle(), estimate, 8, 1f);
    assertThat(refined[1]).containsExactly(object);
  }

  @Test
  void boundaryDistanceIsTheChessboardDistanceToTheNearestEdgePixel() {
    Random random = new Random(11);
    int w = 23;
    int h = 17;
    byte[] labels = new byte[w * h];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = (byte) (random.nextInt(40) == 0 ? 1 : 0);
    }
    int cap = 6;
    int[] d = LocalColourModels.boundaryDistance(labels, w, h, cap);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int best = cap;
        for (int yy = 0; yy < h; yy++) {
          for (int xx = 0; xx < w; xx++) {
            if (isEdge(labels, w, h, xx, yy)) {
              best = Math.min(best, Math.max(Math.abs(xx - x), Math.abs(yy - y)));
            }
          }
        }
        assertThat(d[y * w + x]).as("distance at (%d, %d)", x, y).isEqualTo(best);
      }
    }
  }

  private static boolean isEdge(byte[] labels, int w, int h, int x, int y) {
    byte l = labels[y * w + x];
    return (x > 0 && labels[y * w + x - 1] != l) || (x < w - 1 && labels[y * w + x + 1] != l)
        || (y > 0 && labels[(y - 1) * w + x] != l) || (y < h - 1 && labels[(y + 1) * w + x] != l);
  }
}
