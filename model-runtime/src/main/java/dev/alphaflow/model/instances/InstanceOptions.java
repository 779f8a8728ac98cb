package dev.alphaflow.model.instances;

import java.io.Serializable;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What an {@link InstanceSegmenter} keeps: score threshold, classes, how many, and how duplicates are suppressed.
 *
 * <pre>{@code
 * InstanceOptions people = InstanceOptions.builder()
 *     .classNames(Set.of("person"))
 *     .scoreThreshold(0.5f)
 *     .nms(NmsKind.MATRIX_NMS)
 *     .build();
 * }</pre>
 */
public final class InstanceOptions implements Serializable {

  private static final long serialVersionUID = 1L;

  private final float scoreThreshold;
  private final Set<Integer> classIds;
  private final Set<String> classNames;
  private final int maxInstances;
  private final int maxCandidates;
  private final NmsKind nms;
  private final float iouThreshold;
  private final MatrixNmsKernel matrixKernel;
  private final float matrixSigma;
  private final float matrixScoreThreshold;
  private final float maskThreshold;

  private InstanceOptions(Builder b) {
    this.scoreThreshold = b.scoreThreshold;
    this.classIds = Set.copyOf(b.classIds);
    this.classNames = b.classNames.stream().map(InstanceOptions::normalize).collect(Collectors.toUnmodifiableSet());
    this.maxInstances = b.maxInstances;
    this.maxCandidates = b.maxCandidates;
    this.nms = b.nms;
    this.iouThreshold = b.iouThreshold;
    this.matrixKernel = b.matrixKernel;
    this.matrixSigma = b.matrixSigma;
    this.matrixScoreThreshold = b.matrixScoreThreshold;
    this.maskThreshold = b.maskThreshold;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** All classes, score >= 0.25, at most 100 instances, class-aware NMS at IoU 0.7. */
  public static InstanceOptions defaults() {
    return builder().build();
  }

  public Builder toBuilder() {
    return new Builder()
        .scoreThreshold(scoreThreshold)
        .classIds(classIds)
        .classNames(classNames)
        .maxInstances(maxInstances)
        .maxCandidates(maxCandidates)
        .nms(nms)
        .iouThreshold(iouThreshold)
        .matrixKernel(matrixKernel)
        .matrixSigma(matrixSigma)
        .matrixScoreThreshold(matrixScoreThreshold)
        .maskThreshold(maskThreshold);
  }

  public float scoreThreshold() {
    return scoreThreshold;
  }

  /** Class ids to keep; empty (with {@link #classNames()} empty too) keeps every class. */
  public Set<Integer> classIds() {
    return classIds;
  }

  /** Class names to keep, lower case; empty (with {@link #classIds()} empty too) keeps every class. */
  public Set<String> classNames() {
    return classNames;
  }

  public int maxInstances() {
    return maxInstances;
  }

  public int maxCandidates() {
    return maxCandidates;
  }

  public NmsKind nms() {
    return nms;
  }

  public float iouThreshold() {
    return iouThreshold;
  }

  public MatrixNmsKernel matrixKernel() {
    return matrixKernel;
  }

  public float matrixSigma() {
    return matrixSigma;
  }

  public float matrixScoreThreshold() {
    return matrixScoreThreshold;
  }

  public float maskThreshold() {
    return maskThreshold;
  }

  /** Whether a class passes the class filter: no filter, or its id or (case-insensitive) name is listed. */
  public boolean keepsClass(int classId, String label) {
    if (classIds.isEmpty() && classNames.isEmpty()) {
      return true;
    }
    return classIds.contains(classId) || (label != null && classNames.contains(normalize(label)));
  }

  private static String normalize(String name) {
    return name.trim().toLowerCase(Locale.ROOT);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InstanceOptions other
        && scoreThreshold == other.scoreThreshold
        && classIds.equals(other.classIds)
        && classNames.equals(other.classNames)
        && maxInstances == other.maxInstances
        && maxCandidates == other.maxCandidates
        && nms == other.nms
        && iouThreshold == other.iouThreshold
        && matrixKernel == other.matrixKernel
        && matrixSigma == other.matrixSigma
        && matrixScoreThreshold == other.matrixScoreThreshold
        && maskThreshold == other.maskThreshold;
  }

  @Override
  public int hashCode() {
    return Objects.hash(scoreThreshold, classIds, classNames, maxInstances, maxCandidates, nms, iouThreshold,
        matrixKernel, matrixSigma, matrixScoreThreshold, maskThreshold);
  }

  @Override
  public String toString() {
    return "InstanceOptions{scoreThreshold=" + scoreThreshold + ", classIds=" + classIds + ", classNames="
        + classNames + ", maxInstances=" + maxInstances + ", maxCandidates=" + maxCandidates + ", nms=" + nms
        + (nms == NmsKind.CLASS_AWARE_NMS ? ", iouThreshold=" + iouThreshold
            : ", kernel=" + matrixKernel + (matrixKernel == MatrixNmsKernel.GAUSSIAN ? ", sigma=" + matrixSigma : "")
                + ", matrixScoreThreshold=" + matrixScoreThreshold)
        + ", maskThreshold=" + maskThreshold + "}";
  }

  /** Builder for {@link InstanceOptions}; every setting has a default. */
  public static final class Builder {
    private float scoreThreshold = 0.25f;
    private Set<Integer> classIds = Set.of();
    private Set<String> classNames = Set.of();
    private int maxInstances = 100;
    private int maxCandidates = 300;
    private NmsKind nms = NmsKind.CLASS_AWARE_NMS;
    private float iouThreshold = 0.7f;
    private MatrixNmsKernel matrixKernel = MatrixNmsKernel.GAUSSIAN;
    private float matrixSigma = 2.0f;
    private float matrixScoreThreshold = 0.25f;
    private float maskThreshold = 0.5f;

    private Builder() {}

    /** Minimum score of a candidate, before any suppression, in [0, 1) (default 0.25). */
    public Builder scoreThreshold(float threshold) {
      this.scoreThreshold = threshold;
      return this;
    }

    /** Class ids to keep (default: empty = no id filter). Combined with {@link #classNames} by "either matches". */
    public Builder classIds(Set<Integer> ids) {
      Objects.requireNonNull(ids, "classIds");
      ids.forEach(id -> Objects.requireNonNull(id, "classIds holds null"));
      this.classIds = Set.copyOf(ids);
      return this;
    }

    /** Class names to keep, case-insensitive (default: empty = no name filter), e.g. {@code Set.of("person")}. */
    public Builder classNames(Set<String> names) {
      Objects.requireNonNull(names, "classNames");
      names.forEach(name -> Objects.requireNonNull(name, "classNames holds null"));
      this.classNames = Set.copyOf(names);
      return this;
    }

    /** At most this many instances per frame, the best-scored ones (default 100). */
    public Builder maxInstances(int max) {
      this.maxInstances = max;
      return this;
    }

    /** At most this many best-scored candidates enter suppression (default 300); bounds matrix NMS's cost. */
    public Builder maxCandidates(int max) {
      this.maxCandidates = max;
      return this;
    }

    /** Suppression kind (default class-aware NMS). Decoders whose model needs none (SparseInst) ignore it. */
    public Builder nms(NmsKind kind) {
      this.nms = Objects.requireNonNull(kind, "nms");
      return this;
    }

    /** Class-aware NMS: a box whose IoU with a better box of its class exceeds this is dropped (default 0.7). */
    public Builder iouThreshold(float threshold) {
      this.iouThreshold = threshold;
      return this;
    }

    /** Matrix NMS decay function (default gaussian). */
    public Builder matrixKernel(MatrixNmsKernel kernel) {
      this.matrixKernel = Objects.requireNonNull(kernel, "matrixKernel");
      return this;
    }

    /** Matrix NMS gaussian kernel's sigma (default 2.0, SOLOv2's value); larger decays duplicates harder. */
    public Builder matrixSigma(float sigma) {
      this.matrixSigma = sigma;
      return this;
    }

    /** Matrix NMS: decayed scores below this are dropped (default 0.25). */
    public Builder matrixScoreThreshold(float threshold) {
      this.matrixScoreThreshold = threshold;
      return this;
    }

    /** A mask pixel is set where the mask probability exceeds this, in (0, 1) (default 0.5). */
    public Builder maskThreshold(float threshold) {
      this.maskThreshold = threshold;
      return this;
    }

    public InstanceOptions build() {
      if (!(scoreThreshold >= 0f && scoreThreshold < 1f)) {
        throw new IllegalArgumentException("scoreThreshold must be in [0, 1), got " + scoreThreshold
            + "; 0.25 is YOLO's usual value, raise it to keep only confident objects");
      }
      if (maxInstances < 1) {
        throw new IllegalArgumentException("maxInstances must be at least 1, got " + maxInstances);
      }
      if (maxCandidates < maxInstances) {
        throw new IllegalArgumentException("maxCandidates (" + maxCandidates + ") must be at least maxInstances ("
            + maxInstances + ")");
      }
      if (!(iouThreshold > 0f && iouThreshold <= 1f)) {
        throw new IllegalArgumentException("iouThreshold must be in (0, 1], got " + iouThreshold
            + "; 1 disables suppression of all but identical boxes");
      }
      if (!(matrixSigma > 0f) || Float.isInfinite(matrixSigma)) {
        throw new IllegalArgumentException("matrixSigma must be a positive number, got " + matrixSigma);
      }
      if (!(matrixScoreThreshold >= 0f && matrixScoreThreshold < 1f)) {
        throw new IllegalArgumentException("matrixScoreThreshold must be in [0, 1), got " + matrixScoreThreshold);
      }
      if (!(maskThreshold > 0f && maskThreshold < 1f)) {
        throw new IllegalArgumentException("maskThreshold must be in (0, 1), got " + maskThreshold);
      }
      for (int id : classIds) {
        if (id < 0) {
          throw new IllegalArgumentException("classIds must be >= 0, got " + id);
        }
      }
      return new InstanceOptions(this);
    }
  }
}
