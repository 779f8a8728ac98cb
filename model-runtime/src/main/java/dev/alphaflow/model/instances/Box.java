package dev.alphaflow.model.instances;

/**
 * An axis-aligned box in pixel-edge coordinates: {@code (x0, y0)} is the top-left corner, {@code (x1, y1)} the
 * bottom-right one, so a box around pixel (0, 0) alone is {@code (0, 0, 1, 1)}.
 */
public record Box(float x0, float y0, float x1, float y1) {

  public Box {
    if (!(x1 >= x0) || !(y1 >= y0)) {
      throw new IllegalArgumentException("box corners out of order (or NaN): (" + x0 + ", " + y0 + ", " + x1 + ", "
          + y1 + "); x1 >= x0 and y1 >= y0 are needed");
    }
  }

  /** A box from its centre and size (YOLO's cx, cy, w, h). */
  public static Box ofCenter(float cx, float cy, float w, float h) {
    return new Box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
  }

  public float width() {
    return x1 - x0;
  }

  public float height() {
    return y1 - y0;
  }

  public float area() {
    return width() * height();
  }

  /** Intersection over union; 0 when both boxes are empty. */
  public float iou(Box other) {
    float iw = Math.min(x1, other.x1) - Math.max(x0, other.x0);
    float ih = Math.min(y1, other.y1) - Math.max(y0, other.y0);
    if (iw <= 0 || ih <= 0) {
      return 0;
    }
    float inter = iw * ih;
    float union = area() + other.area() - inter;
    return union <= 0 ? 0 : inter / union;
  }

  /** This box clipped to {@code [0, width] x [0, height]}. */
  public Box clip(float width, float height) {
    float cx0 = clamp(x0, width);
    float cy0 = clamp(y0, height);
    return new Box(cx0, cy0, Math.max(cx0, clamp(x1, width)), Math.max(cy0, clamp(y1, height)));
  }

  private static float clamp(float v, float max) {
    return Math.max(0f, Math.min(max, v));
  }
}
