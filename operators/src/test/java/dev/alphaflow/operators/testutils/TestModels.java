package dev.alphaflow.operators.testutils;

import dev.alphaflow.model.onnx.OnnxGraphBuilder;
import dev.alphaflow.model.onnx.OnnxModelWriter;
import static dev.alphaflow.model.onnx.OnnxModelWriter.FLOAT;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;


import dev.alphaflow.model.onnx.OnnxGraphBuilder.Attribute;

/** Generated ONNX models for operator tests, beyond the ones model-runtime's test-jar provides. */
public final class TestModels {
    private static final int[] RVM_CHANNELS = {16, 20, 40, 64};

    private TestModels() {}

    /**
     * A model with RVM's inputs and outputs that only runs on frames of exactly {@code width x height}: its alpha adds
     * a constant of that size, so ONNX Runtime fails on any other size. For testing what happens when inference
     * fails for one frame.
     */
    public static Path rvmOnlyFor(Path out, int width, int height) {
        float[] pin = new float[width * height];
        OnnxGraphBuilder g = new OnnxGraphBuilder("rvm_fixed_size")
                .input("src", FLOAT, "N,3,H,W")
                .input("r1i", FLOAT, "r1n,r1c,r1h,r1w")
                .input("r2i", FLOAT, "r2n,r2c,r2h,r2w")
                .input("r3i", FLOAT, "r3n,r3c,r3h,r3w")
                .input("r4i", FLOAT, "r4n,r4c,r4h,r4w")
                .input("downsample_ratio", FLOAT, "1")
                .initializer("pin", new long[] {1, 1, height, width}, pin)
                .initializer("wa", new long[] {1, 3, 1, 1}, new float[] {1f, -1f, 0.5f});
        for (int k = 1; k <= 4; k++) {
            int channels = RVM_CHANNELS[k - 1];
            int pool = 1 << k;
            float[] weights = new float[channels * 3];
            Arrays.fill(weights, 0.1f);
            g.initializer("w" + k, new long[] {channels, 3, 1, 1}, weights)
                    .node("AveragePool", "src", "pool" + k,
                            Attribute.ints("kernel_shape", pool, pool), Attribute.ints("strides", pool, pool))
                    .node("Conv", List.of("pool" + k, "w" + k), List.of("conv" + k))
                    .node("Tanh", "conv" + k, "r" + k + "o")
                    .output("r" + k + "o", FLOAT, "N," + channels + ",H" + pool + ",W" + pool);
        }
        g.node("Conv", List.of("src", "wa"), List.of("logit"))
                .node("Add", List.of("logit", "pin"), List.of("pinned"))
                .node("Sigmoid", "pinned", "pha")
                .node("Identity", "src", "fgr")
                .output("fgr", FLOAT, "N,3,H,W")
                .output("pha", FLOAT, "N,1,H,W");
        return g.writeTo(out);
    }
}
