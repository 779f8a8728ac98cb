package dev.alphaflow.model.vos;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GridFiltersTest {

  @Test
  void distanceToMatchesTheNearestCellByBruteForce() {
    Random random = new Random(7);
    for (int trial = 0; trial < 20; trial++) {
      int w = 1 + random.nextInt(40);
      int h = 1 + random.nextInt(30);
      float[] x = new float[w * h];
      for (int i = 0; i < x.length; i++) {
        x[i] = random.nextFloat() < 0.03 ? 0.5f + random.nextFloat() / 2 : random.nextFloat() * 0.49f;
      }
      x[random.nextInt(x.length)] = 1f; // at least one cell inside
      assertArrayEquals(bruteForce(x, w, h, 0.5f), GridFilters.distanceTo(x, w, h, 0.5f), "grid " + w + "x" + h);
    }
  }

  @Test
  void distanceToIsChessboardDistance() {
    int w = 7;
    int h = 5;
    float[] x = new float[w * h];
    x[2 * w + 3] = 1f; // the centre
    int[] d = GridFilters.distanceTo(x, w, h, 0.5f);
    assertEquals(0, d[2 * w + 3]);
    assertEquals(1, d[w + 2]); // diagonal neighbour
    assertEquals(2, d[0 * w + 1]);
    assertEquals(3, d[4 * w + 6]);
    assertEquals(3, d[0]);
  }

  @Test
  void distanceToWithoutAnyCellInsideIsUnbounded() {
    int[] d = GridFilters.distanceTo(new float[] {0.1f, 0.49f, 0f, 0.2f}, 2, 2, 0.5f);
    int[] expected = new int[4];
    Arrays.fill(expected, Integer.MAX_VALUE);
    assertArrayEquals(expected, d);
  }

  private static int[] bruteForce(float[] x, int w, int h, float threshold) {
    int[] d = new int[w * h];
    for (int y = 0; y < h; y++) {
      for (int i = 0; i < w; i++) {
        int best = Integer.MAX_VALUE;
        for (int yy = 0; yy < h; yy++) {
          for (int ii = 0; ii < w; ii++) {
            if (x[yy * w + ii] >= threshold) {
              best = Math.min(best, Math.max(Math.abs(yy - y), Math.abs(ii - i)));
            }
          }
        }
        d[y * w + i] = best;
      }
    }
    return d;
  }
}
