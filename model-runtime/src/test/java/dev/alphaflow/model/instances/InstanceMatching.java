package dev.alphaflow.model.instances;

import java.util.List;

/** Compares two instance lists the way the NMS-vs-matrix-NMS figure does. */
final class InstanceMatching {

  private InstanceMatching() {}

  /**
   * Whether the lists hold the same objects: equal sizes and a one-to-one matching (greedy, best score first) in
   * which each pair has the same class and mask IoU above {@code minIou}.
   */
  static boolean sameSets(List<Instance> a, List<Instance> b, double minIou) {
    if (a.size() != b.size()) {
      return false;
    }
    boolean[] used = new boolean[b.size()];
    for (Instance x : a) {
      int match = -1;
      double best = minIou;
      for (int j = 0; j < b.size(); j++) {
        Instance y = b.get(j);
        if (!used[j] && y.classId() == x.classId()) {
          double iou = x.mask().iou(y.mask());
          if (iou > best) {
            best = iou;
            match = j;
          }
        }
      }
      if (match < 0) {
        return false;
      }
      used[match] = true;
    }
    return true;
  }
}
