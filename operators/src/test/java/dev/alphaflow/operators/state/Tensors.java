package dev.alphaflow.operators.state;

import java.util.List;
import java.util.Random;

import dev.alphaflow.model.rvm.RecurrentState;
import dev.alphaflow.model.tensor.HalfTensor;

/** Random fp16 tensors and RVM states for serializer tests. */
final class Tensors {
    private Tensors() {}

    static HalfTensor random(Random random, long... shape) {
        float[] values = new float[(int) HalfTensor.elementCount(shape)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return HalfTensor.fromFloats(shape, values);
    }

    /** r1..r4 of RVM MobileNetV3 for a frame whose downsampled size is {@code width x height}. */
    static RecurrentState rvmState(Random random, int width, int height) {
        List<Integer> channels = RecurrentState.RVM_CHANNELS;
        HalfTensor[] r = new HalfTensor[4];
        for (int i = 0; i < 4; i++) {
            int scale = 2 << i; // 1/2, 1/4, 1/8, 1/16
            r[i] = random(random, 1, channels.get(i), ceilDiv(height, scale), ceilDiv(width, scale));
        }
        return RecurrentState.of(r[0], r[1], r[2], r[3]);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
