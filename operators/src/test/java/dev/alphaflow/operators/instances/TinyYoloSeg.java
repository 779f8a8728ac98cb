package dev.alphaflow.operators.instances;

import static dev.alphaflow.model.onnx.OnnxModelWriter.FLOAT;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import dev.alphaflow.model.onnx.OnnxGraphBuilder;
import dev.alphaflow.model.onnx.OnnxGraphBuilder.Attribute;

/**
 * A tiny generated model with the YOLO-seg export contract (input fixed [1,3,32,32], 2 classes "class_0" and
 * "class_1", one mask coefficient, 3 anchors, prototypes [1,1,8,8] all +1) whose run fails on frames with a white
 * pixel: so one model tests both the records and the dead letters. Anchors (input pixels):
 * <ol start="0">
 *   <li>class 0, score 0.9, box [4,12,12,20], coefficient +1 (mask = the box);
 *   <li>class 0, score 0.8, box [5,12,13,20]: a duplicate of anchor 0 (box IoU 0.78), suppressed by NMS;
 *   <li>class 1, score 0.6, box [18,10,26,22], coefficient +1.
 * </ol>
 * Failure: {@code output0} is a Reshape of the 21 detection values to {@code [1, 7, 3 + (max(images) > 0.99)]}, which
 * ONNX Runtime rejects when any input value exceeds 0.99 (a pixel of 253 or more; the letterbox pad is 114).
 */
final class TinyYoloSeg {
    private TinyYoloSeg() {}

    static Path write(Path out) {
        int anchors = 3;
        float[][] channels = {
                {8, 9, 22}, // cx
                {16, 16, 16}, // cy
                {8, 8, 8}, // w
                {8, 8, 12}, // h
                {0.9f, 0.8f, 0.01f}, // class 0
                {0.01f, 0.01f, 0.6f}, // class 1
                {1, 1, 1}, // coefficient
        };
        float[] det = new float[channels.length * anchors];
        for (int c = 0; c < channels.length; c++) {
            System.arraycopy(channels[c], 0, det, c * anchors, anchors);
        }
        float[] protos = new float[64];
        Arrays.fill(protos, 1f);
        return new OnnxGraphBuilder("yolo_seg_fails_on_white")
                .input("images", FLOAT, "1,3,32,32")
                .initializer("det_flat", new long[] {det.length}, det)
                .initializer("white", new long[] {1}, new float[] {0.99f})
                .initializer("base_shape", new long[] {3}, new long[] {1, channels.length, anchors})
                .initializer("extra_anchor", new long[] {3}, new long[] {0, 0, 1})
                .node("ReduceMax", "images", "max_of_input", Attribute.i("keepdims", 0))
                .node("Greater", List.of("max_of_input", "white"), List.of("has_white"))
                .node("Cast", "has_white", "has_white_i64", Attribute.i("to", 7))
                .node("Mul", List.of("has_white_i64", "extra_anchor"), List.of("shape_delta"))
                .node("Add", List.of("base_shape", "shape_delta"), List.of("det_shape"))
                .node("Reshape", List.of("det_flat", "det_shape"), List.of("output0"))
                // prototypes: constant, but read the input so the graph stays one computation
                .initializer("protos_value", new long[] {1, 1, 8, 8}, protos)
                .initializer("zero", new long[] {1}, new float[] {0f})
                .node("Mul", List.of("max_of_input", "zero"), List.of("zero_of_input"))
                .node("Add", List.of("protos_value", "zero_of_input"), List.of("output1"))
                .output("output0", FLOAT, "1,7,3")
                .output("output1", FLOAT, "1,1,8,8")
                .writeTo(out);
    }
}
