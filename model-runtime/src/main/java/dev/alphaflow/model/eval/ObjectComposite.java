package dev.alphaflow.model.eval;

import dev.alphaflow.model.image.RgbImage;
import java.util.Objects;

/**
 * Multi-object test frames with exact ground truth, built from single-object sequences (DAVIS 2016 has one object
 * per sequence): sequence A's object (its pixels under A's mask) is pasted over sequence B's frame at the same
 * position. The truth is A where A's mask is (A is on top) and B where B's mask is and A's is not, so the two
 * objects occlude each other exactly as the pixels say.
 *
 * <pre>{@code
 * ObjectComposite.Frame f = ObjectComposite.compose(frameA, maskA, frameB, maskB);
 * f.image();   // B's frame with A's object on top
 * f.labels();  // 0 background, 1 = A, 2 = B minus A
 * }</pre>
 */
public final class ObjectComposite {

  /** Label of the pasted object (on top). */
  public static final byte TOP = 1;
  /** Label of the base sequence's object (what of it A does not cover). */
  public static final byte BASE = 2;

  private ObjectComposite() {}

  /** One composited frame and its label map ({@code width * height}, row-major). */
  public record Frame(RgbImage image, byte[] labels) {
    /** The pixels labelled {@code label}. */
    public boolean[] mask(byte label) {
      boolean[] m = new boolean[labels.length];
      for (int i = 0; i < labels.length; i++) {
        m[i] = labels[i] == label;
      }
      return m;
    }
  }

  /**
   * Pastes {@code top}'s pixels under {@code topMask} over {@code base}.
   *
   * @throws IllegalArgumentException when the frames or masks differ in size
   */
  public static Frame compose(RgbImage top, boolean[] topMask, RgbImage base, boolean[] baseMask) {
    Objects.requireNonNull(top, "top");
    Objects.requireNonNull(base, "base");
    int n = base.pixelCount();
    if (!top.sameSize(base) || topMask.length != n || baseMask.length != n) {
      throw new IllegalArgumentException("composites need frames and masks of one size: " + top.width() + "x"
          + top.height() + " and " + base.width() + "x" + base.height() + ", masks of " + topMask.length + " and "
          + baseMask.length + " pixels");
    }
    byte[] rgb = base.rgb().clone();
    byte[] topRgb = top.rgb();
    byte[] labels = new byte[n];
    for (int i = 0; i < n; i++) {
      if (topMask[i]) {
        rgb[3 * i] = topRgb[3 * i];
        rgb[3 * i + 1] = topRgb[3 * i + 1];
        rgb[3 * i + 2] = topRgb[3 * i + 2];
        labels[i] = TOP;
      } else if (baseMask[i]) {
        labels[i] = BASE;
      }
    }
    return new Frame(new RgbImage(base.width(), base.height(), rgb), labels);
  }
}
