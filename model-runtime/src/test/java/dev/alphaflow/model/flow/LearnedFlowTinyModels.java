package dev.alphaflow.model.flow;

import static dev.alphaflow.model.onnx.OnnxModelWriter.FLOAT;
import static dev.alphaflow.model.onnx.OnnxModelWriter.INT64;

import dev.alphaflow.model.onnx.OnnxGraphBuilder;
import dev.alphaflow.model.onnx.OnnxGraphBuilder.Attribute;
import java.nio.file.Path;
import java.util.List;

/**
 * Tiny generated models of the learned-flow contract at stride {@value #STRIDE}, with outputs easy to work out by
 * hand: per 8x8 cell of the padded frames, {@code flow_low = mean(image2 - image1)[R, G] / 255 + flow_init
 * + 0.5 * iters}, and {@code flow = 8 * nearest-upsampled flow_low} (RAFT also scales its upsampled flow by 8).
 */
final class LearnedFlowTinyModels {

  private LearnedFlowTinyModels() {}

  static final int STRIDE = 8;

  /** Which optional parts of the contract a model has, and how to break it. */
  record Variant(boolean iters, boolean warmStart, boolean low, String image2Name, int flowChannels,
      String extraInput) {
    static Variant plain() {
      return new Variant(false, false, false, "image2", 2, null);
    }

    static Variant full() {
      return new Variant(true, true, true, "image2", 2, null);
    }
  }

  static Path model(Path out, Variant v) {
    OnnxGraphBuilder g = new OnnxGraphBuilder("tiny_flow")
        .input("image1", FLOAT, "1,3,H,W")
        .input(v.image2Name(), FLOAT, "1,3,H,W")
        .initializer("pick_rg", new long[] {v.flowChannels(), 3, 1, 1}, pickRg(v.flowChannels()))
        .initializer("up", new long[] {4}, new float[] {1, 1, STRIDE, STRIDE})
        .initializer("eight", new long[] {1}, new float[] {STRIDE})
        .initializer("half", new long[] {1}, new float[] {0.5f})
        .node("Sub", List.of(v.image2Name(), "image1"), List.of("diff"))
        .node("AveragePool", "diff", "pooled", Attribute.ints("kernel_shape", STRIDE, STRIDE),
            Attribute.ints("strides", STRIDE, STRIDE))
        .node("Conv", List.of("pooled", "pick_rg"), List.of("low0"));
    String low = "low0";
    if (v.warmStart()) {
      g.input("flow_init", FLOAT, "1," + v.flowChannels() + ",h,w").node("Add", List.of(low, "flow_init"), List.of("low1"));
      low = "low1";
    }
    if (v.iters()) {
      g.input("iters", INT64, "1")
          .node("Cast", "iters", "iters_f", Attribute.i("to", FLOAT))
          .node("Mul", List.of("iters_f", "half"), List.of("iters_half"))
          .node("Add", List.of(low, "iters_half"), List.of("low2"));
      low = "low2";
    }
    if (v.extraInput() != null) {
      g.input(v.extraInput(), FLOAT, "1").node("Add", List.of(low, v.extraInput()), List.of("low3"));
      low = "low3";
    }
    g.node("Identity", low, "flow_low_out")
        .node("Mul", List.of(low, "eight"), List.of("scaled"))
        .node("Resize", List.of("scaled", "", "up"), List.of("flow"), Attribute.s("mode", "nearest"),
            Attribute.s("coordinate_transformation_mode", "asymmetric"), Attribute.s("nearest_mode", "floor"))
        .output("flow", FLOAT, "1," + v.flowChannels() + ",H,W");
    if (v.low()) {
      g.node("Identity", "flow_low_out", "flow_low").output("flow_low", FLOAT, "1,2,h,w");
    }
    return g.writeTo(out);
  }

  /** A 1x1 conv taking R and G (divided by 255) into the first two output channels. */
  private static float[] pickRg(int channels) {
    float[] w = new float[channels * 3];
    w[0] = 1 / 255f;
    if (channels > 1) {
      w[3 + 1] = 1 / 255f;
    }
    return w;
  }
}
