package dev.alphaflow.model.vos;

import dev.alphaflow.model.instances.BinaryMask;
import dev.alphaflow.model.instances.Instance;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * "Detect, then track": decides, for one frame, which detected instances support which tracked object and which
 * start new tracks. A detection is matched to the tracked object whose predicted mask it overlaps most (mask IoU at
 * least {@link Options#matchIou()}), each object and each detection matched at most once, best IoU first; so one
 * object never gets two tracks. An unmatched detection of an auto-start class, scored at least
 * {@link Options#startScore()}, that does not cover much of any tracked object starts a new object with the lowest
 * free id. Pure logic: the segmenter and the Flink operator call it.
 */
public final class TrackEvidence {
  private TrackEvidence() {}

  /**
   * @param startClasses labels of the classes whose detections start tracks (empty: none start)
   * @param startScore lowest score of a detection that starts a track
   * @param supportScore lowest score of a detection that supports a tracked object
   * @param matchIou lowest mask IoU between a detection and an object's predicted mask to match them
   * @param maxObjects most objects per stream (ids 1..255 are available)
   * @param supportWeight how much a supporting detection's mask counts in its object's probability on the pixels where
   *     the feature-bank prediction is uncertain: {@code p = (1 - w) p + w * mask}; 0 leaves the prediction alone
   */
  public record Options(Set<String> startClasses, float startScore, float supportScore, float matchIou,
      int maxObjects, float supportWeight) implements Serializable {
    /** No track starts and no detection changes a mask. */
    public static final Options NONE = new Options(Set.of(), 1f, 1f, 1f, VosPrompt.MAX_OBJECT_ID, 0f);

    public Options {
      startClasses = Set.copyOf(startClasses);
      if (!(supportWeight >= 0 && supportWeight <= 1)) {
        throw new IllegalArgumentException("supportWeight must be in [0, 1], got " + supportWeight);
      }
      if (matchIou <= 0 || matchIou > 1) {
        throw new IllegalArgumentException("matchIou must be in (0, 1], got " + matchIou);
      }
      if (maxObjects < 1 || maxObjects > VosPrompt.MAX_OBJECT_ID) {
        throw new IllegalArgumentException("maxObjects must be in 1.." + VosPrompt.MAX_OBJECT_ID + ", got "
            + maxObjects);
      }
    }
  }

  /** One frame's detections and how they act on the tracks. */
  public record Detections(List<Instance> instances, Options options) {
    public static final Detections NONE = new Detections(List.of(), Options.NONE);

    public Detections {
      instances = List.copyOf(instances);
      Objects.requireNonNull(options, "options");
    }

    /** True when some detection could start a track (so the frame needs segmenting with nothing tracked yet). */
    public boolean canStart() {
      for (Instance d : instances) {
        if (options.startClasses().contains(d.label()) && d.score() >= options.startScore()) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * What the detections mean for this frame.
   *
   * @param support per tracked object id, the mask of the detection matched to it
   * @param started new objects: id, the detection that starts it
   */
  public record Decision(SortedMap<Integer, Instance> support, SortedMap<Integer, Instance> started) {
    public boolean isEmpty() {
      return support.isEmpty() && started.isEmpty();
    }
  }

  /**
   * @param detections this frame's instances (any order)
   * @param predicted each tracked object's predicted mask on this frame
   */
  public static Decision decide(List<Instance> detections, Map<Integer, BinaryMask> predicted, Options options) {
    Objects.requireNonNull(detections, "detections");
    Objects.requireNonNull(predicted, "predicted");
    record Pair(int detection, int objectId, double iou) {}
    List<Pair> pairs = new ArrayList<>();
    for (int d = 0; d < detections.size(); d++) {
      for (Map.Entry<Integer, BinaryMask> e : predicted.entrySet()) {
        double iou = detections.get(d).mask().iou(e.getValue());
        if (iou >= options.matchIou()) {
          pairs.add(new Pair(d, e.getKey(), iou));
        }
      }
    }
    pairs.sort(Comparator.comparingDouble(Pair::iou).reversed()
        .thenComparingInt(Pair::objectId).thenComparingInt(Pair::detection));
    boolean[] used = new boolean[detections.size()];
    SortedMap<Integer, Instance> support = new TreeMap<>();
    for (Pair p : pairs) {
      if (used[p.detection()] || support.containsKey(p.objectId())) {
        continue;
      }
      used[p.detection()] = true; // matched: it never starts a second track for the same object
      Instance detection = detections.get(p.detection());
      if (detection.score() >= options.supportScore()) {
        support.put(p.objectId(), detection);
      }
    }

    SortedMap<Integer, Instance> started = new TreeMap<>();
    List<Integer> order = new ArrayList<>();
    for (int d = 0; d < detections.size(); d++) {
      order.add(d);
    }
    order.sort(Comparator.comparingDouble((Integer d) -> detections.get(d).score()).reversed()
        .thenComparingInt(d -> d));
    List<BinaryMask> taken = new ArrayList<>(predicted.values());
    int nextId = 1;
    for (int d : order) {
      Instance detection = detections.get(d);
      if (used[d] || !options.startClasses().contains(detection.label())
          || detection.score() < options.startScore() || detection.mask().isEmpty()) {
        continue;
      }
      if (covers(detection.mask(), taken, options.matchIou())) {
        continue; // mostly an object already tracked (or just started): not a new one
      }
      if (predicted.size() + started.size() >= options.maxObjects()) {
        break;
      }
      while (predicted.containsKey(nextId) || started.containsKey(nextId)) {
        nextId++;
      }
      started.put(nextId, detection);
      taken.add(detection.mask());
    }
    return new Decision(support, started);
  }

  /** True when {@code mask} shares at least {@code share} of its area with one of {@code others}. */
  private static boolean covers(BinaryMask mask, List<BinaryMask> others, double share) {
    for (BinaryMask other : others) {
      if (other.width() == mask.width() && other.height() == mask.height()
          && mask.intersection(other) >= share * mask.area()) {
        return true;
      }
    }
    return false;
  }
}
