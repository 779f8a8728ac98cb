package dev.alphaflow.model.instances;

import dev.alphaflow.model.onnx.OnnxGraphBuilder;
import dev.alphaflow.model.onnx.OnnxModelWriter;
import static dev.alphaflow.model.onnx.OnnxModelWriter.FLOAT;
import static dev.alphaflow.model.onnx.OnnxModelWriter.INT64;

import dev.alphaflow.model.ModelCard;

import dev.alphaflow.model.onnx.OnnxGraphBuilder.Attribute;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Tiny generated models with the YOLO-seg, SparseInst and CondInst export contracts; outputs easy to work out. */
final class InstanceTinyModels {

  private InstanceTinyModels() {}

  /** A card for a generated file, without an I/O contract (the decoders check the signature themselves). */
  static ModelCard card(Path file) {
    return ModelCard.forFile(file.getFileName().toString().replace(".onnx", ""), file);
  }

  /** {@code out = value + 0 * mean(images)}: a constant that still reads the input. */
  private static OnnxGraphBuilder constant(OnnxGraphBuilder g, String out, long[] dims, float[] values) {
    return g.initializer(out + "_value", dims, values)
        .node("Add", List.of(out + "_value", "zero_of_input"), List.of(out));
  }

  private static OnnxGraphBuilder withZeroOfInput(OnnxGraphBuilder g) {
    return g.initializer("zero", new long[] {1}, new float[] {0f})
        .node("ReduceMean", "images", "mean_of_input", Attribute.i("keepdims", 0))
        .node("Mul", List.of("mean_of_input", "zero"), List.of("zero_of_input"));
  }

  /**
   * YOLO-seg contract, input fixed [1,3,32,32], 2 classes, 1 mask coefficient, 3 anchors, prototypes [1,1,8,8]
   * all +1 (stride 4). Anchors (input pixels):
   * <ol start="0">
   *   <li>class 0, score 0.9, box cx 8 cy 16 w 8 h 8 = [4,12,12,20], coefficient +1 (mask = whole box);
   *   <li>class 0, score 0.8, box [5,12,13,20] (IoU 0.78 with anchor 0), coefficient +1;
   *   <li>class 1, score 0.6, box = anchor 0's, coefficient -1 (empty mask).
   * </ol>
   * Scores of the other class are 0.01.
   */
  static Path yoloSeg(Path out) {
    int anchors = 3;
    float[][] channels = {
        {8, 9, 8}, // cx
        {16, 16, 16}, // cy
        {8, 8, 8}, // w
        {8, 8, 8}, // h
        {0.9f, 0.8f, 0.01f}, // class 0
        {0.01f, 0.01f, 0.6f}, // class 1
        {1, 1, -1}, // coefficient
    };
    float[] det = new float[channels.length * anchors];
    for (int c = 0; c < channels.length; c++) {
      System.arraycopy(channels[c], 0, det, c * anchors, anchors);
    }
    float[] protos = new float[64];
    Arrays.fill(protos, 1f);
    OnnxGraphBuilder g = withZeroOfInput(new OnnxGraphBuilder("yolo_seg_contract")
        .input("images", FLOAT, "1,3,32,32"));
    constant(g, "output0", new long[] {1, channels.length, anchors}, det);
    constant(g, "output1", new long[] {1, 1, 8, 8}, protos);
    return g.output("output0", FLOAT, "1,7,3").output("output1", FLOAT, "1,1,8,8").writeTo(out);
  }

  /**
   * SparseInst contract, input [1,3,H,W] symbolic, N = 2 instances, 3 classes, masks at input resolution:
   * {@code masks[0] = 10 * (R - 0.5)}, {@code masks[1] = 10 * (G - 0.5)} (red / green pixels);
   * class logits {@code [0, 2, -1]} and {@code [3, 0, 0]}; objectness logits {@code 1} and {@code -2}.
   */
  static Path sparseInst(Path out) {
    OnnxGraphBuilder g = withZeroOfInput(new OnnxGraphBuilder("sparseinst_contract")
        .input("images", FLOAT, "1,3,H,W")
        .initializer("mask_w", new long[] {2, 3, 1, 1}, new float[] {10, 0, 0, 0, 10, 0})
        .initializer("mask_b", new long[] {2}, new float[] {-5, -5})
        .node("Conv", List.of("images", "mask_w", "mask_b"), List.of("masks")));
    constant(g, "scores", new long[] {1, 2, 3}, new float[] {0, 2, -1, 3, 0, 0});
    constant(g, "objectness", new long[] {1, 2}, new float[] {1, -2});
    return g.output("masks", FLOAT, "1,2,H,W").output("scores", FLOAT, "1,2,3").output("objectness", FLOAT, "1,2")
        .writeTo(out);
  }

