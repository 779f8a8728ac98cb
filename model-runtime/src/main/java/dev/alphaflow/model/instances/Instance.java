package dev.alphaflow.model.instances;

import java.util.Objects;

/**
 * One detected object in one frame.
 *
 * @param classId index into the model's class list (COCO-80 for YOLOv8-seg)
 * @param label the class name, e.g. "person"
 * @param score confidence in [0, 1] (after matrix-NMS decay when that was used)
 * @param box bounding box in frame pixels (pixel-edge coordinates, clipped to the frame)
 * @param mask full-frame binary mask, the frame's width x height
 */
public record Instance(int classId, String label, float score, Box box, BinaryMask mask) {

  public Instance {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(box, "box");
    Objects.requireNonNull(mask, "mask");
    if (classId < 0) {
      throw new IllegalArgumentException("classId must be >= 0, got " + classId);
    }
  }

  /** Mask area in pixels. */
  public long area() {
    return mask.area();
  }

  @Override
  public String toString() {
    return String.format("Instance{%s(%d) %.3f box=[%.1f,%.1f,%.1f,%.1f] area=%d}", label, classId, score, box.x0(),
        box.y0(), box.x1(), box.y1(), mask.area());
  }
}
