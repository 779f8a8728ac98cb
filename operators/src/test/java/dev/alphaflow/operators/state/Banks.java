package dev.alphaflow.operators.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;

import dev.alphaflow.model.vos.AttentionReadout;
import dev.alphaflow.model.vos.FeatureBank;
import dev.alphaflow.model.vos.FeatureBankConfig;

/** Feature banks with random contents, and a bit-exact comparison of banks, for serializer and state tests. */
final class Banks {
    private Banks() {}

    static final AttentionReadout JAVA = AttentionReadout.java();

    static float[] gaussian(Random random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    /** A bank after {@code frames} frames of {@code perFrame} random features, each frame read before absorbed. */
    static FeatureBank random(Random random, int keyDim, int valueDim, FeatureBankConfig config, int frames,
            int perFrame) {
        FeatureBank bank = new FeatureBank(keyDim, valueDim, config);
        for (int t = 0; t < frames; t++) {
            step(bank, random, t, perFrame);
        }
        return bank;
    }

    /** One frame: read the bank with the new keys (counting usage), then absorb them; returns the readout. */
    static float[] step(FeatureBank bank, Random random, long frame, int count) {
        float[] keys = gaussian(random, count * bank.keyDim());
        float[] values = gaussian(random, count * bank.valueDim());
        float[] readout = bank.read(JAVA, keys, count);
        bank.absorb(frame, keys, values, count);
        return readout;
    }

    /** Whether two banks hold bit for bit the same entries, dimensions and config. */
    static boolean sameBank(FeatureBank a, FeatureBank b) {
        if (a.keyDim() != b.keyDim() || a.valueDim() != b.valueDim() || !a.config().equals(b.config())
                || a.size() != b.size() || !Arrays.equals(a.keys(), b.keys())
                || !Arrays.equals(a.values(), b.values())) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.birthFrame(i) != b.birthFrame(i)
                    || Float.floatToRawIntBits(a.usage(i)) != Float.floatToRawIntBits(b.usage(i))) {
                return false;
            }
        }
        return true;
    }

    /** Asserts that two banks hold bit for bit the same entries, dimensions and config. */
    static void assertSameBank(String message, FeatureBank expected, FeatureBank actual) {
        assertThat(actual).as(message).isNotNull();
        assertThat(actual.keyDim()).as(message + ": keyDim").isEqualTo(expected.keyDim());
        assertThat(actual.valueDim()).as(message + ": valueDim").isEqualTo(expected.valueDim());
        assertThat(actual.config()).as(message + ": config").isEqualTo(expected.config());
        assertThat(actual.size()).as(message + ": size").isEqualTo(expected.size());
        assertThat(actual.keys()).as(message + ": keys").containsExactly(expected.keys());
        assertThat(actual.values()).as(message + ": values").containsExactly(expected.values());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.birthFrame(i)).as(message + ": birth " + i).isEqualTo(expected.birthFrame(i));
            assertThat(Float.floatToRawIntBits(actual.usage(i))).as(message + ": usage " + i)
                    .isEqualTo(Float.floatToRawIntBits(expected.usage(i)));
        }
    }
}
