package dev.alphaflow.model.vos.learned;

import static dev.alphaflow.model.onnx.OnnxModelWriter.FLOAT;

import dev.alphaflow.model.onnx.OnnxGraphBuilder;
import dev.alphaflow.model.onnx.OnnxGraphBuilder.Attribute;
import java.nio.file.Path;
import java.util.List;

/**
 * Tiny generated models of the learned-VOS contract at stride 4, with fixed weights whose outputs are easy to work
 * out by hand. Ck = 2, Cv = 3.
 */
final class LearnedVosTinyModels {

  private LearnedVosTinyModels() {}

  static final int STRIDE = 4;

  /**
   * Key encoder: {@code key = 10 * AveragePool4(image)[R, G]} (a 1x1 conv picking the normalized red and green
   * means of each 4x4 cell) and {@code skip = AveragePool2(mean over channels of image)} [1,1,H/2,W/2].
   *
   * @param imageShape e.g. "1,3,H,W" or a fixed "1,3,8,8"
   * @param keyName "key", or another name to break the contract
   * @param keyShape the declared key shape, e.g. "1,2,h,w", "1,C,h,w" (channels unknown to the model) or "1,2,2,2"
   */
  static Path keyEncoder(Path out, String imageShape, String keyName, String keyShape) {
    OnnxGraphBuilder g = new OnnxGraphBuilder("vos_key_encoder")
        .input("image", FLOAT, imageShape)
        .initializer("key_w", new long[] {2, 3, 1, 1}, new float[] {10, 0, 0, 0, 10, 0})
        .initializer("key_b", new long[] {2}, new float[] {0, 0})
        .initializer("gray_w", new long[] {1, 3, 1, 1}, new float[] {1 / 3f, 1 / 3f, 1 / 3f})
        .node("AveragePool", "image", "pooled", pool(STRIDE));
    if (Character.isDigit(keyShape.split(",")[1].charAt(0))) {
      g.node("Conv", List.of("pooled", "key_w", "key_b"), List.of(keyName));
    } else {
      // ONNX Runtime fills declared symbolic dims from shape inference; a Reshape to a computed shape (no-op
      // Max(shape, 1)) hides the channel count from it, as in an export with dynamic channels.
      g.node("Conv", List.of("pooled", "key_w", "key_b"), List.of("key_conv"))
          .initializer("ones", new long[] {4}, new long[] {1, 1, 1, 1})
          .node("Shape", "key_conv", "key_shape")
          .node("Max", List.of("key_shape", "ones"), List.of("same_shape"))
          .node("Reshape", List.of("key_conv", "same_shape"), List.of(keyName));
    }
    return g.node("Conv", List.of("image", "gray_w"), List.of("gray"))
        .node("AveragePool", "gray", "skip", pool(2))
        .output(keyName, FLOAT, keyShape)
        .output("skip", FLOAT, "1,1,h2,w2")
        .writeTo(out);
  }

  static Path keyEncoder(Path out) {
    return keyEncoder(out, "1,3,H,W", "key", "1,2,h,w");
  }

  /**
   * Value encoder: per 4x4 cell, {@code value = [8 * mean(mask) - 4, mean(others), mean(normalized R)]}: a 1x1 conv
   * over the pooled concatenation [R, G, B, mask, others].
   *
   * @param maskShape "1,1,H,W", or "1,H,W" (rank 3, unsqueezed inside) to break the contract
   */
  static Path valueEncoder(Path out, String maskShape) {
    OnnxGraphBuilder g = new OnnxGraphBuilder("vos_value_encoder")
        .input("image", FLOAT, "1,3,H,W")
        .input("mask", FLOAT, maskShape)
        .input("others", FLOAT, "1,1,H,W")
        .initializer("value_w", new long[] {3, 5, 1, 1}, new float[] {
            0, 0, 0, 8, 0,
            0, 0, 0, 0, 1,
            1, 0, 0, 0, 0})
        .initializer("value_b", new long[] {3}, new float[] {-4, 0, 0});
    String mask = "mask";
    if (maskShape.split(",").length == 3) {
      g.initializer("axis1", new long[] {1}, new long[] {1})
          .node("Unsqueeze", List.of("mask", "axis1"), List.of("mask4"));
      mask = "mask4";
    }
    return g.node("Concat", List.of("image", mask, "others"), List.of("stacked"), Attribute.i("axis", 1))
        .node("AveragePool", "stacked", "pooled", pool(STRIDE))
        .node("Conv", List.of("pooled", "value_w", "value_b"), List.of("value"))
        .output("value", FLOAT, "1,3,h,w")
        .writeTo(out);
  }

  static Path valueEncoder(Path out) {
    return valueEncoder(out, "1,1,H,W");
  }

  /** The decoder's 1x1 conv weights: one per readout channel, one per key channel, the skip's weight, a bias. */
  record DecoderWeights(float[] readout, float[] key, float skip, float bias) {}

  /**
   * Decoder: {@code logits = Up4(readout . w.readout + key . w.key + w.bias) + w.skip * Up2(skip)}, Up = nearest
   * (asymmetric, floor), so pixel (x, y) reads grid cell (x / 4, y / 4) and skip cell (x / 2, y / 2).
   *
   * @param skipName "skip", or a name the key encoder does not produce to break the contract
   */
  static Path decoder(Path out, DecoderWeights w, String skipName) {
    int cv = w.readout().length;
    return new OnnxGraphBuilder("vos_decoder")
        .input("readout", FLOAT, "1," + cv + ",h,w")
        .input("key", FLOAT, "1,2,h,w")
        .input(skipName, FLOAT, "1,1,h2,w2")
        .initializer("dec_r", new long[] {1, cv, 1, 1}, w.readout())
        .initializer("dec_k", new long[] {1, 2, 1, 1}, w.key())
        .initializer("dec_b", new long[] {1}, new float[] {w.bias()})
        .initializer("dec_s", new long[] {1}, new float[] {w.skip()})
        .initializer("up4", new long[] {4}, new float[] {1, 1, 4, 4})
        .initializer("up2", new long[] {4}, new float[] {1, 1, 2, 2})
        .node("Conv", List.of("readout", "dec_r"), List.of("from_readout"))
        .node("Conv", List.of("key", "dec_k", "dec_b"), List.of("from_key"))
        .node("Add", List.of("from_readout", "from_key"), List.of("low"))
        .node("Resize", List.of("low", "", "up4"), List.of("up"), nearest())
        .node("Resize", List.of(skipName, "", "up2"), List.of("skip_up"), nearest())
        .node("Mul", List.of("skip_up", "dec_s"), List.of("skip_scaled"))
        .node("Add", List.of("up", "skip_scaled"), List.of("logits"))
        .output("logits", FLOAT, "1,1,H,W")
        .writeTo(out);
  }

  private static Attribute[] pool(int size) {
    return new Attribute[] {Attribute.ints("kernel_shape", size, size), Attribute.ints("strides", size, size)};
  }

  private static Attribute[] nearest() {
    return new Attribute[] {Attribute.s("mode", "nearest"),
        Attribute.s("coordinate_transformation_mode", "asymmetric"), Attribute.s("nearest_mode", "floor")};
  }
}
