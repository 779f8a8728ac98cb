package dev.alphaflow.model.vos;

import dev.alphaflow.model.image.RgbImage;
import java.util.Objects;

/**
 * Boundary refinement by local colour models, the idea of Video SnapCut's localized classifiers (Bai et al. 2009)
 * without their motion propagation: the key grid is 8 px, so the aggregated masks are blurred and trail moving
 * objects by more than DAVIS's boundary tolerance (~8 px at 480p). Close to the current label boundary, the frame's
 * own colours decide better than an upsampled grid.
 *
 * <p>Per frame, with the current argmax labels:
 *
 * <ol>
 *   <li>every pixel's chessboard distance {@code d} to the nearest label boundary;
 *   <li>the <em>ring</em> ({@code band < d <= 3 * band}) is sampled: per tile of {@code band * 2} pixels, a colour
 *       histogram (8 levels per channel) of each class's ring pixels;
 *   <li>each <em>band</em> pixel ({@code d <= band}) multiplies its class probabilities by its colour's likelihood
 *       under the histograms of the 5×5 tiles around it, raised to {@code weight}, and renormalizes:
 *       {@code p'(c) ∝ p(c) · L_c(colour)^weight} — Bayes with the segmenter's probabilities as the prior.
 * </ol>
 *
 * Samples come from the ring and not from the band, since the band is what is in doubt. Where a class that is not
 * already unlikely at a pixel (p >= 0.01) has fewer than {@link #MIN_SAMPLES} ring pixels in the window, the pixel
 * is left as it was (no model to trust). Deterministic; the inputs are not modified.
 */
final class LocalColourModels {

  private LocalColourModels() {}

  /**
   * A pixel's models come from the (2 * WINDOW_TILES + 1)^2 tiles around its own: 5x5 tiles of 16 px, an 80-px square
   * at the default band. Measured on the ten shared DAVIS sequences: 3x3 tiles mean J&F 0.767, 5x5 0.773, 7x7 0.773.
   */
  static final int WINDOW_TILES = 2;

  /** A class needs this many ring samples in a pixel's window before its colour model is used. */
  static final int MIN_SAMPLES = 64;

  /** 8 levels per channel (16 measured no better: the local windows hold too few samples for 4096 bins). */
  private static final int LEVEL_BITS = 3;
  private static final int LEVEL_SHIFT = 8 - LEVEL_BITS;
  private static final int BINS = 1 << (3 * LEVEL_BITS);
  /** Pseudo-count per bin (Laplace smoothing): an unseen colour is unlikely, not impossible. */
  private static final float PSEUDO_COUNT = 0.5f;

