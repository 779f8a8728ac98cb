package dev.alphaflow.model.testing;

import static dev.alphaflow.model.onnx.OnnxModelWriter.FLOAT;

import dev.alphaflow.model.ModelCard;
import dev.alphaflow.model.ModelCards;
import dev.alphaflow.model.onnx.OnnxGraphBuilder;
import dev.alphaflow.model.onnx.OnnxGraphBuilder.Attribute;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * A tiny generated feature extractor with the I/O contract of {@code ModelCards.MOBILENETV2_FEATURES}, for fast
 * deterministic VOS tests: input {@code input} [N, 3, H, W]; outputs {@code feat_s4} [N, 24, H/4, W/4],
 * {@code feat_s8} [N, 32, H/8, W/8], {@code feat_s16} [N, 96, H/16, W/16] and {@code feat_s32} [N, 320, H/32, W/32],
 * each {@code Tanh(Conv1x1(AveragePool_s(input)))} (the pool centred on multiples of s) with weights from a fixed seed. The features are a random
 * embedding of the local mean colour: regions of different colours get different keys, so a coloured object on a
 * background can be tracked. Valid for sides that are multiples of 32.
 */
public final class TinyFeatureModels {

  private TinyFeatureModels() {}

  private static final long SEED = 20240612L;
  private static final String[] NAMES = {"feat_s4", "feat_s8", "feat_s16", "feat_s32"};
  private static final int[] CHANNELS = {24, 32, 96, 320};
  private static final int[] STRIDES = {4, 8, 16, 32};

  /** Writes the model with all four outputs. */
  public static Path mobileNetV2FeaturesContract(Path out) {
    return write(out, NAMES.length);
  }

  /** Writes a model with only the first {@code outputs} of feat_s4, feat_s8, ... (contract-failure tests). */
  public static Path withFirstOutputs(Path out, int outputs) {
    return write(out, outputs);
  }

  /**
   * Writes a model with the same contract whose features are NaN where the frame is near black: it takes the square
   * root of the normalized input plus 2, which is negative for a channel value below about 7 of 255 in red or green
   * (ImageNet normalization). Frames without such pixels are features as usual. For testing what happens when the
   * model fails on one frame after it has been read against the memory (NaN keys are refused when a bank absorbs them).
   */
  public static Path failingOnBlack(Path out) {
    return write(out, NAMES.length, true);
  }

  private static Path write(Path out, int outputs) {
    return write(out, outputs, false);
  }

  private static Path write(Path out, int outputs, boolean nanOnBlack) {
    Random random = new Random(SEED);
    OnnxGraphBuilder g = new OnnxGraphBuilder("mobilenetv2_features_contract").input("input", FLOAT, "N,3,H,W");
    String source = "input";
    if (nanOnBlack) {
      g.initializer("two", new long[] {1}, new float[] {2f})
          .node("Add", List.of("input", "two"), List.of("shifted"))
          .node("Sqrt", "shifted", "rooted");
      source = "rooted";
    }
    for (int k = 0; k < outputs; k++) {
      int c = CHANNELS[k];
      int s = STRIDES[k];
      g.initializer("w" + k, new long[] {c, 3, 1, 1}, gaussian(random, c * 3, 1.5f))
          .initializer("b" + k, new long[] {c}, gaussian(random, c, 0.3f))
          // pads s/2 before and s/2 - 1 after: output cell j is centred near input pixel j * s, as in
          // MobileNetV2 (3x3, stride-2, pad-1 convs centre output o on input 2o), and there are H/s cells
          .node("AveragePool", source, "pool" + k, Attribute.ints("kernel_shape", s, s),
              Attribute.ints("strides", s, s), Attribute.ints("pads", s / 2, s / 2, s / 2 - 1, s / 2 - 1))
          .node("Conv", List.of("pool" + k, "w" + k, "b" + k), List.of("conv" + k))
          .node("Tanh", "conv" + k, NAMES[k])
          .output(NAMES[k], FLOAT, "N," + c + ",H" + s + ",W" + s);
    }
    return g.writeTo(out);
  }

  /** The MobileNetV2-features card pointed at a generated file: same contract, the file's hash. */
  public static ModelCard card(Path file) {
    return ModelCards.MOBILENETV2_FEATURES.toBuilder()
        .id("mobilenetv2-features-tiny")
        .relativePath(file.getFileName().toString())
        .sha256(TinyModels.sha256(file))
        .license("Apache-2.0")
        .description("tiny generated model with the MobileNetV2 feature I/O contract (tests only)")
        .build();
  }

  private static float[] gaussian(Random random, int n, float scale) {
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = (float) random.nextGaussian() * scale;
    }
    return values;
  }
}
