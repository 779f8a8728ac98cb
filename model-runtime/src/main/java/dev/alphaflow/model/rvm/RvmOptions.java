package dev.alphaflow.model.rvm;

import java.io.Serializable;
import java.util.Objects;

/**
 * How {@link RvmMatter} runs RVM: the downsample ratio (fixed, or chosen per frame size) and whether to return the
 * foreground.
 *
 * <pre>{@code
 * RvmOptions options = RvmOptions.builder().maxDownsampledLongSide(384).build(); // automatic ratio
 * RvmOptions fixed = RvmOptions.builder().downsampleRatio(0.25f).withForeground(true).build();
 * }</pre>
 */
public final class RvmOptions implements Serializable {

  private static final long serialVersionUID = 1L;

  private final Float downsampleRatio;
  private final int maxDownsampledLongSide;
  private final boolean withForeground;

  private RvmOptions(Builder b) {
    this.downsampleRatio = b.downsampleRatio;
    this.maxDownsampledLongSide = b.maxDownsampledLongSide;
    this.withForeground = b.withForeground;
  }

  public static Builder builder() {
    return new Builder();
  }

  public static RvmOptions defaults() {
    return builder().build();
  }

  /** The fixed ratio, or null when it is chosen from the frame size. */
  public Float downsampleRatio() {
    return downsampleRatio;
  }

  public int maxDownsampledLongSide() {
    return maxDownsampledLongSide;
  }

  public boolean withForeground() {
    return withForeground;
  }

  /** The configured ratio, else min(1, maxDownsampledLongSide / max(width, height)). */
  public float ratioFor(int width, int height) {
    if (downsampleRatio != null) {
      return downsampleRatio;
    }
    return Math.min(1f, maxDownsampledLongSide / (float) Math.max(width, height));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RvmOptions other
        && Objects.equals(downsampleRatio, other.downsampleRatio)
        && maxDownsampledLongSide == other.maxDownsampledLongSide
        && withForeground == other.withForeground;
  }

  @Override
  public int hashCode() {
    return Objects.hash(downsampleRatio, maxDownsampledLongSide, withForeground);
  }

  @Override
  public String toString() {
    return "RvmOptions{downsampleRatio=" + (downsampleRatio == null ? "auto" : downsampleRatio)
        + ", maxDownsampledLongSide=" + maxDownsampledLongSide + ", withForeground=" + withForeground + "}";
  }

  /** Builder for {@link RvmOptions}. */
  public static final class Builder {
    private Float downsampleRatio;
    private int maxDownsampledLongSide = 512;
    private boolean withForeground;

    private Builder() {}

    /** A fixed ratio in (0, 1]; null (default) picks it per frame from {@link #maxDownsampledLongSide}. */
    public Builder downsampleRatio(Float ratio) {
      this.downsampleRatio = ratio;
      return this;
    }

    /** Long side, in pixels, of the frame the encoder sees when the ratio is automatic (default 512). */
    public Builder maxDownsampledLongSide(int pixels) {
      this.maxDownsampledLongSide = pixels;
      return this;
    }

    /** Also return the predicted foreground RGB (default false; costs a copy per frame). */
    public Builder withForeground(boolean withForeground) {
      this.withForeground = withForeground;
      return this;
    }

    public RvmOptions build() {
      if (downsampleRatio != null && !(downsampleRatio > 0f && downsampleRatio <= 1f)) {
        throw new IllegalArgumentException("downsampleRatio must be in (0, 1], got " + downsampleRatio
            + "; RVM's authors suggest a ratio that brings the long side to 256-512 px");
      }
      if (maxDownsampledLongSide < 16) {
        throw new IllegalArgumentException("maxDownsampledLongSide must be at least 16 px, got "
            + maxDownsampledLongSide);
      }
      return new RvmOptions(this);
    }
  }
}
