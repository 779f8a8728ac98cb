package dev.alphaflow.model.instances;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.alphaflow.model.InferenceException;
import dev.alphaflow.model.ModelLoadException;
import dev.alphaflow.model.SharedSession;
import dev.alphaflow.model.TensorSpec;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Signature checks at load time and typed output reads at run time, with messages naming the model. */
final class OrtOutputs {

  private OrtOutputs() {}

  /** An output read into heap arrays with its shape. */
  record Floats(float[] values, long[] shape) {}

  /**
   * The declared shapes of the named inputs and outputs, checked for presence and rank (-1 in a rank means any).
   * Fails with every missing or mis-ranked tensor in one message.
   */
  static Map<String, long[]> checkSignature(SharedSession session, String what, Map<String, Integer> inputs,
      Map<String, Integer> outputs) {
    OrtSession s = session.session();
    List<String> problems = new ArrayList<>();
    Map<String, long[]> shapes = new HashMap<>();
    try {
      collect(s.getInputInfo(), "input", inputs, shapes, problems);
      collect(s.getOutputInfo(), "output", outputs, shapes, problems);
      if (problems.isEmpty() && s.getInputNames().size() != inputs.size()) {
        problems.add("it has inputs " + s.getInputNames() + " but the contract feeds only " + inputs.keySet());
      }
      if (!problems.isEmpty()) {
        throw new ModelLoadException("model " + session.card().id() + " does not follow the " + what
            + " contract: " + String.join("; ", problems) + " (inputs " + s.getInputNames() + ", outputs "
            + s.getOutputNames() + ")");
      }
    } catch (OrtException e) {
      throw new ModelLoadException("model " + session.card().id() + ": cannot read its inputs/outputs: "
          + e.getMessage(), e);
    }
    return shapes;
  }

  private static void collect(Map<String, NodeInfo> actual, String kind, Map<String, Integer> expected,
      Map<String, long[]> shapes, List<String> problems) {
    for (Map.Entry<String, Integer> e : expected.entrySet()) {
      NodeInfo node = actual.get(e.getKey());
      if (node == null) {
        problems.add(kind + " '" + e.getKey() + "' is missing");
      } else if (!(node.getInfo() instanceof TensorInfo info)) {
        problems.add(kind + " '" + e.getKey() + "' is not a tensor");
      } else if (e.getValue() >= 0 && info.getShape().length != e.getValue()) {
        problems.add(kind + " '" + e.getKey() + "' has rank " + info.getShape().length + " "
            + TensorSpec.formatShape(info.getShape()) + ", expected rank " + e.getValue());
      } else {
        shapes.put(e.getKey(), info.getShape());
      }
    }
  }

  static Floats floats(OrtSession.Result result, String name, String modelId) {
    OnnxTensor tensor = tensor(result, name, modelId);
    long[] shape = tensor.getInfo().getShape();
    OnnxJavaType type = tensor.getInfo().type;
    if (type == OnnxJavaType.FLOAT) {
      FloatBuffer buffer = tensor.getFloatBuffer();
      float[] values = new float[buffer.remaining()];
      buffer.get(values);
      return new Floats(values, shape);
    }
    throw new InferenceException("model " + modelId + ": output " + name + " is " + type + ", expected FLOAT");
  }

  /** An integer output (INT64 or INT32) or a float one holding whole numbers, as longs. */
  static long[] integers(OrtSession.Result result, String name, String modelId) {
    OnnxTensor tensor = tensor(result, name, modelId);
    OnnxJavaType type = tensor.getInfo().type;
    switch (type) {
      case INT64 -> {
        LongBuffer buffer = tensor.getLongBuffer();
        long[] values = new long[buffer.remaining()];
        buffer.get(values);
        return values;
      }
      case INT32 -> {
        IntBuffer buffer = tensor.getIntBuffer();
        long[] values = new long[buffer.remaining()];
        for (int i = 0; i < values.length; i++) {
          values[i] = buffer.get();
        }
        return values;
      }
      case FLOAT -> {
        FloatBuffer buffer = tensor.getFloatBuffer();
        long[] values = new long[buffer.remaining()];
        for (int i = 0; i < values.length; i++) {
          values[i] = Math.round(buffer.get());
        }
        return values;
      }
      default -> throw new InferenceException("model " + modelId + ": output " + name + " is " + type
          + ", expected INT64, INT32 or FLOAT");
    }
  }

  private static OnnxTensor tensor(OrtSession.Result result, String name, String modelId) {
    OnnxValue value = result.get(name).orElseThrow(() -> new InferenceException(
        "model " + modelId + ": output " + name + " is missing from the run result"));
    if (!(value instanceof OnnxTensor tensor)) {
      throw new InferenceException("model " + modelId + ": output " + name + " is not a tensor");
    }
    return tensor;
  }

  /** Fails unless {@code shape} has this rank and every non-negative expected dimension. */
  static void expectShape(String modelId, String name, long[] shape, long... expected) {
    boolean ok = shape.length == expected.length;
    for (int i = 0; ok && i < expected.length; i++) {
      ok = expected[i] < 0 || shape[i] == expected[i];
    }
    if (!ok) {
      throw new InferenceException("model " + modelId + ": output " + name + " has shape "
          + TensorSpec.formatShape(shape) + ", expected " + TensorSpec.formatShape(expected));
    }
  }
}
