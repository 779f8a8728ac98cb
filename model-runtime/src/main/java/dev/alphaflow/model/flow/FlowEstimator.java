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

  /** Releases native resources; the estimator cannot be used afterwards. */
  @Override
  void close();
}
