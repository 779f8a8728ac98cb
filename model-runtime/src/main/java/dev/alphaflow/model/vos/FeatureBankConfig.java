package dev.alphaflow.model.vos;

import java.io.Serializable;
import java.util.Objects;

/**
 * How a {@link FeatureBank} absorbs, evicts and is read: AFB-URR's {@code thres_close} and {@code update_rate}, the
 * per-object budget, the usage threshold, and the readout kernel.
 *
 * <pre>{@code
 * FeatureBankConfig config = FeatureBankConfig.builder()
 *     .budget(2048)                                   // entries per object
 *     .valueMerge(FeatureBankConfig.ValueMerge.WEIGHTED_AVERAGE)   // values are soft masks
 *     .build();
 * }</pre>
 */
public final class FeatureBankConfig implements Serializable {

  private static final long serialVersionUID = 1L;

  /** How a merged entry's value changes. Keys always keep their magnitude (AFB-URR). */
  public enum ValueMerge {
    /**
     * As AFB-URR: {@code v = |v_old| * normalize((1 - r) * v_old/|v_old| + r * mean_i(v_i/|v_i|))}. Right for learned
     * value embeddings; a zero value stays zero and a one-channel value never changes, so not for soft masks.
     */
    KEEP_MAGNITUDE,
    /** {@code v = (1 - r) * v_old + r * mean_i(v_i)}: right for values that are probabilities (soft masks). */
    WEIGHTED_AVERAGE
  }

  private final float thresClose;
  private final float updateRate;
  private final int budget;
  private final float usageThreshold;
  private final boolean evictionEnabled;
  private final ValueMerge valueMerge;
  private final ReadoutKernel readoutKernel;

  private FeatureBankConfig(Builder b) {
    this.thresClose = b.thresClose;
    this.updateRate = b.updateRate;
    this.budget = b.budget;
    this.usageThreshold = b.usageThreshold;
    this.evictionEnabled = b.evictionEnabled;
    this.valueMerge = b.valueMerge;
    this.readoutKernel = b.readoutKernel;
  }

  public static Builder builder() {
    return new Builder();
  }

  public static FeatureBankConfig defaults() {
    return builder().build();
  }

  public Builder toBuilder() {
    return new Builder()
        .thresClose(thresClose)
        .updateRate(updateRate)
        .budget(budget)
        .usageThreshold(usageThreshold)
        .evictionEnabled(evictionEnabled)
        .valueMerge(valueMerge)
        .readoutKernel(readoutKernel);
  }

  /** Cosine similarity above which a new key merges into its nearest bank key. */
  public float thresClose() {
    return thresClose;
  }

  /** Weight of the new features in a merge. */
  public float updateRate() {
    return updateRate;
  }

  /** Maximum entries per object while eviction is enabled. */
  public int budget() {
    return budget;
  }

  /** Attention weight above which a read counts as a use of an entry. */
  public float usageThreshold() {
    return usageThreshold;
  }

  public boolean evictionEnabled() {
    return evictionEnabled;
  }

  public ValueMerge valueMerge() {
    return valueMerge;
  }

  public ReadoutKernel readoutKernel() {
    return readoutKernel;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FeatureBankConfig other
        && Float.compare(thresClose, other.thresClose) == 0
        && Float.compare(updateRate, other.updateRate) == 0
        && budget == other.budget
        && Float.compare(usageThreshold, other.usageThreshold) == 0
        && evictionEnabled == other.evictionEnabled
        && valueMerge == other.valueMerge
        && readoutKernel == other.readoutKernel;
  }

  @Override
  public int hashCode() {
    return Objects.hash(thresClose, updateRate, budget, usageThreshold, evictionEnabled, valueMerge, readoutKernel);
  }

