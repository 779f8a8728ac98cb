package dev.alphaflow.model.vos;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.alphaflow.model.InferenceException;
import dev.alphaflow.model.ModelCard;
import dev.alphaflow.model.ModelLoadException;
import dev.alphaflow.model.OrtRuntime;
import dev.alphaflow.model.SessionSettings;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The attention readout run by ONNX Runtime on the graph from {@link AttentionGraph}. One session per key size and
 * hit threshold, opened on first use with the given {@link SessionSettings} and closed by {@link #close()}.
 *
 * <p>Queries go through in chunks so that the [chunk, M] intermediates (scores, weights, hit mask) stay near
 * {@value #CHUNK_ELEMENTS} floats whatever the bank size, instead of N x M (420 MB at 6420 x 16384). The bank's keys and
 * values are copied once per call into reused direct buffers. Not thread-safe (those buffers): one per thread.
 */
final class OnnxAttentionReadout implements AttentionReadout {

  /** Elements of one [chunk, M] intermediate: 4M floats = 16 MB. */
  static final int CHUNK_ELEMENTS = 1 << 22;

  private final SessionSettings settings;
  private final int chunkElements;
  private final OrtEnvironment env = OrtRuntime.environment();
  private final Map<GraphKey, OrtSession> sessions = new HashMap<>();
  private FloatBuffer keyBuffer = FloatBuffer.allocate(0);
  private FloatBuffer valueBuffer = FloatBuffer.allocate(0);
  private FloatBuffer queryBuffer = FloatBuffer.allocate(0);
  private boolean closed;

  OnnxAttentionReadout(SessionSettings settings) {
    this(settings, CHUNK_ELEMENTS);
  }

  /** With another chunk size (tests force several chunks with small banks). */
  OnnxAttentionReadout(SessionSettings settings, int chunkElements) {
    this.settings = settings;
    this.chunkElements = chunkElements;
  }

  @Override
  public void attend(float[] queries, int queryCount, float[] keys, float[] values, int entryCount, int keyDim,
      int valueDim, float hitThreshold, float[] out, int[] hits) {
    Kernels.checkReadArguments(queries, queryCount, keys, values, entryCount, keyDim, valueDim, out, hits);
    if (closed) {
      throw new IllegalStateException("this ONNX attention readout is closed");
    }
    if (entryCount == 0) {
      Arrays.fill(out, 0, queryCount * valueDim, 0f);
      return;
    }
    if (queryCount == 0) {
      return;
    }
    OrtSession session = session(keyDim, hitThreshold);
    keyBuffer = fill(keyBuffer, keys, entryCount * keyDim);
    valueBuffer = fill(valueBuffer, values, entryCount * valueDim);
    int chunk = Math.max(1, Math.min(queryCount, chunkElements / entryCount));
    try (OnnxTensor keyTensor = OnnxTensor.createTensor(env, keyBuffer.slice(), new long[] {entryCount, keyDim});
         OnnxTensor valueTensor = OnnxTensor.createTensor(env, valueBuffer.slice(),
             new long[] {entryCount, valueDim})) {
      for (int q0 = 0; q0 < queryCount; q0 += chunk) {
        int rows = Math.min(chunk, queryCount - q0);
        queryBuffer = ensure(queryBuffer, chunk * keyDim);
        FloatBuffer q = queryBuffer.duplicate();
        q.clear();
        q.put(queries, q0 * keyDim, rows * keyDim);
        q.flip();
        try (OnnxTensor queryTensor = OnnxTensor.createTensor(env, q.slice(), new long[] {rows, keyDim});
             OrtSession.Result result = session.run(Map.of(AttentionGraph.QUERY, queryTensor,
                 AttentionGraph.KEYS, keyTensor, AttentionGraph.VALUES, valueTensor))) {
          FloatBuffer readout = tensor(result, AttentionGraph.READOUT).getFloatBuffer();
          readout.get(out, q0 * valueDim, rows * valueDim);
          if (hits != null) {
            FloatBuffer counts = tensor(result, AttentionGraph.HITS).getFloatBuffer();
            for (int j = 0; j < entryCount; j++) {
              hits[j] += (int) counts.get(j);
            }
          }
        }
      }
    } catch (OrtException e) {
      throw new InferenceException("attention readout of " + queryCount + " queries over " + entryCount
          + " entries (key size " + keyDim + ", value size " + valueDim + ") failed in ONNX Runtime: "
          + e.getMessage(), e);
    }
  }

  private static OnnxTensor tensor(OrtSession.Result result, String name) {
    OnnxValue value = result.get(name).orElseThrow(
        () -> new InferenceException("the attention graph returned no '" + name + "'"));
    return (OnnxTensor) value;
  }

  private OrtSession session(int keyDim, float hitThreshold) {
    GraphKey key = new GraphKey(keyDim, Float.floatToIntBits(hitThreshold));
    OrtSession session = sessions.get(key);
    if (session == null) {
      byte[] model = AttentionGraph.build(keyDim, hitThreshold);
      ModelCard card = ModelCard.builder()
          .id("vos-attention-readout-d" + keyDim)
          .relativePath("generated/vos-attention-readout-d" + keyDim + ".onnx")
          .sha256(sha256(model))
          .license("Apache-2.0")
          .description("feature-bank attention readout, generated in code")
          .build();
      try (OrtSession.SessionOptions options = settings.toSessionOptions(card)) {
        session = env.createSession(model, options);
      } catch (OrtException e) {
        throw new ModelLoadException("ONNX Runtime cannot open the generated attention readout graph (key size "
            + keyDim + ") with " + settings + ": " + e.getMessage(), e);
      }
      sessions.put(key, session);
    }
    return session;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** A direct buffer holding exactly {@code count} floats of {@code src} (position 0, limit count). */
  private static FloatBuffer fill(FloatBuffer buffer, float[] src, int count) {
    FloatBuffer b = ensure(buffer, count);
    b.clear();
    b.put(src, 0, count);
    b.flip();
    return b;
  }

  private static FloatBuffer ensure(FloatBuffer buffer, int count) {
    if (buffer.isDirect() && buffer.capacity() >= count) {
      return buffer;
    }
    int capacity = Math.max(count, buffer.capacity() + buffer.capacity() / 2);
    return ByteBuffer.allocateDirect(capacity * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
  }

  @Override
  public ReadoutKernel kernel() {
    return ReadoutKernel.ONNX;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<OrtException> failures = new ArrayList<>();
    for (OrtSession session : sessions.values()) {
      try {
        session.close();
      } catch (OrtException e) {
        failures.add(e);
      }
    }
    sessions.clear();
    if (!failures.isEmpty()) {
      IllegalStateException e = new IllegalStateException("closing the attention readout's ONNX Runtime sessions "
          + "failed", failures.get(0));
      failures.subList(1, failures.size()).forEach(e::addSuppressed);
      throw e;
    }
  }

  @Override
  public String toString() {
    return "AttentionReadout{ONNX, " + settings + "}";
  }

  /** Sessions opened so far (one per key size and threshold). */
  int openSessions() {
    return sessions.size();
  }

  private record GraphKey(int keyDim, int thresholdBits) {}
}
