package dev.alphaflow.model.vos;

import dev.alphaflow.model.SessionSettings;
import java.util.Objects;

/**
 * Softmax attention of query keys over a bank's keys, read out as a weighted sum of the bank's values:
 * {@code out_i = sum_j softmax_j(q_i . k_j / sqrt(d)) v_j}. Two kernels compute it, chosen by {@link ReadoutKernel}.
 *
 * <pre>{@code
 * try (AttentionReadout readout = AttentionReadout.open(config.readoutKernel(), SessionSettings.defaults())) {
 *   float[] memory = bank.read(readout, queryKeys, queryCount);   // per frame, per object
 * }
 * }</pre>
 *
 * <p>Use one instance per thread: the ONNX kernel reuses buffers between calls. Closing releases native memory (the
 * ONNX Runtime sessions); the Java kernel holds none.
 */
public interface AttentionReadout extends AutoCloseable {

  /**
   * Reads {@code queryCount} queries against {@code entryCount} bank entries.
   *
   * @param queries row-major {@code [queryCount, keyDim]}
   * @param keys row-major {@code [entryCount, keyDim]} (only the first {@code entryCount} rows are read)
   * @param values row-major {@code [entryCount, valueDim]}
   * @param hitThreshold attention weight above which a query counts as using an entry
   * @param out receives {@code [queryCount, valueDim]} row-major; overwritten
   * @param hits per entry, incremented by the number of queries whose weight on it exceeds {@code hitThreshold};
   *     null to skip counting
   */
  void attend(float[] queries, int queryCount, float[] keys, float[] values, int entryCount, int keyDim,
      int valueDim, float hitThreshold, float[] out, int[] hits);

  /** Which kernel this is. */
  ReadoutKernel kernel();

  @Override
  void close();

  /** The Java kernel; holds no native resources. */
  static AttentionReadout java() {
    return new JavaAttentionReadout();
  }

  /** The ONNX Runtime kernel; its sessions use {@code settings} (threads, execution provider). */
  static AttentionReadout onnx(SessionSettings settings) {
    return new OnnxAttentionReadout(Objects.requireNonNull(settings, "settings"));
  }

  /** The kernel {@code kernel}; {@code settings} matter for {@link ReadoutKernel#ONNX} only. */
  static AttentionReadout open(ReadoutKernel kernel, SessionSettings settings) {
    Objects.requireNonNull(kernel, "kernel");
    return kernel == ReadoutKernel.ONNX ? onnx(settings) : java();
  }
}
