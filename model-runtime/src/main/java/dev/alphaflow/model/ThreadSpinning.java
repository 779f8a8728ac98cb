package dev.alphaflow.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Whether ONNX Runtime's intra-/inter-op pool threads busy-wait (spin) for work instead of sleeping. Spinning makes
 * the hand-off from one parallel operator to the next fast, but a spinning thread occupies a core that other threads
 * of the process (decoding, encoding, Kafka clients, Flink) could use.
 */
public enum ThreadSpinning {
  /** ONNX Runtime's default: pool threads spin during a run and keep spinning for a while after it returns. */
  ALWAYS("1", "0"),
  /**
   * Spin during a run, stop as soon as the last concurrent run returns ({@code session.force_spinning_stop}): fast
   * inside the model, no busy core between runs, when the calling thread decodes, encodes or waits for input.
   */
  DURING_RUN("1", "1"),
  /** Never spin: pool threads sleep when idle (lowest CPU use; slower hand-offs between operators). */
  NEVER("0", "0");

  // ONNX Runtime session config keys (onnxruntime_session_options_config_keys.h).
  static final String INTRA_OP_ALLOW_SPINNING = "session.intra_op.allow_spinning";
  static final String INTER_OP_ALLOW_SPINNING = "session.inter_op.allow_spinning";
  static final String FORCE_SPINNING_STOP = "session.force_spinning_stop";

  final String allowSpinning;
  final String forceSpinningStop;

  ThreadSpinning(String allowSpinning, String forceSpinningStop) {
    this.allowSpinning = allowSpinning;
    this.forceSpinningStop = forceSpinningStop;
  }

  /** Parses a name case-insensitively, with {@code -} or {@code _}: "always", "during-run", "never". */
  public static ThreadSpinning parse(String name) {
    if (name != null) {
      String normalized = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
      for (ThreadSpinning s : values()) {
        if (s.name().equals(normalized)) {
          return s;
        }
      }
    }
    throw new IllegalArgumentException("unknown thread spinning '" + name + "'; valid values: "
        + Arrays.stream(values()).map(ThreadSpinning::optionName).collect(Collectors.joining(", ")));
  }

  /** The lower-case, dashed name used in options: "always", "during-run", "never". */
  public String optionName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
