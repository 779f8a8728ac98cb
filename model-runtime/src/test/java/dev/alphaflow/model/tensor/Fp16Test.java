package dev.alphaflow.model.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Exhaustive and reference checks of the float/half conversions. */
class Fp16Test {

  // Every non-negative finite half, in increasing order of value (bits 0x0000..0x7bff are monotonic).
  private static final double[] FINITE = new double[0x7c00];

  static {
    for (int h = 0; h < FINITE.length; h++) {
      FINITE[h] = Fp16.toFloat((short) h);
    }
  }

  @Test
  void everyHalfRoundTripsBitExactly() {
    for (int h = 0; h < 0x10000; h++) {
      float f = Fp16.toFloat((short) h);
      assertThat(Fp16.fromFloat(f) & 0xffff).as("half %04x", h).isEqualTo(h);
    }
  }

  @Test
  void decodingMatchesTheDefinition() {
    for (int h = 0; h < 0x10000; h++) {
      int sign = (h & 0x8000) != 0 ? -1 : 1;
      int exponent = (h >>> 10) & 0x1f;
      int mantissa = h & 0x3ff;
      float f = Fp16.toFloat((short) h);
      if (exponent == 0x1f) {
        assertThat(mantissa == 0 ? Float.isInfinite(f) : Float.isNaN(f)).as("half %04x", h).isTrue();
        continue;
      }
      double expected = exponent == 0
          ? sign * mantissa * Math.pow(2, -24)
          : sign * (1 + mantissa / 1024.0) * Math.pow(2, exponent - 15);
      assertThat((double) f).as("half %04x", h).isEqualTo(expected);
      if (h == 0x8000) {
        assertThat(Float.floatToRawIntBits(f)).isEqualTo(0x8000_0000);
      }
    }
  }

  @Test
  void tiesRoundToEvenAndNeighboursRoundToNearest() {
    // Between every pair of adjacent finite halves: the exact midpoint goes to the even one, a float just below it
    // goes down, a float just above it goes up. Midpoints are exact in float (11 significant bits).
    for (int h = 0; h < 0x7bff; h++) {
      float low = Fp16.toFloat((short) h);
      float high = Fp16.toFloat((short) (h + 1));
      float mid = (float) (((double) low + high) / 2);
      assertThat((double) mid).isEqualTo(((double) low + high) / 2);
      int even = (h & 1) == 0 ? h : h + 1;
      assertThat(Fp16.fromFloat(mid) & 0xffff).as("tie above %04x", h).isEqualTo(even);
      assertThat(Fp16.fromFloat(Math.nextDown(mid)) & 0xffff).as("below tie above %04x", h).isEqualTo(h);
      assertThat(Fp16.fromFloat(Math.nextUp(mid)) & 0xffff).as("above tie above %04x", h).isEqualTo(h + 1);
      assertThat(Fp16.fromFloat(-mid) & 0xffff).as("negative tie above %04x", h).isEqualTo(even | 0x8000);
    }
  }

  @Test
  void edgeCases() {
    assertThat(Fp16.fromFloat(0f)).isEqualTo((short) 0);
    assertThat(Fp16.fromFloat(-0f)).isEqualTo((short) 0x8000);
    assertThat(Fp16.fromFloat(1f)).isEqualTo((short) 0x3c00);
    assertThat(Fp16.fromFloat(65504f)).isEqualTo((short) 0x7bff); // largest half
    assertThat(Fp16.fromFloat(Math.nextDown(65520f))).isEqualTo((short) 0x7bff);
    assertThat(Fp16.fromFloat(65520f)).isEqualTo((short) 0x7c00); // the tie goes to "even" infinity
    assertThat(Fp16.fromFloat(1e10f)).isEqualTo((short) 0x7c00);
    assertThat(Fp16.fromFloat(Float.POSITIVE_INFINITY)).isEqualTo((short) 0x7c00);
    assertThat(Fp16.fromFloat(Float.NEGATIVE_INFINITY)).isEqualTo((short) 0xfc00);
    assertThat(Fp16.fromFloat(Float.MAX_VALUE)).isEqualTo((short) 0x7c00);
    assertThat(Fp16.fromFloat(0x1p-24f)).isEqualTo((short) 1); // smallest subnormal
    assertThat(Fp16.fromFloat(0x1p-25f)).isEqualTo((short) 0); // tie with zero goes to zero (even)
    assertThat(Fp16.fromFloat(Math.nextUp(0x1p-25f))).isEqualTo((short) 1);
    assertThat(Fp16.fromFloat(0x1.8p-24f)).isEqualTo((short) 2); // 1.5 subnormal units: tie to even (2)
    assertThat(Fp16.fromFloat(Float.MIN_VALUE)).isEqualTo((short) 0);
    assertThat(Fp16.fromFloat(0x1p-14f)).isEqualTo((short) 0x0400); // smallest normal
    assertThat(Fp16.fromFloat(Math.nextDown(0x1p-14f))).isEqualTo((short) 0x0400); // rounds up out of subnormals
    assertThat(Fp16.toFloat(Fp16.fromFloat(Float.NaN))).isNaN();
    assertThat(Fp16.toFloat(Fp16.fromFloat(Float.intBitsToFloat(0x7f80_0001)))).isNaN(); // tiny payload stays NaN
    assertThat(Fp16.toFloat(Fp16.fromFloat(Float.intBitsToFloat(0xffc0_0000)))).isNaN();
  }

  @Test
  void randomFloatsMatchAReferenceNearestSearch() {
    Random random = new Random(7);
    for (int i = 0; i < 2_000_000; i++) {
      // Mix raw bit patterns (all magnitudes) with values in the range states actually hold.
      float f = i % 2 == 0 ? Float.intBitsToFloat(random.nextInt()) : (float) (random.nextGaussian() * 4);
      if (Float.isNaN(f)) {
        continue;
      }
      assertThat(Fp16.fromFloat(f) & 0xffff).as("float %s (%08x)", f, Float.floatToRawIntBits(f))
          .isEqualTo(reference(f));
    }
  }

  /** Nearest half by searching all finite halves; ties to the even bit pattern; overflow to infinity. */
  private static int reference(float f) {
    int sign = Float.floatToRawIntBits(f) < 0 ? 0x8000 : 0;
    double a = Math.abs((double) f);
    if (a >= 65520) {
      return sign | 0x7c00;
    }
    int lo = 0;
    int hi = FINITE.length - 1;
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (FINITE[mid] <= a) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    if (a >= FINITE[hi]) {
      return sign | hi;
    }
    double dLo = a - FINITE[lo];
    double dHi = FINITE[hi] - a;
    int nearest = dLo < dHi ? lo : dHi < dLo ? hi : ((lo & 1) == 0 ? lo : hi);
    return sign | nearest;
  }

  @Test
  void arrayVersionsAgreeWithScalarOnes() {
    float[] values = {0f, -1.5f, 3.14159f, 1e-6f, 70000f, -0f};
    short[] halves = Fp16.fromFloats(values);
    float[] back = Fp16.toFloats(halves);
    for (int i = 0; i < values.length; i++) {
      assertThat(halves[i]).isEqualTo(Fp16.fromFloat(values[i]));
      assertThat(back[i]).isEqualTo(Fp16.toFloat(halves[i]));
    }
    java.nio.FloatBuffer buffer = java.nio.FloatBuffer.allocate(values.length);
    Fp16.toFloats(halves, 0, buffer, halves.length);
    buffer.flip();
    short[] again = new short[values.length];
    Fp16.fromFloats(buffer, again, 0, again.length);
    assertThat(again).isEqualTo(halves);
  }
}
