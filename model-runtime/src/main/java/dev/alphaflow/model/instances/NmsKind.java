package dev.alphaflow.model.instances;

/** How overlapping detections of one object are reduced to one. */
public enum NmsKind {
  /** Greedy non-maximum suppression per class: drop a box whose IoU with a better one of its class is too high. */
  CLASS_AWARE_NMS,
  /**
   * SOLOv2's matrix NMS: every score is decayed by its mask IoU with better-scored masks of its class, all in one
   * matrix step, then the decayed scores are thresholded.
   */
  MATRIX_NMS
}
