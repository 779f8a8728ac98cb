package dev.alphaflow.model.onnx;

import dev.alphaflow.model.testing.TinyModels;
import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.alphaflow.model.OrtRuntime;
import dev.alphaflow.model.onnx.OnnxGraphBuilder.Attribute;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hand-written protobuf encoding loads in ONNX Runtime and computes what it says. */
class OnnxGraphBuilderTest {

  @TempDir
  Path dir;

  @Test
  void simpleGraphRunsInOnnxRuntime() throws OrtException {
    byte[] model = new OnnxGraphBuilder("affine")
        .input("x", OnnxModelWriter.FLOAT, "N,3")
        .initializer("two", new long[] {1}, new float[] {2f})
        .initializer("axes", new long[] {1}, new long[] {1})
        .node("Mul", List.of("x", "two"), List.of("doubled"))
        .node("ReduceSum", List.of("doubled", "axes"), List.of("sum"), Attribute.i("keepdims", 1))
        .node("Transpose", "doubled", "t", Attribute.ints("perm", 1, 0))
        .output("sum", OnnxModelWriter.FLOAT, "N,1")
        .output("t", OnnxModelWriter.FLOAT, "3,N")
        .build();

    var env = OrtRuntime.environment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
         OrtSession session = env.createSession(model, options);
         OnnxTensor x = OnnxTensor.createTensor(env, new float[][] {{1, 2, 3}, {4, 5, 6}});
         OrtSession.Result result = session.run(Map.of("x", x))) {
      TensorInfo info = (TensorInfo) session.getOutputInfo().get("t").getInfo();
      assertThat(info.getShape()).containsExactly(3, -1);
      assertThat(info.getDimensionNames()).containsExactly("", "N");
      float[][] sum = (float[][]) result.get("sum").orElseThrow().getValue();
      assertThat(sum).isDeepEqualTo(new float[][] {{12}, {30}});
      float[][] t = (float[][]) result.get("t").orElseThrow().getValue();
      assertThat(t).isDeepEqualTo(new float[][] {{2, 8}, {4, 10}, {6, 12}});
    }
  }

  @Test
  void tinyRvmModelIsDeterministicBytes() throws Exception {
    Path a = TinyModels.rvmContract(dir.resolve("a.onnx"));
    Path b = TinyModels.rvmContract(dir.resolve("b.onnx"));
    assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
    assertThat(TinyModels.sha256(a)).isEqualTo(TinyModels.sha256(b)).hasSize(64);
    assertThat(TinyModels.rvmCard(a).relativePath()).isEqualTo("a.onnx");
  }
}
