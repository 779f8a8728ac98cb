package dev.alphaflow.model.vos;

import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One video's segmentation memory: a long-term {@link FeatureBank} per object (bounded by its budget) and the
 * short-term {@link FrameMemory} of the previous frame. The Flink operator keeps the banks in a
 * {@code MapState<objectId, FeatureBank>} and the frame memory in a {@code ValueState}; the segmenter updates this
 * object (and its banks) when a frame succeeds, all at the end, and leaves it as it was when a frame fails. Not
 * thread-safe.
 */
public final class VosMemory {

  private final SortedMap<Integer, FeatureBank> banks;
  private FrameMemory previous;

  public VosMemory() {
    this(new TreeMap<>(), null);
  }

  public VosMemory(SortedMap<Integer, FeatureBank> banks, FrameMemory previous) {
    this.banks = new TreeMap<>(Objects.requireNonNull(banks, "banks"));
    this.previous = previous;
  }

  /** The banks by object id, ascending; mutable (the segmenter adds, removes and updates banks). */
  public SortedMap<Integer, FeatureBank> banks() {
    return banks;
  }

  /** The ids of the objects being tracked, ascending. */
  public java.util.Set<Integer> objectIds() {
    return Collections.unmodifiableSet(banks.keySet());
  }

  public boolean hasObject(int objectId) {
    return banks.containsKey(objectId);
  }

  /** The previous frame's memory; null before the first frame and after a reset. */
  public FrameMemory previous() {
    return previous;
  }

  public void setPrevious(FrameMemory previous) {
    this.previous = previous;
  }

  public boolean isEmpty() {
    return banks.isEmpty() && previous == null;
  }

  /** Forgets everything (RESET, geometry change, large gap). */
  public void clear() {
    banks.clear();
    previous = null;
  }

  /** Bytes of fp16 tensor payload held: every bank plus the frame memory. */
  public long stateBytes() {
    long bytes = previous == null ? 0 : previous.byteSize();
    for (FeatureBank bank : banks.values()) {
      bytes += bank.stateBytes();
    }
    return bytes;
  }
}
