package dev.alphaflow.model.tensor;

import java.nio.FloatBuffer;

/**
 * Conversion between float32 and IEEE 754 binary16 ("half") bit patterns, held in {@code short}s.
 *
 * <p>Float to half rounds to nearest, ties to even, produces subnormals, overflows to infinity at 65520, and keeps
 * NaN (with the top 10 payload bits; a payload that would vanish becomes the quiet bit). Half to float is exact.
 * Java 17 has no {@code Float.floatToFloat16}, hence this class.
 */
public final class Fp16 {

  private Fp16() {}

  // Every half maps to a float exactly, so a 256 KiB table makes decoding a load.
  private static final float[] TO_FLOAT = new float[1 << 16];

  static {
    for (int h = 0; h < TO_FLOAT.length; h++) {
      TO_FLOAT[h] = decode(h);
    }
  }

  /** The half nearest to {@code value} (ties to even). */
  public static short fromFloat(float value) {
    int bits = Float.floatToRawIntBits(value);
    int sign = (bits >>> 16) & 0x8000;
    int abs = bits & 0x7fff_ffff;
    if (abs >= 0x7f80_0000) { // infinity or NaN
      if (abs == 0x7f80_0000) {
        return (short) (sign | 0x7c00);
      }
      int payload = (abs >>> 13) & 0x3ff;
      return (short) (sign | 0x7c00 | (payload == 0 ? 0x200 : payload));
    }
    if (abs >= 0x477f_f000) { // >= 65520: halfway above the largest half (65504) and beyond rounds to infinity
      return (short) (sign | 0x7c00);
    }
    if (abs >= 0x3880_0000) { // >= 2^-14: normal half; rebias the exponent and round 13 bits away
      // Round to nearest, ties to even, without a data-dependent branch (a mispredicted one per value was half the
      // cost of converting a state): adding 0xfff plus the kept mantissa's lowest bit carries into the kept bits
      // exactly when the dropped 13 bits are above half, or at half with an odd kept value. A carry out of the
      // mantissa correctly bumps the exponent.
      return (short) (sign | ((abs - 0x3800_0000 + 0x0fff + ((abs >>> 13) & 1)) >>> 13));
    }
    if (abs <= 0x3300_0000) { // <= 2^-25: half of the smallest subnormal or less, rounds to (signed) zero
      return (short) sign;
    }
    // Subnormal half: value / 2^-24, rounded.
    int exponent = abs >>> 23;
    int mantissa = (abs & 0x7f_ffff) | 0x80_0000;
    int shift = 126 - exponent; // 14..24
    int half = mantissa >>> shift;
    int rest = mantissa & ((1 << shift) - 1);
    int halfway = 1 << (shift - 1);
    if (rest > halfway || (rest == halfway && (half & 1) != 0)) {
      half++; // may become 0x400, the smallest normal, which is right
    }
    return (short) (sign | half);
  }

  /** The exact float value of a half. */
  public static float toFloat(short half) {
    return TO_FLOAT[half & 0xffff];
  }

  private static float decode(int h) {
    int sign = (h & 0x8000) << 16;
    int exponent = (h >>> 10) & 0x1f;
    int mantissa = h & 0x3ff;
    if (exponent == 0) {
      float magnitude = mantissa * 0x1p-24f; // zero or subnormal, exact
      return sign != 0 ? -magnitude : magnitude;
    }
    if (exponent == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f80_0000 | (mantissa << 13));
    }
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }

  public static short[] fromFloats(float[] values) {
    short[] out = new short[values.length];
    fromFloats(values, 0, out, 0, values.length);
    return out;
  }

  public static void fromFloats(float[] src, int srcOffset, short[] dst, int dstOffset, int length) {
    for (int i = 0; i < length; i++) {
      dst[dstOffset + i] = fromFloat(src[srcOffset + i]);
    }
  }

  /** Reads {@code length} floats from the buffer's current position (advancing it) into halves. */
  public static void fromFloats(FloatBuffer src, short[] dst, int dstOffset, int length) {
    // One bulk copy out of the (usually direct) buffer, then a plain array loop: faster than a get() per value.
    float[] chunk = new float[Math.min(length, 16_384)];
    for (int done = 0; done < length; ) {
      int n = Math.min(chunk.length, length - done);
      src.get(chunk, 0, n);
      fromFloats(chunk, 0, dst, dstOffset + done, n);
      done += n;
    }
  }

  public static float[] toFloats(short[] halves) {
    float[] out = new float[halves.length];
    toFloats(halves, 0, out, 0, halves.length);
    return out;
  }

  public static void toFloats(short[] src, int srcOffset, float[] dst, int dstOffset, int length) {
    for (int i = 0; i < length; i++) {
      dst[dstOffset + i] = TO_FLOAT[src[srcOffset + i] & 0xffff];
    }
  }

  /** Writes {@code length} halves as floats at the buffer's current position (advancing it). */
  public static void toFloats(short[] src, int srcOffset, FloatBuffer dst, int length) {
    for (int i = 0; i < length; i++) {
      dst.put(TO_FLOAT[src[srcOffset + i] & 0xffff]);
    }
  }
}