  /**
   * SparseInst contract with a fixed [1,3,8,8] input and one instance whose mask logits are at half the input
   * resolution: {@code masks[0] = AveragePool2x2(10 * (R - 0.5))} [1,1,4,4]; class logit 2, objectness 2.
   */
  static Path sparseInstHalfResolution(Path out) {
    OnnxGraphBuilder g = withZeroOfInput(new OnnxGraphBuilder("sparseinst_half")
        .input("images", FLOAT, "1,3,8,8")
        .initializer("mask_w", new long[] {1, 3, 1, 1}, new float[] {10, 0, 0})
        .initializer("mask_b", new long[] {1}, new float[] {-5})
        .node("Conv", List.of("images", "mask_w", "mask_b"), List.of("full"))
        .node("AveragePool", "full", "masks", Attribute.ints("kernel_shape", 2, 2), Attribute.ints("strides", 2, 2)));
    constant(g, "scores", new long[] {1, 1, 1}, new float[] {2});
    constant(g, "objectness", new long[] {1, 1}, new float[] {2});
    return g.output("masks", FLOAT, "1,1,4,4").output("scores", FLOAT, "1,1,1").output("objectness", FLOAT, "1,1")
        .writeTo(out);
  }

  /** CondInst mask-head parameters for Cm = 1: W1 [8,3], W2 [8,8], W3 [1,8], b1 [8], b2 [8], b3 [1]. */
  static float[] condInstParams(float[] w1Row0, float b10, float b3) {
    float[] p = new float[CondInstDecoder.paramCount(1)];
    int w1 = 0;
    int w2 = w1 + 8 * 3;
    int w3 = w2 + 8 * 8;
    int b1 = w3 + 8;
    int b2 = b1 + 8;
    int b3i = b2 + 8;
    System.arraycopy(w1Row0, 0, p, w1, 3); // hidden unit 0 of layer 1 reads [feat, relx, rely]
    p[w2] = 1; // hidden unit 0 of layer 2 = unit 0 of layer 1
    p[w3] = 1; // output = unit 0 of layer 2
    p[b1] = b10;
    p[b3i] = b3;
    return p;
  }

  /**
   * CondInst contract, input [1,3,H,W] symbolic, {@code mask_feats} = the red channel [1,1,H,W] (stride 1), four
   * detections (use relativeCoordScale 1):
   * <ol start="0">
   *   <li>A: class 0, score 0.9, location (1, 1), box [2,0,4,4];
   *       {@code logit = relu(relu(x - 1)) - 0.5}, so the mask is {@code x >= 2};
   *   <li>B: class 1, score 0.8, location (0, 0), box [0,1,4,4];
   *       {@code logit = relu(relu(R + y - 0.5)) - 1}, so the mask is {@code R + y > 1.5};
   *   <li>C: class 0, score 0.1, location (0, 0), box [0,0,1,1]: under a 0.25 threshold;
   *   <li>D: class 0, score 0.7, location (1.2, 1), box = A's, A's head: the same mask as A (a duplicate).
   * </ol>
   */
  static Path condInst(Path out) {
    float[] a = condInstParams(new float[] {0, 1, 0}, 0, -0.5f);
    float[] b = condInstParams(new float[] {1, 0, 1}, -0.5f, -1f);
    float[] c = condInstParams(new float[] {0, 0, 0}, 0, 1f);
    int p = a.length;
    float[] params = new float[4 * p];
    System.arraycopy(a, 0, params, 0, p);
    System.arraycopy(b, 0, params, p, p);
    System.arraycopy(c, 0, params, 2 * p, p);
    System.arraycopy(a, 0, params, 3 * p, p);
    OnnxGraphBuilder g = withZeroOfInput(new OnnxGraphBuilder("condinst_contract")
        .input("images", FLOAT, "1,3,H,W")
        .initializer("feat_w", new long[] {1, 3, 1, 1}, new float[] {1, 0, 0})
        .node("Conv", List.of("images", "feat_w"), List.of("mask_feats")));
    constant(g, "params", new long[] {4, p}, params);
    constant(g, "locations", new long[] {4, 2}, new float[] {1, 1, 0, 0, 0, 0, 1.2f, 1});
    constant(g, "scores", new long[] {4}, new float[] {0.9f, 0.8f, 0.1f, 0.7f});
    constant(g, "boxes", new long[] {4, 4}, new float[] {2, 0, 4, 4, 0, 1, 4, 4, 0, 0, 1, 1, 2, 0, 4, 4});
    g.initializer("classes_value", new long[] {4}, new long[] {0, 1, 0, 0})
        .node("Identity", "classes_value", "classes");
    return g.output("params", FLOAT, "4," + p)
        .output("mask_feats", FLOAT, "1,1,H,W")
        .output("locations", FLOAT, "4,2")
        .output("scores", FLOAT, "4")
        .output("classes", INT64, "4")
        .output("boxes", FLOAT, "4,4")
        .writeTo(out);
  }
}
