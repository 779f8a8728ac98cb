package dev.alphaflow.model.instances;

import dev.alphaflow.model.image.RgbImage;
import java.util.List;

/**
 * Per-frame instance segmentation: a frame in, the objects found in it out, best score first. Implementations
 * are stateless between frames but reuse buffers, so they are not thread-safe: use one per thread (they may share
 * one {@link dev.alphaflow.model.SharedSession}).
 */
public interface InstanceSegmenter extends AutoCloseable {

  /**
   * The instances in this frame, sorted by descending score, with boxes and masks in frame pixels.
   *
   * @throws dev.alphaflow.model.InferenceException when the model run fails or its outputs break the contract
   */
  List<Instance> segment(RgbImage frame);

  /** The options this segmenter filters and suppresses with. */
  InstanceOptions options();

  /**
   * The model's class names indexed by class id ({@link Instance#classId()}), for checking a class filter before
   * the first frame; empty when the model does not tell its classes before it runs.
   */
  default List<String> labels() {
    return List.of();
  }

  /** Releases the session handle if this segmenter owns it; idempotent. */
  @Override
  void close();
}
