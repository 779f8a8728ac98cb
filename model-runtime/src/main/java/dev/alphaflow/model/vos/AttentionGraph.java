package dev.alphaflow.model.vos;

import java.util.List;

import dev.alphaflow.model.onnx.OnnxGraphBuilder;
import dev.alphaflow.model.onnx.OnnxGraphBuilder.Attribute;
import dev.alphaflow.model.onnx.OnnxModelWriter;

/**
 * The ONNX model of the attention readout, generated in code:
 *
 * <pre>
 *   query [N, D], keys [M, D], values [M, V]
 *   scores  = MatMul(query, Transpose(keys))          [N, M]
 *   weights = Softmax(Mul(scores, 1/sqrt(D)), axis=-1) [N, M]
 *   readout = MatMul(weights, values)                  [N, V]
 *   hits    = ReduceSum(Cast&lt;float&gt;(Greater(weights, threshold)), axes=[0])  [M]
 * </pre>
 *
 * N, M and V are symbolic; D and the threshold are constants of the graph (one graph per key size and threshold).
 * IR version 8, opset 13 (ONNX Runtime 1.14+).
 */
final class AttentionGraph {

  private AttentionGraph() {}

  static final String QUERY = "query";
  static final String KEYS = "keys";
  static final String VALUES = "values";
  static final String READOUT = "readout";
  static final String HITS = "hits";

  static byte[] build(int keyDim, float hitThreshold) {
    String d = Integer.toString(keyDim);
    int f32 = OnnxModelWriter.FLOAT;
    return new OnnxGraphBuilder("vos_attention_readout")
        .input(QUERY, f32, "N," + d)
        .input(KEYS, f32, "M," + d)
        .input(VALUES, f32, "M,V")
        .initializer("scale", new long[0], new float[] {(float) (1.0 / Math.sqrt(keyDim))})
        .initializer("threshold", new long[0], new float[] {hitThreshold})
        .initializer("axis0", new long[] {1}, new long[] {0})
        .node("Transpose", List.of(KEYS), List.of("keys_t"), Attribute.ints("perm", 1, 0))
        .node("MatMul", List.of(QUERY, "keys_t"), List.of("scores"))
        .node("Mul", List.of("scores", "scale"), List.of("scaled"))
        .node("Softmax", List.of("scaled"), List.of("weights"), Attribute.i("axis", -1))
        .node("MatMul", List.of("weights", VALUES), List.of(READOUT))
        .node("Greater", List.of("weights", "threshold"), List.of("used"))
        .node("Cast", List.of("used"), List.of("used_f"), Attribute.i("to", f32))
        .node("ReduceSum", List.of("used_f", "axis0"), List.of(HITS), Attribute.i("keepdims", 0))
        .output(READOUT, f32, "N,V")
        .output(HITS, f32, "M")
        .build();
  }
}
