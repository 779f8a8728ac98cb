package dev.alphaflow.model.instances;

import java.util.Arrays;
import java.util.Objects;

/**
 * COCO run-length encoding of a binary mask, as pycocotools writes it: pixels in column-major (Fortran) order,
 * alternating run lengths starting with a run of zeros (0 when the first pixel is set), {@code size = [height,
 * width]}. {@link #toCompressedString()} gives pycocotools' compact string form of the same counts.
 *
 * <pre>{@code
 * Rle rle = Rle.encode(instance.mask());
 * String json = rle.toJson();            // {"size":[h,w],"counts":[...]}
 * BinaryMask back = rle.decode();
 * }</pre>
 */
public final class Rle {

  private final int height;
  private final int width;
  private final int[] counts;

  private Rle(int height, int width, int[] counts) {
    this.height = height;
    this.width = width;
    this.counts = counts;
  }

  /** An RLE from its parts; the counts must be non-negative and sum to {@code height * width}. */
  public static Rle of(int height, int width, int[] counts) {
    Objects.requireNonNull(counts, "counts");
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException("RLE size must be positive: [" + height + ", " + width + "]");
    }
    long sum = 0;
    for (int c : counts) {
      if (c < 0) {
        throw new IllegalArgumentException("RLE counts must be non-negative, got " + c);
      }
      sum += c;
    }
    if (sum != (long) height * width) {
      throw new IllegalArgumentException("RLE counts sum to " + sum + " but size [" + height + ", " + width
          + "] has " + (long) height * width + " pixels");
    }
    return new Rle(height, width, counts.clone());
  }

  /** Encodes a mask. */
  public static Rle encode(BinaryMask mask) {
    int h = mask.height();
    int w = mask.width();
    int[] runs = new int[16];
    int n = 0;
    boolean value = false;
    int run = 0;
    for (int x = 0; x < w; x++) {
      for (int y = 0; y < h; y++) {
        boolean v = mask.get(y * w + x);
        if (v != value) {
          if (n == runs.length) {
            runs = Arrays.copyOf(runs, n * 2);
          }
          runs[n++] = run;
          value = v;
          run = 0;
        }
        run++;
      }
    }
    if (n == runs.length) {
      runs = Arrays.copyOf(runs, n + 1);
    }
    runs[n++] = run;
    return new Rle(h, w, Arrays.copyOf(runs, n));
  }

  /** The mask these counts describe. */
  public BinaryMask decode() {
    BinaryMask.Builder mask = BinaryMask.builder(width, height);
    long position = 0;
    for (int i = 0; i < counts.length; i++) {
      if ((i & 1) == 1) {
        for (long p = position; p < position + counts[i]; p++) {
          int x = (int) (p / height);
          int y = (int) (p % height);
          mask.set(x, y);
        }
      }
      position += counts[i];
    }
    return mask.build();
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }

  /** The run lengths (a copy). */
  public int[] counts() {
    return counts.clone();
  }

  /** Number of set pixels: the sum of the odd-indexed runs. */
  public long area() {
    long area = 0;
    for (int i = 1; i < counts.length; i += 2) {
      area += counts[i];
    }
    return area;
  }

  /** Pixels set in both, computed on the runs without decoding; the sizes must match. */
  public long intersection(Rle other) {
    if (height != other.height || width != other.width) {
      throw new IllegalArgumentException("RLE sizes differ: [" + height + ", " + width + "] vs [" + other.height
          + ", " + other.width + "]");
    }
    long inter = 0;
    int ia = 0;
    int ib = 0;
    long ra = counts[0];
    long rb = other.counts[0];
    while (ia < counts.length && ib < other.counts.length) {
      long step = Math.min(ra, rb);
      if ((ia & 1) == 1 && (ib & 1) == 1) {
        inter += step;
      }
      ra -= step;
      rb -= step;
      if (ra == 0 && ++ia < counts.length) {
        ra = counts[ia];
      }
      if (rb == 0 && ++ib < other.counts.length) {
        rb = other.counts[ib];
      }
    }
    return inter;
  }

  /** Intersection over union; two empty masks have IoU 0. */
  public double iou(Rle other) {
    long inter = intersection(other);
    long union = area() + other.area() - inter;
    return union == 0 ? 0 : (double) inter / union;
  }

  /** pycocotools' compressed counts string ({@code rleToString}: LEB128-like, deltas from the run two back). */
  public String toCompressedString() {
    StringBuilder s = new StringBuilder(counts.length * 2);
    for (int i = 0; i < counts.length; i++) {
      long x = counts[i];
      if (i > 2) {
        x -= counts[i - 2];
      }
      boolean more = true;
      while (more) {
        int c = (int) (x & 0x1f);
        x >>= 5;
        more = (c & 0x10) != 0 ? x != -1 : x != 0;
        if (more) {
          c |= 0x20;
        }
        s.append((char) (c + 48));
      }
    }
    return s.toString();
  }

  /** Parses pycocotools' compressed counts string ({@code rleFrString}). */
  public static Rle fromCompressedString(int height, int width, String s) {
    Objects.requireNonNull(s, "s");
    int[] cnts = new int[s.length()];
    int m = 0;
    int p = 0;
    while (p < s.length()) {
      long x = 0;
      int k = 0;
      boolean more = true;
      while (more) {
        if (p >= s.length()) {
          throw new IllegalArgumentException("compressed RLE ends inside a number: " + s);
        }
        int c = s.charAt(p) - 48;
        if (c < 0 || c > 63) {
          throw new IllegalArgumentException("compressed RLE has an invalid character '" + s.charAt(p) + "'");
        }
        x |= (long) (c & 0x1f) << (5 * k);
        more = (c & 0x20) != 0;
        p++;
        k++;
        if (!more && (c & 0x10) != 0) {
          x |= -1L << (5 * k);
        }
      }
      if (m > 2) {
        x += cnts[m - 2];
      }
      if (x < 0 || x > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("compressed RLE decodes to an invalid count " + x);
      }
      cnts[m++] = (int) x;
    }
    return of(height, width, Arrays.copyOf(cnts, m));
  }

  /** COCO JSON: {@code {"size":[h,w],"counts":[...]}}. */
  public String toJson() {
    StringBuilder s = new StringBuilder(counts.length * 4 + 32);
    s.append("{\"size\":[").append(height).append(',').append(width).append("],\"counts\":[");
    for (int i = 0; i < counts.length; i++) {
      if (i > 0) {
        s.append(',');
      }
      s.append(counts[i]);
    }
    return s.append("]}").toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Rle other && height == other.height && width == other.width
        && Arrays.equals(counts, other.counts);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * height + width) + Arrays.hashCode(counts);
  }

  @Override
  public String toString() {
    return "Rle{size=[" + height + "," + width + "], runs=" + counts.length + ", area=" + area() + "}";
  }
}
