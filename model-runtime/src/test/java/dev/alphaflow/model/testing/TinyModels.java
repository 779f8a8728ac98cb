package dev.alphaflow.model.testing;

import dev.alphaflow.model.onnx.OnnxGraphBuilder;
import dev.alphaflow.model.onnx.OnnxModelWriter;
import static dev.alphaflow.model.onnx.OnnxModelWriter.FLOAT;

import dev.alphaflow.model.ModelCard;
import dev.alphaflow.model.ModelCards;
import dev.alphaflow.model.ModelRegistry;
import dev.alphaflow.model.onnx.OnnxGraphBuilder.Attribute;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/** Tiny generated ONNX models with the I/O contracts of the real ones, for fast deterministic tests. */
public final class TinyModels {

  private TinyModels() {}

  private static final long SEED = 20240611L;
  private static final int[] RVM_CHANNELS = {16, 20, 40, 64};

  /**
   * A model with RVM's exact inputs and outputs, valid for frames whose sides are multiples of 16:
   * <ul>
   *   <li>{@code rKo = Tanh(Conv1x1(AveragePool_{2^K}(src)) + 0.5 * rKi)}: the state genuinely recurs; the
   *       [1,1,1,1] initial zeros broadcast;
   *   <li>{@code pha = Sigmoid(Conv1x1(src) + mean(r1i) + mean(r4i) + 0 * downsample_ratio)}: alpha depends on
   *       the carried state;
   *   <li>{@code fgr = src}.
   * </ul>
   * Weights come from a fixed seed, so every call writes the same bytes.
   */
  public static Path rvmContract(Path out) {
    return rvmContractVariant(out, "pha", RVM_CHANNELS[0]);
  }

  /** Like {@link #rvmContract} with the alpha output renamed and r1o's channel count changed (contract tests). */
  public static Path rvmContractVariant(Path out, String alphaOutputName, int r1Channels) {
    Random random = new Random(SEED);
    OnnxGraphBuilder g = new OnnxGraphBuilder("rvm_contract")
        .input("src", FLOAT, "N,3,H,W")
        .input("r1i", FLOAT, "r1n,r1c,r1h,r1w")
        .input("r2i", FLOAT, "r2n,r2c,r2h,r2w")
        .input("r3i", FLOAT, "r3n,r3c,r3h,r3w")
        .input("r4i", FLOAT, "r4n,r4c,r4h,r4w")
        .input("downsample_ratio", FLOAT, "1")
        .initializer("half", new long[] {1}, new float[] {0.5f})
        .initializer("zero", new long[] {1}, new float[] {0f});

    for (int k = 1; k <= 4; k++) {
      int channels = k == 1 ? r1Channels : RVM_CHANNELS[k - 1];
      int pool = 1 << k;
      g.initializer("w" + k, new long[] {channels, 3, 1, 1}, gaussian(random, channels * 3, 1.0f))
          .initializer("b" + k, new long[] {channels}, gaussian(random, channels, 0.1f))
          .node("AveragePool", "src", "pool" + k,
              Attribute.ints("kernel_shape", pool, pool), Attribute.ints("strides", pool, pool))
          .node("Conv", List.of("pool" + k, "w" + k, "b" + k), List.of("conv" + k))
          .node("Mul", List.of("r" + k + "i", "half"), List.of("carry" + k))
          .node("Add", List.of("conv" + k, "carry" + k), List.of("sum" + k))
          .node("Tanh", "sum" + k, "r" + k + "o")
          .output("r" + k + "o", FLOAT, "N," + channels + ",H" + pool + ",W" + pool);
    }

    g.initializer("wa", new long[] {1, 3, 1, 1}, gaussian(random, 3, 2.0f))
        .initializer("ba", new long[] {1}, new float[] {-0.5f})
        .node("Conv", List.of("src", "wa", "ba"), List.of("alpha_logit"))
        .node("ReduceMean", "r1i", "mean1", Attribute.ints("axes", 1, 2, 3), Attribute.i("keepdims", 1))
        .node("ReduceMean", "r4i", "mean4", Attribute.ints("axes", 1, 2, 3), Attribute.i("keepdims", 1))
        .node("Mul", List.of("downsample_ratio", "zero"), List.of("ratio_zero"))
        .node("Add", List.of("alpha_logit", "mean1"), List.of("a1"))
        .node("Add", List.of("a1", "mean4"), List.of("a2"))
        .node("Add", List.of("a2", "ratio_zero"), List.of("a3"))
        .node("Sigmoid", "a3", alphaOutputName)
        .node("Identity", "src", "fgr")
        .output("fgr", FLOAT, "N,3,H,W")
        .output(alphaOutputName, FLOAT, "N,1,H,W");
    return g.writeTo(out);
  }

  /** The RVM card pointed at a generated file: same contract, the file's hash, relativePath = its file name. */
  public static ModelCard rvmCard(Path file) {
    return ModelCards.RVM_MOBILENETV3.toBuilder()
        .id("rvm-tiny-contract")
        .relativePath(file.getFileName().toString())
        .sha256(sha256(file))
        .license("Apache-2.0")
        .description("tiny generated model with the RVM I/O contract (tests only)")
        .build();
  }

  /** Lower-case hex sha256 of a file. */
  public static String sha256(Path file) {
    return ModelRegistry.sha256(file);
  }

  private static float[] gaussian(Random random, int n, float scale) {
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = (float) random.nextGaussian() * scale;
    }
    return values;
  }
}
