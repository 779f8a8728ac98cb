package dev.alphaflow.model.vos;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.alphaflow.model.InferenceException;
import dev.alphaflow.model.ModelLoadException;
import dev.alphaflow.model.OrtRuntime;
import dev.alphaflow.model.SharedSession;
import dev.alphaflow.model.TensorSpec;
import dev.alphaflow.model.image.RgbImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs the MobileNetV2 feature extractor on a frame: resize by the input scale, RGB/255 normalized with the ImageNet
 * mean and std (how the classifier it was cut from was trained), NCHW, and returns the requested feature maps.
 * Not thread-safe (it reuses its input buffer).
 */
final class FeatureExtractor {

  static final String INPUT = "input";
  private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
  private static final float[] STD = {0.229f, 0.224f, 0.225f};
  // (i / 255 - mean_c) / std_c for every byte value and channel: one load per sample.
  private static final float[][] NORMALIZED = new float[3][256];

  static {
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < 256; i++) {
        NORMALIZED[c][i] = (i / 255f - MEAN[c]) / STD[c];
      }
    }
  }

  /** One feature map, channel-major ({@code data[(c * height + y) * width + x]}). */
  record FeatureMap(int channels, int height, int width, float[] data) {}

  private final SharedSession session;
  private final List<FeatureLayer> layers;
  private final Set<String> fetch;
  private final OrtEnvironment env = OrtRuntime.environment();
  private FloatBuffer input = FloatBuffer.allocate(0);

  FeatureExtractor(SharedSession session, List<FeatureLayer> layers) {
    this.session = session;
    this.layers = List.copyOf(layers);
    Set<String> names = new LinkedHashSet<>();
    for (FeatureLayer layer : layers) {
      names.add(layer.outputName());
    }
    this.fetch = Set.copyOf(names);
    checkSignature(session, layers);
  }

  /** Fails unless the model takes {@code input} and gives every requested layer with its channel count. */
  static void checkSignature(SharedSession session, List<FeatureLayer> layers) {
    OrtSession s = session.session();
    List<String> problems = new ArrayList<>();
    if (!s.getInputNames().contains(INPUT)) {
      problems.add("no input '" + INPUT + "' (inputs: " + s.getInputNames() + ")");
    }
    try {
      var outputs = s.getOutputInfo();
      for (FeatureLayer layer : layers) {
        var node = outputs.get(layer.outputName());
        if (node == null) {
          problems.add("no output '" + layer.outputName() + "' for layer " + layer + " (outputs: "
              + outputs.keySet() + ")");
        } else if (node.getInfo() instanceof ai.onnxruntime.TensorInfo info) {
          long[] shape = info.getShape();
          if (shape.length != 4 || (shape[1] >= 0 && shape[1] != layer.channels())) {
            problems.add("output '" + layer.outputName() + "' has shape " + TensorSpec.formatShape(shape)
                + ", expected [?, " + layer.channels() + ", ?, ?]");
          }
        }
      }
    } catch (OrtException e) {
      throw new ModelLoadException("model " + session.card().id() + ": cannot read its outputs: " + e.getMessage(),
          e);
    }
    if (!problems.isEmpty()) {
      throw new ModelLoadException("model " + session.card().id() + " is not a feature extractor for layers "
          + layers + ": " + String.join("; ", problems));
    }
  }

  /** The requested feature maps of {@code frame} resized by {@code scale}. */
  Map<FeatureLayer, FeatureMap> extract(RgbImage frame, float scale) {
    int width = Math.max(1, Math.round(frame.width() * scale));
    int height = Math.max(1, Math.round(frame.height() * scale));
    fillInput(frame, width, height);
    Map<FeatureLayer, FeatureMap> maps = new EnumMap<>(FeatureLayer.class);
    try (OnnxTensor tensor = OnnxTensor.createTensor(env, input, new long[] {1, 3, height, width});
         OrtSession.Result result = session.session().run(Map.of(INPUT, tensor), fetch)) {
      for (FeatureLayer layer : layers) {
        OnnxValue value = result.get(layer.outputName()).orElseThrow(() -> new InferenceException("model "
            + session.card().id() + ": output " + layer.outputName() + " is missing from the run result"));
        OnnxTensor out = (OnnxTensor) value;
        long[] shape = out.getInfo().getShape();
        if (shape.length != 4 || shape[0] != 1 || shape[1] != layer.channels()) {
          throw new InferenceException("model " + session.card().id() + ": output " + layer.outputName()
              + " has shape " + TensorSpec.formatShape(shape) + ", expected [1, " + layer.channels() + ", h, w]");
        }
        float[] data = new float[Math.toIntExact(shape[1] * shape[2] * shape[3])];
        out.getFloatBuffer().get(data);
        maps.put(layer, new FeatureMap((int) shape[1], (int) shape[2], (int) shape[3], data));
      }
    } catch (OrtException e) {
      throw new InferenceException("model " + session.card().id() + ": feature extraction failed for a "
          + frame.width() + "x" + frame.height() + " frame at input scale " + scale + ": " + e.getMessage(), e);
    }
    return maps;
  }

  /** Normalized NCHW planes of the frame, bilinearly resized (half-pixel centres) when the size differs. */
  private void fillInput(RgbImage frame, int width, int height) {
    int plane = width * height;
    if (input.capacity() < 3 * plane) {
      input = ByteBuffer.allocateDirect(12 * plane).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
    input.clear();
    byte[] rgb = frame.rgb();
    int srcW = frame.width();
    int srcH = frame.height();
    if (width == srcW && height == srcH) {
      for (int c = 0; c < 3; c++) {
        float[] lut = NORMALIZED[c];
        for (int i = 0; i < plane; i++) {
          input.put(lut[rgb[3 * i + c] & 0xff]);
        }
      }
    } else {
      Resampling.Axis xs = Resampling.Axis.bilinear(srcW, width);
      Resampling.Axis ys = Resampling.Axis.bilinear(srcH, height);
      float[] row = new float[width];
      for (int c = 0; c < 3; c++) {
        float[] lut = NORMALIZED[c];
        for (int y = 0; y < height; y++) {
          int r0 = ys.lo[y] * srcW;
          int r1 = ys.hi[y] * srcW;
          float wy = ys.weight[y];
          for (int x = 0; x < width; x++) {
            int x0 = xs.lo[x];
            int x1 = xs.hi[x];
            float wx = xs.weight[x];
            float top = lut[rgb[3 * (r0 + x0) + c] & 0xff] * (1 - wx) + lut[rgb[3 * (r0 + x1) + c] & 0xff] * wx;
            float bottom = lut[rgb[3 * (r1 + x0) + c] & 0xff] * (1 - wx) + lut[rgb[3 * (r1 + x1) + c] & 0xff] * wx;
            row[x] = top * (1 - wy) + bottom * wy;
          }
          input.put(row, 0, width);
        }
      }
    }
    input.flip();
  }
}
