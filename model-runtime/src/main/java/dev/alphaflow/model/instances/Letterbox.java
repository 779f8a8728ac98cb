package dev.alphaflow.model.instances;

import dev.alphaflow.model.image.RgbImage;
import java.util.Arrays;

/**
 * Maps a frame onto a model's fixed input and back: scaled by {@code (scaleX, scaleY)} into a
 * {@code scaledWidth x scaledHeight} region whose top-left corner is at {@code (padX, padY)} of the input, the
 * rest padded. {@link #fit} keeps the aspect ratio and centres the frame (Ultralytics' LetterBox, including its
 * rounding); {@link #stretch} fills the whole input.
 *
 * <p>Coordinates are continuous pixel-edge coordinates: frame point {@code (0, 0)} is the frame's top-left corner,
 * and frame x maps to input x {@code padX + x * scaleX}.
 */
public final class Letterbox {

  private static final float[] UNIT = new float[256];

  static {
    for (int i = 0; i < 256; i++) {
      UNIT[i] = i / 255f;
    }
  }

  private final int frameWidth;
  private final int frameHeight;
  private final int inputWidth;
  private final int inputHeight;
  private final int scaledWidth;
  private final int scaledHeight;
  private final int padX;
  private final int padY;
  private final double scaleX;
  private final double scaleY;

  private Letterbox(int frameWidth, int frameHeight, int inputWidth, int inputHeight, int scaledWidth,
      int scaledHeight, int padX, int padY) {
    this.frameWidth = frameWidth;
    this.frameHeight = frameHeight;
    this.inputWidth = inputWidth;
    this.inputHeight = inputHeight;
    this.scaledWidth = scaledWidth;
    this.scaledHeight = scaledHeight;
    this.padX = padX;
    this.padY = padY;
    this.scaleX = (double) scaledWidth / frameWidth;
    this.scaleY = (double) scaledHeight / frameHeight;
  }

  /** Keeps the aspect ratio: the frame's long side fills the input, the short side is centred between pads. */
  public static Letterbox fit(int frameWidth, int frameHeight, int inputWidth, int inputHeight) {
    checkSizes(frameWidth, frameHeight, inputWidth, inputHeight);
    double r = Math.min((double) inputWidth / frameWidth, (double) inputHeight / frameHeight);
    int sw = clamp((int) Math.round(frameWidth * r), inputWidth);
    int sh = clamp((int) Math.round(frameHeight * r), inputHeight);
    // Ultralytics: top/left = round(pad / 2 - 0.1), so an odd pad puts the extra pixel at the bottom/right.
    int left = (int) Math.round((inputWidth - sw) / 2.0 - 0.1);
    int top = (int) Math.round((inputHeight - sh) / 2.0 - 0.1);
    return new Letterbox(frameWidth, frameHeight, inputWidth, inputHeight, sw, sh, Math.max(0, left),
        Math.max(0, top));
  }

  /** Resizes the frame to the whole input, ignoring the aspect ratio (identity when the sizes are equal). */
  public static Letterbox stretch(int frameWidth, int frameHeight, int inputWidth, int inputHeight) {
    checkSizes(frameWidth, frameHeight, inputWidth, inputHeight);
    return new Letterbox(frameWidth, frameHeight, inputWidth, inputHeight, inputWidth, inputHeight, 0, 0);
  }

  private static void checkSizes(int fw, int fh, int iw, int ih) {
    if (fw <= 0 || fh <= 0 || iw <= 0 || ih <= 0) {
      throw new IllegalArgumentException("sizes must be positive: frame " + fw + "x" + fh + ", input " + iw + "x"
          + ih);
    }
  }

  private static int clamp(int v, int max) {
    return Math.max(1, Math.min(max, v));
  }

  public int frameWidth() {
    return frameWidth;
  }

  public int frameHeight() {
    return frameHeight;
  }

  public int inputWidth() {
    return inputWidth;
  }

  public int inputHeight() {
    return inputHeight;
  }

  public int scaledWidth() {
    return scaledWidth;
  }

  public int scaledHeight() {
    return scaledHeight;
  }

  /** Left padding in input pixels. */
  public int padX() {
    return padX;
  }