  /**
   * The refined class probabilities (background first, as {@link SoftAggregation} gives them).
   *
   * @param band half-width in pixels of the band that is re-decided, >= 1
   * @param weight exponent of the colour likelihood, > 0
   */
  static float[][] refine(RgbImage frame, float[][] classes, int band, float weight) {
    Objects.requireNonNull(frame, "frame");
    Objects.requireNonNull(classes, "classes");
    int width = frame.width();
    int height = frame.height();
    int pixels = width * height;
    int nc = classes.length;
    byte[] labels = argmax(classes, pixels);
    int ring = 3 * band;
    int[] distance = boundaryDistance(labels, width, height, ring + 1);

    byte[] rgb = frame.rgb();
    int tile = 2 * band;
    int tw = (width + tile - 1) / tile;
    int th = (height + tile - 1) / tile;
    // counts[t][c]: class c's colour histogram over tile t's ring pixels, BINS counts then their total; null where
    // the tile (or the class in it) has no ring pixel, so memory follows the samples and not tiles x classes
    int[][][] counts = new int[tw * th][][];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int i = y * width + x;
        int d = distance[i];
        if (d <= band || d > ring) {
          continue;
        }
        int t = (y / tile) * tw + x / tile;
        if (counts[t] == null) {
          counts[t] = new int[nc][];
        }
        int cls = labels[i] & 0xff; // up to 255 objects + the background
        int[] histogram = counts[t][cls];
        if (histogram == null) {
          histogram = counts[t][cls] = new int[BINS + 1];
        }
        histogram[bin(rgb, i)]++;
        histogram[BINS]++;
      }
    }

    float[][] out = new float[nc][];
    for (int c = 0; c < nc; c++) {
      out[c] = classes[c].clone();
    }
    Window[] windows = new Window[tw * th]; // per tile, lazily: Window.around(...)
    boolean[] windowDone = new boolean[tw * th];
    double[] p = new double[nc];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int i = y * width + x;
        if (distance[i] > band) {
          continue;
        }
        int t = (y / tile) * tw + x / tile;
        if (!windowDone[t]) {
          windows[t] = Window.around(counts, t % tw, t / tw, tw, th, nc);
          windowDone[t] = true;
        }
        Window models = windows[t];
        if (models == null) {
          continue;
        }
        int b = bin(rgb, i);
        double sum = 0;
        boolean usable = true;
        for (int c = 0; c < nc && usable; c++) {
          double prior = classes[c][i];
          if (!models.hasModel(c)) {
            usable = prior < 0.01; // a class with no model may only be ignored where it is already unlikely
            p[c] = 0;
          } else {
            p[c] = prior * Math.exp(weight * models.logLikelihood(c, b));
          }
          sum += p[c];
        }
        if (!usable || !(sum > 0)) {
          continue;
        }
        for (int c = 0; c < nc; c++) {
          out[c][i] = (float) (p[c] / sum);
        }
      }
    }
    return out;
  }

  /**
   * The colour models of one tile's band pixels: per class, the ring samples of the tiles around it. A band pixel
   * needs one bin per class, and a tile's band pixels a few dozen of the 512, so a bin's count over the window is
   * summed, and its log taken, the first time it is asked for (not whole histograms per band tile).
   */
  private static final class Window {
    private final int[][][] tiles; // the window's tiles that have samples: [tile][class] -> BINS counts, then total
    private final int[] totals; // per class, its samples over the window
    private final float[][] logs; // per class with a model: log-likelihood per bin, NaN until first asked for

    private Window(int[][][] tiles, int[] totals, float[][] logs) {
      this.tiles = tiles;
      this.totals = totals;
      this.logs = logs;
    }

    /**
     * The window of tile (tx, ty): null when no tile around it has a sample; a class has a model only with at least
     * {@link #MIN_SAMPLES} samples there.
     */
    static Window around(int[][][] counts, int tx, int ty, int tw, int th, int nc) {
      int[][][] tiles = new int[(2 * WINDOW_TILES + 1) * (2 * WINDOW_TILES + 1)][][];
      int n = 0;
      int[] totals = new int[nc];
      for (int y = Math.max(0, ty - WINDOW_TILES); y <= Math.min(th - 1, ty + WINDOW_TILES); y++) {
        for (int x = Math.max(0, tx - WINDOW_TILES); x <= Math.min(tw - 1, tx + WINDOW_TILES); x++) {
          int[][] tileCounts = counts[y * tw + x];
          if (tileCounts == null) {
            continue;
          }
          tiles[n++] = tileCounts;
          for (int c = 0; c < nc; c++) {
            if (tileCounts[c] != null) {
              totals[c] += tileCounts[c][BINS];
            }
          }
        }
      }
      if (n == 0) {
        return null;
      }
      float[][] logs = new float[nc][];
      for (int c = 0; c < nc; c++) {
        if (totals[c] >= MIN_SAMPLES) {
          logs[c] = new float[BINS];
          java.util.Arrays.fill(logs[c], Float.NaN);
        }
      }
      return new Window(java.util.Arrays.copyOf(tiles, n), totals, logs);
    }

    boolean hasModel(int c) {
      return logs[c] != null;
    }

    /** Bin {@code b}'s log-likelihood under class {@code c}'s model (Laplace-smoothed). */
    float logLikelihood(int c, int b) {
      float cached = logs[c][b];
      if (Float.isNaN(cached)) {
        int count = 0;
        for (int[][] tileCounts : tiles) {
          if (tileCounts[c] != null) {
            count += tileCounts[c][b];
          }
        }
        cached = (float) Math.log(((float) count + PSEUDO_COUNT) / ((float) totals[c] + PSEUDO_COUNT * BINS));
        logs[c][b] = cached;
      }
      return cached;
    }
  }

  private static int bin(byte[] rgb, int i) {
    int r = (rgb[3 * i] & 0xff) >> LEVEL_SHIFT;
    int g = (rgb[3 * i + 1] & 0xff) >> LEVEL_SHIFT;
    int b = (rgb[3 * i + 2] & 0xff) >> LEVEL_SHIFT;
    return (r << (2 * LEVEL_BITS)) | (g << LEVEL_BITS) | b;
  }

  private static byte[] argmax(float[][] classes, int pixels) {
    byte[] labels = new byte[pixels];
    for (int i = 0; i < pixels; i++) {
      labels[i] = (byte) bestClass(classes, i);
    }
    return labels;
  }

  /** The class with the highest probability at pixel {@code i}; the first one on a tie. */
  static int bestClass(float[][] classes, int i) {
    int best = 0;
    float bestP = classes[0][i];
    for (int c = 1; c < classes.length; c++) {
      if (classes[c][i] > bestP) {
        bestP = classes[c][i];
        best = c;
      }
    }
    return best;
  }

  /**
   * Chessboard distance of every pixel to the nearest pixel whose label differs from a 4-neighbour's (those are 0),
   * capped at {@code cap}; two raster passes.
   */
  static int[] boundaryDistance(byte[] labels, int width, int height, int cap) {
    int[] d = new int[width * height];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int i = y * width + x;
        byte l = labels[i];
        boolean edge = (x > 0 && labels[i - 1] != l) || (x < width - 1 && labels[i + 1] != l)
            || (y > 0 && labels[i - width] != l) || (y < height - 1 && labels[i + width] != l);
        d[i] = edge ? 0 : cap;
      }
    }
    GridFilters.chessboardChamfer(d, width, height);
    return d;
  }
}
