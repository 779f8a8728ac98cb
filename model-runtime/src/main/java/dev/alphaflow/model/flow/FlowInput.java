package dev.alphaflow.model.flow;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_RGB2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import dev.alphaflow.model.image.Dimensions;
import dev.alphaflow.model.image.RgbImage;
import java.util.Objects;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * A frame as a luma-based flow estimator such as DIS sees it: its luma (OpenCV's {@code RGB2GRAY}), optionally
 * shrunk so that its longer side is at most {@code maxSide} (area interpolation, aspect ratio kept). A stream keeps
 * its previous frame in this form (a third of the RGB bytes), and {@link #asRgb} gives it back as an image that
 * {@link DisFlowEstimator} turns into exactly the same luma (the grey weights sum to one), so nothing is lost for it.
 */
public final class FlowInput {

  private FlowInput() {}

  /** The size of the flow field for a {@code width x height} frame; {@code maxSide <= 0}: the frame's own size. */
  public static Dimensions flowSize(int width, int height, int maxSide) {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("frame size must be positive: " + width + "x" + height);
    }
    int longer = Math.max(width, height);
    if (maxSide <= 0 || longer <= maxSide) {
      return new Dimensions(width, height);
    }
    double scale = (double) maxSide / longer;
    return new Dimensions(
        Math.max(1, (int) Math.round(width * scale)), Math.max(1, (int) Math.round(height * scale)));
  }

  /** The frame's luma at {@link #flowSize}, row-major, one byte per pixel. */
  public static byte[] luma(RgbImage frame, int maxSide) {
    Objects.requireNonNull(frame, "frame");
    Dimensions size = flowSize(frame.width(), frame.height(), maxSide);
    try (Mat rgb = new Mat(frame.height(), frame.width(), CV_8UC3);
        Mat gray = new Mat(frame.height(), frame.width(), CV_8UC1)) {
      rgb.data().put(frame.rgb());
      cvtColor(rgb, gray, COLOR_RGB2GRAY);
      byte[] out = new byte[size.width() * size.height()];
      if (size.width() == frame.width() && size.height() == frame.height()) {
        gray.data().get(out);
        return out;
      }
      // Luma first, then resize: a third of the pixels to resample, and the same result for a linear filter.
      try (Mat small = new Mat(size.height(), size.width(), CV_8UC1);
          Size dsize = new Size(size.width(), size.height())) {
        resize(gray, small, dsize, 0, 0, INTER_AREA);
        small.data().get(out);
        return out;
      }
    }
  }

  /** A grey picture as an RGB image (R = G = B = luma), for {@link FlowEstimator#estimate}. */
  public static RgbImage asRgb(byte[] luma, int width, int height) {
    Objects.requireNonNull(luma, "luma");
    if ((long) width * height != luma.length) {
      throw new IllegalArgumentException(
          "a " + width + "x" + height + " picture has " + (long) width * height + " pixels, got " + luma.length);
    }
    byte[] rgb = new byte[3 * luma.length];
    for (int i = 0, j = 0; i < luma.length; i++, j += 3) {
      rgb[j] = luma[i];
      rgb[j + 1] = luma[i];
      rgb[j + 2] = luma[i];
    }
    return new RgbImage(width, height, rgb);
  }
}