  /** Top padding in input pixels. */
  public int padY() {
    return padY;
  }

  /** Input pixels per frame pixel, horizontally. */
  public double scaleX() {
    return scaleX;
  }

  /** Input pixels per frame pixel, vertically. */
  public double scaleY() {
    return scaleY;
  }

  public double toInputX(double frameX) {
    return padX + frameX * scaleX;
  }

  public double toInputY(double frameY) {
    return padY + frameY * scaleY;
  }

  public double toFrameX(double inputX) {
    return (inputX - padX) / scaleX;
  }

  public double toFrameY(double inputY) {
    return (inputY - padY) / scaleY;
  }

  /** A box in input pixels mapped to frame pixels and clipped to the frame. */
  public Box toFrame(Box input) {
    return new Box((float) toFrameX(input.x0()), (float) toFrameY(input.y0()), (float) toFrameX(input.x1()),
        (float) toFrameY(input.y1())).clip(frameWidth, frameHeight);
  }

  /** A box in frame pixels mapped to input pixels. */
  public Box toInput(Box frame) {
    return new Box((float) toInputX(frame.x0()), (float) toInputY(frame.y0()), (float) toInputX(frame.x1()),
        (float) toInputY(frame.y1()));
  }

  /**
   * Writes the frame into {@code chw} as three planes (R, G, B) of {@code inputWidth x inputHeight} floats in
   * [0, 1]: bilinear resize with half-pixel centres (OpenCV's INTER_LINEAR), {@code padValue} in the padding.
   */
  public void fill(RgbImage frame, float[] chw, float padValue) {
    if (frame.width() != frameWidth || frame.height() != frameHeight) {
      throw new IllegalArgumentException("this letterbox is for " + frameWidth + "x" + frameHeight + " frames, got "
          + frame.width() + "x" + frame.height());
    }
    int plane = inputWidth * inputHeight;
    if (chw.length < 3 * plane) {
      throw new IllegalArgumentException("chw needs " + 3 * plane + " floats, has " + chw.length);
    }
    if (scaledWidth < inputWidth || scaledHeight < inputHeight) {
      Arrays.fill(chw, 0, 3 * plane, padValue);
    }
    byte[] rgb = frame.rgb();
    int[] x0 = new int[scaledWidth];
    int[] x1 = new int[scaledWidth];
    float[] wx = new float[scaledWidth];
    for (int dx = 0; dx < scaledWidth; dx++) {
      double sx = Math.max(0, (dx + 0.5) / scaleX - 0.5);
      int ix = Math.min((int) sx, frameWidth - 1);
      x0[dx] = ix * 3;
      x1[dx] = Math.min(ix + 1, frameWidth - 1) * 3;
      wx[dx] = ix == frameWidth - 1 ? 0f : (float) (sx - ix);
    }
    for (int dy = 0; dy < scaledHeight; dy++) {
      double sy = Math.max(0, (dy + 0.5) / scaleY - 0.5);
      int iy = Math.min((int) sy, frameHeight - 1);
      int row0 = iy * frameWidth * 3;
      int row1 = Math.min(iy + 1, frameHeight - 1) * frameWidth * 3;
      float wy = iy == frameHeight - 1 ? 0f : (float) (sy - iy);
      int out = (dy + padY) * inputWidth + padX;
      for (int dx = 0; dx < scaledWidth; dx++, out++) {
        float fx = wx[dx];
        for (int c = 0; c < 3; c++) {
          float top = UNIT[rgb[row0 + x0[dx] + c] & 0xff] * (1 - fx) + UNIT[rgb[row0 + x1[dx] + c] & 0xff] * fx;
          float bottom = UNIT[rgb[row1 + x0[dx] + c] & 0xff] * (1 - fx) + UNIT[rgb[row1 + x1[dx] + c] & 0xff] * fx;
          chw[c * plane + out] = top * (1 - wy) + bottom * wy;
        }
      }
    }
  }

  @Override
  public String toString() {
    return "Letterbox{frame " + frameWidth + "x" + frameHeight + " -> " + scaledWidth + "x" + scaledHeight + " at ("
        + padX + "," + padY + ") in " + inputWidth + "x" + inputHeight + "}";
  }
}
