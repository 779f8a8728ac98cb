package dev.alphaflow.model.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Random;

/**
 * How long turning one RVM recurrent state (854×480 at ratio 0.25: 158,488 values) from ONNX Runtime's direct output
 * buffer into fp16 takes, the per-frame conversion the matting operator does so that a restored state is bit-identical
 * to a carried one; and, in the same run, a plain copy of the same floats out of the buffer, for scale. Median of 15
 * rounds of 50 conversions after 5 warm-up rounds. Run with the command in BENCHMARKS.md ({@code fp16.*} rows).
 */
public final class Fp16Benchmark {
  private static final int VALUES = 16 * 60 * 107 + 20 * 30 * 54 + 40 * 15 * 27 + 64 * 8 * 14;

  public static void main(String[] args) {
    FloatBuffer state = ByteBuffer.allocateDirect(VALUES * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    Random random = new Random(1);
    for (int i = 0; i < VALUES; i++) {
      state.put(i, (float) (random.nextGaussian() * 0.5)); // ConvGRU states are tanh-bounded, mostly small
    }
    short[] halves = new short[VALUES];
    float[] copy = new float[VALUES];
    double[] convert = new double[15];
    double[] plainCopy = new double[15];
    for (int round = -5; round < convert.length; round++) {
      long t0 = System.nanoTime();
      for (int k = 0; k < 50; k++) {
        state.position(0);
        Fp16.fromFloats(state, halves, 0, VALUES);
      }
      long t1 = System.nanoTime();
      for (int k = 0; k < 50; k++) {
        state.position(0);
        state.get(copy);
      }
      long t2 = System.nanoTime();
      if (round >= 0) {
        convert[round] = (t1 - t0) / 50e6;
        plainCopy[round] = (t2 - t1) / 50e6;
      }
    }
    Arrays.sort(convert);
    Arrays.sort(plainCopy);
    System.out.printf("fp16.rvm_state_ms %.3f (%d values), plain float copy %.3f ms, ratio %.1f%n",
        convert[7], VALUES, plainCopy[7], convert[7] / plainCopy[7]);
  }
}
