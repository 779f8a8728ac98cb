package dev.alphaflow.model.instances;

/** The decay function of matrix NMS (SOLOv2, section 4.3). */
public enum MatrixNmsKernel {
  /** {@code exp(-sigma * (iou^2 - compensate^2))}. */
  GAUSSIAN,
  /** {@code (1 - iou) / (1 - compensate)}. */
  LINEAR
}
