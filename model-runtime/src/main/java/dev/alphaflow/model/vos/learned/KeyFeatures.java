package dev.alphaflow.model.vos.learned;

import java.util.Map;

/**
 * One frame through the key encoder: its keys laid out for a {@link dev.alphaflow.model.vos.FeatureBank} (one row of
 * {@code keyDim} floats per grid position), plus what the decoder needs from the same frame (the NCHW outputs it
 * reads, e.g. {@code key} and {@code skip}), kept as the encoder produced them so decoding needs no second pass.
 *
 * <p>Arrays are not copied; treat them as read-only.
 */
public final class KeyFeatures {

  /** One NCHW tensor as the key encoder produced it. */
  record Tensor(float[] values, long[] shape) {}

  private final int frameWidth;
  private final int frameHeight;
  private final int gridWidth;
  private final int gridHeight;
  private final int keyDim;
  private final float[] keys;
  private final Map<String, Tensor> decoderInputs;

  KeyFeatures(int frameWidth, int frameHeight, int gridWidth, int gridHeight, int keyDim, float[] keys,
      Map<String, Tensor> decoderInputs) {
    this.frameWidth = frameWidth;
    this.frameHeight = frameHeight;
    this.gridWidth = gridWidth;
    this.gridHeight = gridHeight;
    this.keyDim = keyDim;
    this.keys = keys;
    this.decoderInputs = Map.copyOf(decoderInputs);
  }

  /**
   * The keys, row-major {@code [positions, keyDim]}: row {@code y * gridWidth() + x} is the key of grid cell (x, y),
   * i.e. the NCHW output {@code key[0, :, y, x]} transposed. Pass it to {@code FeatureBank.absorb} and
   * {@code FeatureBank.read} with {@link #positions()}.
   */
  public float[] keys() {
    return keys;
  }

  /** Grid positions: {@code gridWidth() * gridHeight()}. */
  public int positions() {
    return gridWidth * gridHeight;
  }

  /** Ck. */
  public int keyDim() {
    return keyDim;
  }

  /** Frame width / stride. */
  public int gridWidth() {
    return gridWidth;
  }

  /** Frame height / stride. */
  public int gridHeight() {
    return gridHeight;
  }

  public int frameWidth() {
    return frameWidth;
  }

  public int frameHeight() {
    return frameHeight;
  }

  Map<String, Tensor> decoderInputs() {
    return decoderInputs;
  }

  @Override
  public String toString() {
    return "KeyFeatures{frame " + frameWidth + "x" + frameHeight + ", grid " + gridWidth + "x" + gridHeight
        + ", keyDim=" + keyDim + ", decoder inputs " + decoderInputs.keySet() + "}";
  }
}
