package dev.alphaflow.model.vos;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A frame's segmentation: every tracked object's mask, and the same as one label map.
 *
 * @param objects one per tracked object, by ascending id (objects whose mask is empty included)
 * @param labels {@code width * height} bytes, row-major: 0 for background, else the object id (unsigned); what the
 *     DAVIS indexed PNG holds
 * @param timingsMicros wall time per step (e.g. features, readout, refine) for this frame
 * @param started objects that detections started on this frame (id to the detection's class label), by ascending id
 * @param supported tracked objects a detection matched on this frame (see {@link TrackEvidence}), ascending
 */
public record VosResult(int width, int height, List<SegmentedMask> objects, byte[] labels,
    Map<String, Long> timingsMicros, Map<Integer, String> started, Set<Integer> supported) {

  public VosResult {
    objects = List.copyOf(objects);
    timingsMicros = Map.copyOf(timingsMicros);
    started = Collections.unmodifiableMap(new TreeMap<>(started));
    supported = Collections.unmodifiableSortedSet(new TreeSet<>(supported));
    if (labels.length != width * height) {
      throw new IllegalArgumentException("labels has " + labels.length + " bytes, expected " + width * height);
    }
  }

  /** A result with no object started by a detection. */
  public VosResult(int width, int height, List<SegmentedMask> objects, byte[] labels,
      Map<String, Long> timingsMicros) {
    this(width, height, objects, labels, timingsMicros, Map.of(), Set.of());
  }
}
