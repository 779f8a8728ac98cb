package dev.alphaflow.model.vos;

/**
 * The feature maps of the MobileNetV2 feature extractor ({@code ModelCards.MOBILENETV2_FEATURES}) that can make up a
 * {@link VideoObjectSegmenter}'s keys: the output name, its channel count and its stride in input pixels.
 */
public enum FeatureLayer {
  /** Stride 4, 24 channels: edges and colour, too local to match objects on their own. */
  S4("feat_s4", 24, 4),
  /** Stride 8, 32 channels: texture; matches well while the appearance stays the same. */
  S8("feat_s8", 32, 8),
  /** Stride 16, 96 channels: parts; keeps matching through deformation and motion blur. */
  S16("feat_s16", 96, 16),
  /** Stride 32, 320 channels: object-level semantics, very coarse. */
  S32("feat_s32", 320, 32);

  private final String outputName;
  private final int channels;
  private final int stride;

  FeatureLayer(String outputName, int channels, int stride) {
    this.outputName = outputName;
    this.channels = channels;
    this.stride = stride;
  }

  /** The model output that holds this layer. */
  public String outputName() {
    return outputName;
  }

  public int channels() {
    return channels;
  }

  public int stride() {
    return stride;
  }
}
