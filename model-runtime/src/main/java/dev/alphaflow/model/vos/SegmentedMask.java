package dev.alphaflow.model.vos;

import dev.alphaflow.model.instances.BinaryMask;
import dev.alphaflow.model.instances.Box;
import java.util.Objects;

/**
 * One object's segmentation on one frame.
 *
 * @param score mean object probability inside the mask (0 when the mask is empty)
 * @param mask the object's pixels at frame size (after soft aggregation every pixel has at most one object)
 */
public record SegmentedMask(int objectId, float score, BinaryMask mask) {

  public SegmentedMask {
    Objects.requireNonNull(mask, "mask");
  }

  public long area() {
    return mask.area();
  }

  /** Bounding box of the mask; null when it is empty. */
  public Box box() {
    return mask.isEmpty() ? null : mask.boundingBox();
  }
}
