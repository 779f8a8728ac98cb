package dev.alphaflow.model.rvm;

/**
 * One frame's matting result.
 *
 * @param alpha row-major alpha, width*height values in [0, 1]
 * @param foregroundRgb interleaved RGB24 foreground, or null unless {@link RvmOptions#withForeground()}
 * @param nextState the state to pass with the stream's next frame (fp16)
 * @param preprocessMicros time spent building input tensors (a batch's time is split evenly over its frames)
 * @param inferenceMicros time spent in {@code session.run} (split the same way)
 */
public record RvmResult(float[] alpha, int width, int height, byte[] foregroundRgb, RecurrentState nextState,
    long preprocessMicros, long inferenceMicros) {

  /** Alpha as 8-bit grey: round(a * 255), clamped to 0..255. */
  public byte[] alpha8() {
    byte[] out = new byte[alpha.length];
    for (int i = 0; i < alpha.length; i++) {
      float a = alpha[i];
      // NaN fails both comparisons and ends up 0
      int v = a >= 1f ? 255 : a > 0f ? Math.round(a * 255f) : 0;
      out[i] = (byte) v;
    }
    return out;
  }
}
