package dev.alphaflow.model.vos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.alphaflow.model.OrtRuntime;
import dev.alphaflow.model.SessionSettings;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Both readout kernels against a naive double-precision softmax attention, and against each other. */
class AttentionReadoutTest {

  private static final float THRESHOLD = 1e-3f;
  private static final SessionSettings ONE_THREAD = SessionSettings.builder().intraOpThreads(1).build();

  /** queries, entries, keyDim, valueDim, key scale: odd counts, partial tiles, d % 4 != 0, narrow and wide values. */
  @ParameterizedTest
  @CsvSource({
      "7, 1, 3, 1, 1.0",
      "33, 45, 5, 2, 1.0",
      "64, 600, 16, 16, 1.0",
      "13, 1030, 64, 33, 1.0",
      "9, 700, 8, 3, 6.0",   // peaky attention: scores up to ~100
  })
  void javaKernelMatchesNaiveReference(int n, int m, int d, int v, double keyScale) {
    Random random = new Random(n * 31L + m);
    float[] q = NaiveAttention.gaussian(random, n * d, 1.0);
    float[] k = NaiveAttention.gaussian(random, m * d, keyScale);
    float[] values = NaiveAttention.gaussian(random, m * v, 1.0);

    float[] out = new float[n * v];
    int[] hits = new int[m];
    AttentionReadout.java().attend(q, n, k, values, m, d, v, THRESHOLD, out, hits);

    double[][] w = NaiveAttention.weights(q, n, k, m, d);
    double[] expected = NaiveAttention.readout(w, values, m, v);
    for (int i = 0; i < out.length; i++) {
      assertThat((double) out[i]).as("readout %d", i).isCloseTo(expected[i], offset(1e-5));
    }
    assertHitsMatch(hits, w, m);
  }

  @Test
  void hugeScoresDoNotOverflow() {
    int n = 5;
    int m = 40;
    int d = 4;
    Random random = new Random(3);
    float[] q = NaiveAttention.gaussian(random, n * d, 100.0);
    float[] k = NaiveAttention.gaussian(random, m * d, 100.0); // scores ~ 1e4: exp without max subtraction overflows
    float[] values = NaiveAttention.gaussian(random, m * 2, 1.0);
    float[] out = new float[n * 2];
    AttentionReadout.java().attend(q, n, k, values, m, d, 2, THRESHOLD, out, null);
    double[] expected = NaiveAttention.readout(NaiveAttention.weights(q, n, k, m, d), values, m, 2);
    for (int i = 0; i < out.length; i++) {
      assertThat(out[i]).isFinite();
      assertThat((double) out[i]).isCloseTo(expected[i], offset(1e-5));
    }
  }

  @ParameterizedTest
  @CsvSource({
      "37, 200, 16, 2, 1000",   // 5 queries per chunk: 8 runs
      "20, 90, 12, 24, 100000", // one chunk
  })
  void onnxKernelMatchesJavaKernel(int n, int m, int d, int v, int chunkElements) {
    Random random = new Random(m);
    float[] q = NaiveAttention.gaussian(random, n * d, 1.0);
    float[] k = NaiveAttention.gaussian(random, m * d, 1.5);
    float[] values = NaiveAttention.gaussian(random, m * v, 1.0);
    float[] javaOut = new float[n * v];
    int[] javaHits = new int[m];
    AttentionReadout.java().attend(q, n, k, values, m, d, v, THRESHOLD, javaOut, javaHits);

    float[] onnxOut = new float[n * v];
    int[] onnxHits = new int[m];
    try (OnnxAttentionReadout onnx = new OnnxAttentionReadout(ONE_THREAD, chunkElements)) {
      onnx.attend(q, n, k, values, m, d, v, THRESHOLD, onnxOut, onnxHits);
      // a second call with another bank size reuses the session of this key size
      onnx.attend(q, n, k, values, m / 2, d, v, THRESHOLD, new float[n * v], null);
      assertThat(onnx.openSessions()).isEqualTo(1);
    }
    for (int i = 0; i < javaOut.length; i++) {
      assertThat(onnxOut[i]).as("readout %d", i).isCloseTo(javaOut[i], offset(1e-4f));
    }
    assertHitsMatch(onnxHits, NaiveAttention.weights(q, n, k, m, d), m);
  }

