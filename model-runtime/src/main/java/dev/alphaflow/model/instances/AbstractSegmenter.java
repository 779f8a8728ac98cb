package dev.alphaflow.model.instances;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.alphaflow.model.InferenceException;
import dev.alphaflow.model.OrtRuntime;
import dev.alphaflow.model.SharedSession;
import dev.alphaflow.model.image.RgbImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Session ownership, input filling and the run call shared by the decoders. */
abstract class AbstractSegmenter implements InstanceSegmenter {

  final SharedSession session;
  final InstanceOptions options;
  private final boolean ownsSession;
  private final OrtEnvironment env = OrtRuntime.environment();
  private float[] chw = new float[0];
  private FloatBuffer input;
  private boolean closed;

  AbstractSegmenter(SharedSession session, InstanceOptions options, boolean ownsSession) {
    this.session = Objects.requireNonNull(session, "session");
    this.options = Objects.requireNonNull(options, "options");
    this.ownsSession = ownsSession;
  }

  @Override
  public final InstanceOptions options() {
    return options;
  }

  /** The session handle this segmenter runs on. */
  public final SharedSession session() {
    return session;
  }

  final String modelId() {
    return session.card().id();
  }

  /** Letterboxes the frame into the model's one image input and runs the model; the caller closes the result. */
  final OrtSession.Result run(String inputName, RgbImage frame, Letterbox letterbox, float padValue) {
    if (closed) {
      throw new IllegalStateException(getClass().getSimpleName() + " is closed");
    }
    int floats = 3 * letterbox.inputWidth() * letterbox.inputHeight();
    if (chw.length < floats) {
      chw = new float[floats];
      input = ByteBuffer.allocateDirect(floats * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
    letterbox.fill(frame, chw, padValue);
    input.clear();
    input.put(chw, 0, floats).flip();
    long[] shape = {1, 3, letterbox.inputHeight(), letterbox.inputWidth()};
    try (OnnxTensor tensor = OnnxTensor.createTensor(env, input, shape)) {
      return session.session().run(Map.of(inputName, tensor));
    } catch (OrtException e) {
      throw new InferenceException("model " + modelId() + ": inference failed for a " + frame.width() + "x"
          + frame.height() + " frame (" + letterbox + "): " + e.getMessage(), e);
    }
  }

  /** Keeps the first {@code max} elements. */
  static <T> List<T> firstN(List<T> list, int max) {
    return list.size() <= max ? list : List.copyOf(list.subList(0, max));
  }

  /** Ends the segmenter; releases the session handle only if it was acquired by an {@code open} factory. */
  @Override
  public final void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (ownsSession) {
      session.close();
    }
  }
}
