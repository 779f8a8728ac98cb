package dev.alphaflow.model.flow;

import dev.alphaflow.model.image.RgbImage;

/**
 * Dense optical flow between two frames of the same size.
 *
 * <p>Implementations hold native resources and reusable buffers: close them, and use one instance per thread unless
 * the implementation says otherwise. To warp something known at the previous frame onto the current one, estimate
 * {@code estimate(current, previous)} and pass it to {@link FlowWarp#warp} (backward warping samples the source at
 * {@code x + flow(x)}).
 */
public interface FlowEstimator extends AutoCloseable {

  /**
   * The flow from {@code from} to {@code to}: {@code from(x) ≈ to(x + flow(x))} (see {@link FlowField}).
   *
   * @throws IllegalArgumentException if the two frames differ in size
   */
  FlowField estimate(RgbImage from, RgbImage to);

  /**
   * The flow between two luma planes ({@link FlowInput#luma}: one byte per pixel, row-major, {@code width × height}).
   * By default the planes go in as grey RGB images; estimators that work on luma anyway override this to skip the
   * round trip, with the same result.
   *
   * @throws IllegalArgumentException if a plane does not hold {@code width × height} bytes
   */
  default FlowField estimateLuma(byte[] from, byte[] to, int width, int height) {
    return estimate(FlowInput.asRgb(from, width, height), FlowInput.asRgb(to, width, height));
  }

  /** Releases native resources; the estimator cannot be used afterwards. */
  @Override
  void close();
}