  @Test
  void emptyBankReadsZeros() {
    float[] out = {7f, 7f, 7f, 7f};
    AttentionReadout.java().attend(new float[6], 2, new float[0], new float[0], 0, 3, 2, THRESHOLD, out, new int[0]);
    assertThat(out).containsOnly(0f);
    try (AttentionReadout onnx = AttentionReadout.onnx(ONE_THREAD)) {
      float[] onnxOut = {7f, 7f, 7f, 7f};
      onnx.attend(new float[6], 2, new float[0], new float[0], 0, 3, 2, THRESHOLD, onnxOut, null);
      assertThat(onnxOut).containsOnly(0f);
    }
  }

  @Test
  void generatedGraphDeclaresSymbolicSizes() throws OrtException {
    byte[] model = AttentionGraph.build(24, THRESHOLD);
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
         OrtSession session = OrtRuntime.environment().createSession(model, options)) {
      Map<String, NodeInfo> inputs = session.getInputInfo();
      assertThat(inputs).containsOnlyKeys("query", "keys", "values");
      assertThat(((TensorInfo) inputs.get("query").getInfo()).getShape()).containsExactly(-1, 24);
      assertThat(((TensorInfo) inputs.get("values").getInfo()).getShape()).containsExactly(-1, -1);
      assertThat(session.getOutputInfo()).containsOnlyKeys("readout", "hits");
    }
  }

  @Test
  void rejectsShortArraysAndUseAfterClose() {
    AttentionReadout java = AttentionReadout.java();
    assertThatThrownBy(() -> java.attend(new float[5], 2, new float[6], new float[2], 2, 3, 1, THRESHOLD,
        new float[2], null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("queries holds 5 floats, need at least 6");
    assertThatThrownBy(() -> java.attend(new float[6], 2, new float[6], new float[2], 2, 3, 1, THRESHOLD,
        new float[2], new int[1]))
        .hasMessageContaining("hits holds 1 counters, need 2");
    AttentionReadout onnx = AttentionReadout.open(ReadoutKernel.ONNX, ONE_THREAD);
    assertThat(onnx.kernel()).isEqualTo(ReadoutKernel.ONNX);
    assertThat(AttentionReadout.open(ReadoutKernel.JAVA, ONE_THREAD).kernel()).isEqualTo(ReadoutKernel.JAVA);
    onnx.close();
    onnx.close(); // idempotent
    assertThatThrownBy(() -> onnx.attend(new float[3], 1, new float[3], new float[1], 1, 3, 1, THRESHOLD,
        new float[1], null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void expKernelIsAccurate() {
    int n = 20_000;
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = -87f * i / (n - 1) + 3f; // arguments from 0 down to -87 after the shift
    }
    float[] y = x.clone();
    Kernels.expInPlace(y, n, 3f, new float[n], new int[n]);
    for (int i = 0; i < n; i++) {
      double expected = Math.exp(x[i] - 3f); // the argument as the kernel forms it, in float
      assertThat(Math.abs(y[i] - expected) / expected).as("exp(%s)", x[i] - 3f).isLessThan(2e-7);
    }
  }

  /** Hit counts equal the naive ones except where a weight lies within float error of the threshold. */
  private static void assertHitsMatch(int[] hits, double[][] w, int m) {
    int[] expected = NaiveAttention.hits(w, m, THRESHOLD);
    int[] borderline = NaiveAttention.borderline(w, m, THRESHOLD, 1e-6);
    int total = 0;
    for (int j = 0; j < m; j++) {
      assertThat(Math.abs(hits[j] - expected[j])).as("hits of entry %d", j).isLessThanOrEqualTo(borderline[j]);
      total += expected[j];
    }
    assertThat(total).as("some queries use some entries").isPositive();
  }
}