  @Override
  public String toString() {
    return "FeatureBankConfig{thresClose=" + thresClose + ", updateRate=" + updateRate + ", budget=" + budget
        + ", usageThreshold=" + usageThreshold + ", evictionEnabled=" + evictionEnabled + ", valueMerge=" + valueMerge
        + ", readoutKernel=" + readoutKernel + "}";
  }

  /** Builder for {@link FeatureBankConfig}; every setting has a default. */
  public static final class Builder {
    private float thresClose = 0.95f;
    private float updateRate = 0.1f;
    private int budget = 4096;
    private float usageThreshold = 1e-3f;
    private boolean evictionEnabled = true;
    private ValueMerge valueMerge = ValueMerge.KEEP_MAGNITUDE;
    private ReadoutKernel readoutKernel = ReadoutKernel.ONNX;

    private Builder() {}

    /**
     * Cosine similarity in [-1, 1] above which a new key is merged into its nearest bank entry instead of appended
     * (default 0.95, AFB-URR's {@code thres_close}). 1 never merges.
     */
    public Builder thresClose(float thresClose) {
      this.thresClose = thresClose;
      return this;
    }

    /** Weight in [0, 1] of the new features when merging (default 0.1, AFB-URR's {@code update_rate}). */
    public Builder updateRate(float updateRate) {
      this.updateRate = updateRate;
      return this;
    }

    /**
     * Maximum entries per object (default 4096). At 854x480 with stride-8 keys a frame brings up to 6420 new
     * entries, most of which merge once the bank has seen the scene. Bank memory is about budget x (key size +
     * value size) x 2 bytes; read time grows linearly with it.
     */
    public Builder budget(int budget) {
      this.budget = budget;
      return this;
    }

    /**
     * Attention weight above which a read counts as a use of an entry (default 1e-3, AFB-URR's {@code thres_valid}).
     * Weights of one query sum to 1, so at most 1/threshold entries (1000) count per query, and in a bank of 1000 or
     * more entries a counted entry gets more than a uniform share of attention: it mattered to the readout. Must be
     * in [1e-20, 1).
     */
    public Builder usageThreshold(float usageThreshold) {
      this.usageThreshold = usageThreshold;
      return this;
    }

    /**
     * Whether the least-frequently-used entries are removed to keep the bank within its budget (default true).
     * False lets the bank grow without bound (for comparisons only).
     */
    public Builder evictionEnabled(boolean evictionEnabled) {
      this.evictionEnabled = evictionEnabled;
      return this;
    }

    /** How merged values change (default {@link ValueMerge#KEEP_MAGNITUDE}, as AFB-URR). */
    public Builder valueMerge(ValueMerge valueMerge) {
      this.valueMerge = Objects.requireNonNull(valueMerge, "valueMerge");
      return this;
    }

    /** Which kernel reads the bank (default {@link ReadoutKernel#ONNX}, the faster one measured on CPU). */
    public Builder readoutKernel(ReadoutKernel readoutKernel) {
      this.readoutKernel = Objects.requireNonNull(readoutKernel, "readoutKernel");
      return this;
    }

    public FeatureBankConfig build() {
      if (!(thresClose >= -1f && thresClose <= 1f)) {
        throw new IllegalArgumentException("thresClose must be a cosine similarity in [-1, 1], got " + thresClose
            + "; AFB-URR uses 0.95");
      }
      if (!(updateRate >= 0f && updateRate <= 1f)) {
        throw new IllegalArgumentException("updateRate must be in [0, 1], got " + updateRate + "; AFB-URR uses 0.1");
      }
      if (budget < 1) {
        throw new IllegalArgumentException("budget must be at least 1 entry per object, got " + budget
            + "; to let the bank grow without bound, set evictionEnabled(false)");
      }
      if (!(usageThreshold >= 1e-20f && usageThreshold < 1f)) {
        throw new IllegalArgumentException("usageThreshold must be in [1e-20, 1), got " + usageThreshold
            + "; AFB-URR uses 1e-3");
      }
      return new FeatureBankConfig(this);
    }
  }
}
