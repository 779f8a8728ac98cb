package dev.alphaflow.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SegmentationMetricsTest {

  private static boolean[] mask(String... rows) {
    int w = rows[0].length();
    boolean[] m = new boolean[w * rows.length];
    for (int y = 0; y < rows.length; y++) {
      for (int x = 0; x < w; x++) {
        m[y * w + x] = rows[y].charAt(x) == '#';
      }
    }
    return m;
  }

  private static boolean[] rect(int w, int h, int x0, int y0, int rw, int rh) {
    boolean[] m = new boolean[w * h];
    for (int y = y0; y < y0 + rh; y++) {
      for (int x = x0; x < x0 + rw; x++) {
        if (x >= 0 && y >= 0 && x < w && y < h) {
          m[y * w + x] = true;
        }
      }
    }
    return m;
  }

  @Test
  void regionJHandComputed() {
    boolean[] p = mask("##..", "##..");
    boolean[] t = mask(".##.", ".##.");
    // intersection 2, union 6
    assertThat(SegmentationMetrics.regionJ(p, t)).isCloseTo(2.0 / 6, offset(1e-12));
    assertThat(SegmentationMetrics.regionJ(p, p)).isEqualTo(1.0);
    boolean[] empty = new boolean[8];
    assertThat(SegmentationMetrics.regionJ(empty, empty)).isEqualTo(1.0);
    assertThat(SegmentationMetrics.regionJ(p, empty)).isEqualTo(0.0);
    assertThat(SegmentationMetrics.regionJ(mask("####", "...."), mask("#...", "...."))).isEqualTo(0.25);
    assertThatThrownBy(() -> SegmentationMetrics.regionJ(p, new boolean[3]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void toleranceIsCeilOfDiagonalFraction() {
    assertThat(SegmentationMetrics.tolerancePixels(854, 480, 0.008)).isEqualTo(8); // 0.008 * 979.6 = 7.84
    assertThat(SegmentationMetrics.tolerancePixels(100, 100, 0.008)).isEqualTo(2); // 1.13
    assertThat(SegmentationMetrics.tolerancePixels(100, 100, 3)).isEqualTo(3);
  }

  @Test
  void seg2bmapOfSquare() {
    boolean[] seg = mask(
        ".....",
        ".##..",
        ".##..",
        ".....");
    boolean[] expected = mask(
        "###..",
        "#.#..",
        "###..",
        ".....");
    assertThat(SegmentationMetrics.seg2bmap(seg, 5, 4)).isEqualTo(expected);
  }

  @Test
  void seg2bmapMatchesToolkitTranscription() {
    Random rnd = new Random(7);
    for (int trial = 0; trial < 20; trial++) {
      int w = 1 + rnd.nextInt(12);
      int h = 1 + rnd.nextInt(12);
      boolean[] seg = new boolean[w * h];
      for (int i = 0; i < seg.length; i++) {
        seg[i] = rnd.nextBoolean();
      }
      assertThat(SegmentationMetrics.seg2bmap(seg, w, h)).isEqualTo(NaiveBoundary.seg2bmap(seg, w, h));
    }
  }

  @Test
  void identicalMasksScoreOne() {
    boolean[] sq = rect(100, 100, 30, 30, 40, 40);
    assertThat(SegmentationMetrics.boundaryF(sq, sq, 100, 100)).isEqualTo(1.0);
  }

  @ParameterizedTest
  @CsvSource({"1,0", "0,1", "1,-1", "2,0", "0,-2"})
  void shiftWithinToleranceScoresOne(int dx, int dy) {
    boolean[] a = rect(100, 100, 30, 30, 40, 40); // tolerance 2 px
    boolean[] b = rect(100, 100, 30 + dx, 30 + dy, 40, 40);
    assertThat(SegmentationMetrics.boundaryF(a, b, 100, 100)).isEqualTo(1.0);
    assertThat(SegmentationMetrics.regionJ(a, b)).isLessThan(1.0);
  }

  @Test
  void diagonalShiftJustBeyondToleranceLosesCorners() {
    boolean[] a = rect(100, 100, 30, 30, 40, 40);
    boolean[] b = rect(100, 100, 32, 28, 40, 40); // sqrt(8) > 2 at the corners only
    double f = SegmentationMetrics.boundaryF(a, b, 100, 100);
    assertThat(f).isBetween(0.9, 0.999);
    assertThat(f).isEqualTo(NaiveBoundary.boundaryF(a, b, 100, 100, 2));
  }

  @Test
  void largeShiftScoresLow() {
    boolean[] a = rect(100, 100, 20, 20, 40, 40);
    boolean[] b = rect(100, 100, 40, 40, 40, 40);
    double f = SegmentationMetrics.boundaryF(a, b, 100, 100);
    assertThat(f).isLessThan(0.2);
    assertThat(f).isEqualTo(NaiveBoundary.boundaryF(a, b, 100, 100, 2));
    boolean[] far = rect(100, 100, 70, 70, 20, 20);
    assertThat(SegmentationMetrics.boundaryF(rect(100, 100, 0, 0, 20, 20), far, 100, 100)).isEqualTo(0.0);
  }

  @Test
  void emptyCases() {
    boolean[] empty = new boolean[100 * 100];
    boolean[] sq = rect(100, 100, 30, 30, 40, 40);
    assertThat(SegmentationMetrics.boundaryF(empty, empty, 100, 100)).isEqualTo(1.0);
    assertThat(SegmentationMetrics.boundaryF(sq, empty, 100, 100)).isEqualTo(0.0);
    assertThat(SegmentationMetrics.boundaryF(empty, sq, 100, 100)).isEqualTo(0.0);
    // a full mask has no boundary either
    boolean[] full = rect(100, 100, 0, 0, 100, 100);
    assertThat(SegmentationMetrics.boundaryF(full, full, 100, 100)).isEqualTo(1.0);
    assertThatThrownBy(() -> SegmentationMetrics.boundaryF(sq, sq, 99, 100))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void matchesNaiveReferenceOnRandomBlobs() {
    Random rnd = new Random(42);
    for (int trial = 0; trial < 60; trial++) {
      int w = 20 + rnd.nextInt(60);
      int h = 20 + rnd.nextInt(60);
      boolean[] p = blobs(rnd, w, h);
      boolean[] t = rnd.nextInt(4) == 0 ? perturb(rnd, p, w, h) : blobs(rnd, w, h);
      double boundTh = switch (trial % 3) {
        case 0 -> SegmentationMetrics.BOUND_TH;
        case 1 -> 1 + rnd.nextInt(6);
        default -> 0.02 + rnd.nextDouble() * 0.05;
      };
      int r = SegmentationMetrics.tolerancePixels(w, h, boundTh);
      double expected = NaiveBoundary.boundaryF(p, t, w, h, r);
      assertThat(SegmentationMetrics.boundaryF(p, t, w, h, boundTh))
          .as("trial %d (%dx%d, r=%d)", trial, w, h, r)
          .isCloseTo(expected, offset(1e-12));
    }
  }

  private static boolean[] blobs(Random rnd, int w, int h) {
    boolean[] m = new boolean[w * h];
    int n = 1 + rnd.nextInt(5);
    for (int k = 0; k < n; k++) {
      double cx = rnd.nextDouble() * w;
      double cy = rnd.nextDouble() * h;
      double rx = 2 + rnd.nextDouble() * w / 4;
      double ry = 2 + rnd.nextDouble() * h / 4;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          double dx = (x - cx) / rx;
          double dy = (y - cy) / ry;
          if (dx * dx + dy * dy <= 1) {
            m[y * w + x] = true;
          }
        }
      }
    }
    return m;
  }

  /** Flips random pixels and shifts by up to 3 px, so the masks are close but not equal. */
  private static boolean[] perturb(Random rnd, boolean[] src, int w, int h) {
    int sx = rnd.nextInt(7) - 3;
    int sy = rnd.nextInt(7) - 3;
    boolean[] m = new boolean[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int xx = x - sx;
        int yy = y - sy;
        boolean v = xx >= 0 && yy >= 0 && xx < w && yy < h && src[yy * w + xx];
        m[y * w + x] = rnd.nextInt(50) == 0 ? !v : v;
      }
    }
    return m;
  }

  /** Straight transcriptions of the toolkit: numpy seg2bmap and an O(n²) disk-dilation match. */
  static final class NaiveBoundary {

    static boolean[] seg2bmap(boolean[] seg, int w, int h) {
      boolean[] e = new boolean[w * h];
      boolean[] s = new boolean[w * h];
      boolean[] se = new boolean[w * h];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          if (x < w - 1) {
            e[y * w + x] = seg[y * w + x + 1];
          }
          if (y < h - 1) {
            s[y * w + x] = seg[(y + 1) * w + x];
          }
          if (x < w - 1 && y < h - 1) {
            se[y * w + x] = seg[(y + 1) * w + x + 1];
          }
        }
      }
      boolean[] b = new boolean[w * h];
      for (int i = 0; i < b.length; i++) {
        b[i] = (seg[i] ^ e[i]) | (seg[i] ^ s[i]) | (seg[i] ^ se[i]);
      }
      for (int x = 0; x < w; x++) {
        int i = (h - 1) * w + x;
        b[i] = seg[i] ^ e[i];
      }
      for (int y = 0; y < h; y++) {
        int i = y * w + w - 1;
        b[i] = seg[i] ^ s[i];
      }
      b[w * h - 1] = false;
      return b;
    }

    static double boundaryF(boolean[] p, boolean[] t, int w, int h, int r) {
      boolean[] fg = seg2bmap(p, w, h);
      boolean[] gt = seg2bmap(t, w, h);
      int nFg = 0;
      int nGt = 0;
      for (int i = 0; i < fg.length; i++) {
        nFg += fg[i] ? 1 : 0;
        nGt += gt[i] ? 1 : 0;
      }
      double precision;
      double recall;
      if (nFg == 0 && nGt > 0) {
        precision = 1;
        recall = 0;
      } else if (nFg > 0 && nGt == 0) {
        precision = 0;
        recall = 1;
      } else if (nFg == 0) {
        precision = 1;
        recall = 1;
      } else {
        precision = (double) matched(fg, gt, w, r) / nFg;
        recall = (double) matched(gt, fg, w, r) / nGt;
      }
      return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    }

    private static int matched(boolean[] from, boolean[] to, int w, int r) {
      int n = 0;
      for (int i = 0; i < from.length; i++) {
        if (!from[i]) {
          continue;
        }
        for (int k = 0; k < to.length; k++) {
          int dx = i % w - k % w;
          int dy = i / w - k / w;
          if (to[k] && dx * dx + dy * dy <= r * r) {
            n++;
            break;
          }
        }
      }
      return n;
    }
  }
}
