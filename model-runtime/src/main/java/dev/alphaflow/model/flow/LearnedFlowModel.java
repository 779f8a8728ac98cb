package dev.alphaflow.model.flow;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.alphaflow.model.InferenceException;
import dev.alphaflow.model.ModelCard;
import dev.alphaflow.model.ModelLoadException;
import dev.alphaflow.model.ModelRegistry;
import dev.alphaflow.model.OrtRuntime;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.SharedSession;
import dev.alphaflow.model.SharedSessions;
import dev.alphaflow.model.TensorSpec;
import dev.alphaflow.model.image.RgbImage;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a learned optical-flow model (RAFT / GMA style) exported to ONNX. No such weights ship with alphaflow; this is
 * the contract an export must follow (docs/learned-flow-contract.md), checked when the model loads.
 *
 * <h2>Contract</h2>
 *
 * All tensors batch 1, NCHW.
 * <ul>
 *   <li>in {@code image1}, {@code image2}: float32 [1,3,H,W], RGB 0..255 (RAFT and GMA normalize inside their
 *       {@code forward}, {@code 2 * (x / 255) - 1}; keep that in the graph);
 *   <li>out {@code flow}: float32 [1,2,H,W], the flow from image1 to image2 in pixels ({@code dx} then {@code dy});
 *   <li>optional in {@code iters}: int64 [1] (or a scalar), the number of refinement iterations (then a count must
 *       be given at {@link #open}; without it, the count is the one fixed at export);
 *   <li>optional in {@code flow_init}: float32 [1,2,H/s,W/s], RAFT's warm start at the stride of its correlation
 *       grid; a model with it must also output {@code flow_low}: float32 [1,2,H/s,W/s], its own low-resolution flow.
 * </ul>
 * H and W must be multiples of the stride s (8 for RAFT and GMA): frames are padded to the next multiple by
 * repeating edge pixels, split evenly between the sides (RAFT's {@code InputPadder} in its Sintel mode), and the
 * flow is cropped back. Any other input, a wrong rank, channel count or element type fails at load in one
 * {@link ModelLoadException} naming the tensor and the expected vs found shape.
 *
 * <p>Warm start: pass the previous pair's {@link Result#low()} (frames t-1 → t) to the next pair's estimate (t → t+1).
 * It goes in unchanged; RAFT's own evaluation first forward-splats it by itself, which matters only where the motion
 * changes within a low-resolution cell.
 *
 * <p>Thread-safe: each call builds its own tensors and ONNX Runtime sessions may be run concurrently. Closing the model
 * releases its session handle.
 */
public final class LearnedFlowModel implements FlowEstimator {

  public static final String IMAGE1 = "image1";
  public static final String IMAGE2 = "image2";
  public static final String ITERS = "iters";
  public static final String FLOW_INIT = "flow_init";
  public static final String FLOW = "flow";
  public static final String FLOW_LOW = "flow_low";
  /** RAFT's and GMA's correlation grid stride. */
  public static final int RAFT_STRIDE = 8;

  private final SharedSession session;
  private final int stride;
  private final int iterations;
  private final boolean hasIters;
  private final boolean hasWarmStart;
  private final boolean hasLow;
  private final OrtEnvironment env = OrtRuntime.environment();
  private final AtomicBoolean closed = new AtomicBoolean();

  private LearnedFlowModel(SharedSession session, int stride, int iterations, boolean hasIters,
      boolean hasWarmStart, boolean hasLow) {
    this.session = session;
    this.stride = stride;
    this.iterations = iterations;
    this.hasIters = hasIters;
    this.hasWarmStart = hasWarmStart;
    this.hasLow = hasLow;
  }

  /** A flow field and, when the model outputs {@code flow_low}, its low-resolution flow (else null). */
  public record Result(FlowField flow, FlowField low) {}

  /**
   * The card of a learned-flow file: the usual id, path, sha256 and license. It lists no tensors: {@link #open} checks
   * the whole contract itself (the optional inputs vary between exports) and reports every difference at once.
   */
  public static ModelCard card(String id, String relativePath, String sha256, String license) {
    return ModelCard.builder()
        .id(id)
        .relativePath(relativePath)
        .sha256(sha256)
        .license(license)
        .description("learned optical flow (RAFT/GMA contract): image1, image2 RGB 0..255 [1,3,H,W] -> flow "
            + "[1,2,H,W]; optional iters, flow_init/flow_low warm start")
        .build();
  }

  /** {@link #card} for a file, its sha256 computed now; open it with {@code new ModelRegistry(file.getParent())}. */
  public static ModelCard card(String id, Path file, String license) {
    return card(id, file.getFileName().toString(), ModelRegistry.sha256(file), license);
  }

  /**
   * Acquires a shared session for the card (hash and card contract checked as for any model), checks the model
   * against the learned-flow contract, and returns a model that releases the session on {@link #close()}.
   *
   * @param stride the model's stride s (frames are padded to multiples of it); {@link #RAFT_STRIDE} for RAFT/GMA
   * @param iterations refinement iterations fed to {@code iters}, required (positive) exactly when the model has that
   *     input; 0 for a model whose count was fixed at export
   * @throws ModelLoadException listing every contract violation; no session stays open
   */
  public static LearnedFlowModel open(ModelRegistry registry, SessionSettings settings, ModelCard card, int stride,
      int iterations) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(card, "card");
    if (stride < 1) {
      throw new IllegalArgumentException("stride must be at least 1, got " + stride);
    }
    if (iterations < 0) {
      throw new IllegalArgumentException("iterations must be positive, or 0 for a model whose count is fixed, got "
          + iterations);
    }
    SharedSession session = SharedSessions.acquire(registry, card, settings);
    try {
      Map<String, NodeInfo> inputs = session.session().getInputInfo();
      Map<String, NodeInfo> outputs = session.session().getOutputInfo();
      List<String> problems = new ArrayList<>();
      String id = card.id();
      checkTensor(id, "input", inputs, IMAGE1, OnnxJavaType.FLOAT, 3, problems);
      checkTensor(id, "input", inputs, IMAGE2, OnnxJavaType.FLOAT, 3, problems);
      checkTensor(id, "output", outputs, FLOW, OnnxJavaType.FLOAT, 2, problems);
      boolean hasIters = inputs.containsKey(ITERS);
      if (hasIters) {
        checkIters(id, inputs.get(ITERS), problems);
      }
      boolean hasWarmStart = inputs.containsKey(FLOW_INIT);
      if (hasWarmStart) {
        checkTensor(id, "input", inputs, FLOW_INIT, OnnxJavaType.FLOAT, 2, problems);
      }
      boolean hasLow = outputs.containsKey(FLOW_LOW);
      if (hasLow) {
        checkTensor(id, "output", outputs, FLOW_LOW, OnnxJavaType.FLOAT, 2, problems);
      } else if (hasWarmStart) {
        problems.add("model " + id + ": input '" + FLOW_INIT + "' needs output '" + FLOW_LOW
            + "' [1,2,H/s,W/s] too (the next pair's warm start), but its outputs are " + outputs.keySet());
      }
      Set<String> known = Set.of(IMAGE1, IMAGE2, ITERS, FLOW_INIT);
      for (String name : inputs.keySet()) {
        if (!known.contains(name)) {
          problems.add("model " + id + ": input '" + name + "' is not part of the contract, which feeds only "
              + known);
        }
      }
      if (iterations == 0 && hasIters) {
        problems.add("model " + id + ": it has an '" + ITERS + "' input: give a positive iteration count (RAFT and "
            + "GMA evaluate with 12 on KITTI, 32 on Sintel)");
      }
      if (iterations > 0 && !hasIters) {
        problems.add("model " + id + ": " + iterations + " iterations were asked for, but the model has no '"
            + ITERS + "' input (its iteration count was fixed at export): use 0 iterations");
      }
      if (!problems.isEmpty()) {
        throw new ModelLoadException(String.join("; ", problems) + ". The model does not follow the learned-flow "
            + "contract (docs/learned-flow-contract.md).");
      }
      return new LearnedFlowModel(session, stride, iterations, hasIters, hasWarmStart, hasLow);
    } catch (OrtException e) {
      ModelLoadException failure = new ModelLoadException("model " + card.id() + ": cannot read its inputs/outputs: "
          + e.getMessage(), e);
      closeQuietly(session, failure);
      throw failure;
    } catch (RuntimeException e) {
      closeQuietly(session, e);
      throw e;
    }
  }

  public int stride() {
    return stride;
  }

  /** The iterations fed to {@code iters}; 0 = fixed in the model. */
  public int iterations() {
    return iterations;
  }

  /** Whether the model takes {@code flow_init} (and gives {@code flow_low}) for a warm start. */
  public boolean acceptsWarmStart() {
    return hasWarmStart;
  }

  /** The flow from {@code from} to {@code to}, cold-started. */
  @Override
  public FlowField estimate(RgbImage from, RgbImage to) {
    return estimate(from, to, null).flow();
  }

  /**
   * The flow from {@code from} to {@code to}, warm-started from {@code previousLow} (the previous pair's
   * {@link Result#low()}, or null for a cold start; ignored by a model without {@code flow_init}).
   */
  public Result estimate(RgbImage from, RgbImage to, FlowField previousLow) {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (closed.get()) {
      throw new IllegalStateException("LearnedFlowModel is closed");
    }
    if (!from.sameSize(to)) {
      throw new IllegalArgumentException("flow needs two frames of one size, got " + from.width() + "x"
          + from.height() + " and " + to.width() + "x" + to.height());
    }
    Padding pad = Padding.of(from.width(), from.height(), stride);
    int lowW = pad.width / stride;
    int lowH = pad.height / stride;
    if (hasWarmStart && previousLow != null && (previousLow.width() != lowW || previousLow.height() != lowH)) {
      throw new IllegalArgumentException("warm-start flow is " + previousLow.width() + "x" + previousLow.height()
          + ", frames of " + from.width() + "x" + from.height() + " need " + lowW + "x" + lowH
          + " (the padded size / stride " + stride + ")");
    }
    String id = session.card().id();
    List<OnnxTensor> tensors = new ArrayList<>();
    try {
      Map<String, OnnxTensor> feed = new HashMap<>();
      feed.put(IMAGE1, track(tensors, floats(pad.rgbPlanes(from), 1, 3, pad.height, pad.width)));
      feed.put(IMAGE2, track(tensors, floats(pad.rgbPlanes(to), 1, 3, pad.height, pad.width)));
      if (hasIters) {
        long[] shape = itersShape();
        feed.put(ITERS, track(tensors, OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {iterations}), shape)));
      }
      if (hasWarmStart) {
        float[] init = previousLow == null ? new float[2 * lowW * lowH] : previousLow.data().clone();
        feed.put(FLOW_INIT, track(tensors, floats(init, 1, 2, lowH, lowW)));
      }
      Set<String> fetch = new HashSet<>();
      fetch.add(FLOW);
      if (hasLow) {
        fetch.add(FLOW_LOW);
      }
      try (OrtSession.Result result = session.session().run(feed, fetch)) {
        float[] flow = read(result, FLOW, id, pad.width, pad.height);
        FlowField full = new FlowField(from.width(), from.height(), pad.crop(flow));
        FlowField low = hasLow ? new FlowField(lowW, lowH, read(result, FLOW_LOW, id, lowW, lowH)) : null;
        return new Result(full, low);
      }
    } catch (OrtException e) {
      throw new InferenceException("model " + id + ": inference failed for a " + from.width() + "x" + from.height()
          + " pair (padded to " + pad.width + "x" + pad.height + "): " + e.getMessage(), e);
    } finally {
      tensors.forEach(OnnxTensor::close);
    }
  }

  private long[] itersShape() throws OrtException {
    TensorInfo info = (TensorInfo) session.session().getInputInfo().get(ITERS).getInfo();
    return info.getShape().length == 0 ? new long[0] : new long[] {1};
  }

  private OnnxTensor floats(float[] values, long... shape) throws OrtException {
    return OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape);
  }

  private static OnnxTensor track(List<OnnxTensor> tensors, OnnxTensor tensor) {
    tensors.add(tensor);
    return tensor;
  }

  private static float[] read(OrtSession.Result result, String name, String id, int width, int height) {
    OnnxValue value = result.get(name).orElseThrow(() -> new InferenceException(
        "model " + id + ": output '" + name + "' is missing from the run result"));
    if (!(value instanceof OnnxTensor tensor) || tensor.getInfo().type != OnnxJavaType.FLOAT) {
      throw new InferenceException("model " + id + ": output '" + name + "' is not a float32 tensor");
    }
    long[] shape = tensor.getInfo().getShape();
    long[] expected = {1, 2, height, width};
    if (!java.util.Arrays.equals(shape, expected)) {
      throw new InferenceException("model " + id + ": output '" + name + "' has shape " + TensorSpec.formatShape(shape)
          + ", expected " + TensorSpec.formatShape(expected));
    }
    FloatBuffer buffer = tensor.getFloatBuffer();
    float[] values = new float[buffer.remaining()];
    buffer.get(values);
    return values;
  }

  /** A rank-4 tensor of that element type, batch 1 (or symbolic) and that many channels (or symbolic). */
  private static void checkTensor(String id, String kind, Map<String, NodeInfo> infos, String name,
      OnnxJavaType type, int channels, List<String> problems) {
    String prefix = "model " + id + ": " + kind + " '" + name + "'";
    NodeInfo node = infos.get(name);
    if (node == null) {
      problems.add(prefix + " is missing (its " + kind + "s are " + infos.keySet() + ")");
      return;
    }
    if (!(node.getInfo() instanceof TensorInfo info)) {
      problems.add(prefix + " is not a tensor (" + node.getInfo() + ")");
      return;
    }
    long[] shape = info.getShape();
    boolean fits = shape.length == 4 && (shape[0] < 0 || shape[0] == 1) && (shape[1] < 0 || shape[1] == channels);
    if (!fits) {
      problems.add(prefix + " has shape " + TensorSpec.formatShape(shape) + ", expected "
          + TensorSpec.formatShape(new long[] {1, channels, -1, -1}));
    }
    if (info.type != type) {
      problems.add(prefix + " has element type " + info.type + ", expected " + type);
    }
  }

  private static void checkIters(String id, NodeInfo node, List<String> problems) {
    String prefix = "model " + id + ": input '" + ITERS + "'";
    if (!(node.getInfo() instanceof TensorInfo info) || info.type != OnnxJavaType.INT64
        || !(info.getShape().length == 0 || (info.getShape().length == 1 && info.getShape()[0] <= 1))) {
      problems.add(prefix + " must be an int64 scalar or [1], found " + node.getInfo());
    }
  }

  private static void closeQuietly(SharedSession session, Exception primary) {
    try {
      session.close();
    } catch (RuntimeException e) {
      primary.addSuppressed(e);
    }
  }

  /** Replicate padding to multiples of the stride, split evenly (the extra pixel right/bottom), and the crop back. */
  static final class Padding {
    final int width;
    final int height;
    final int left;
    final int top;
    private final int srcWidth;
    private final int srcHeight;

    private Padding(int srcWidth, int srcHeight, int width, int height) {
      this.srcWidth = srcWidth;
      this.srcHeight = srcHeight;
      this.width = width;
      this.height = height;
      this.left = (width - srcWidth) / 2;
      this.top = (height - srcHeight) / 2;
    }

    static Padding of(int width, int height, int stride) {
      return new Padding(width, height, ceil(width, stride), ceil(height, stride));
    }

    private static int ceil(int v, int multiple) {
      return (v + multiple - 1) / multiple * multiple;
    }

    /** The frame as three float planes 0..255 of the padded size, edge pixels repeated outwards. */
    float[] rgbPlanes(RgbImage frame) {
      byte[] rgb = frame.rgb();
      int plane = width * height;
      float[] out = new float[3 * plane];
      for (int y = 0; y < height; y++) {
        int sy = Math.min(Math.max(y - top, 0), srcHeight - 1);
        for (int x = 0; x < width; x++) {
          int sx = Math.min(Math.max(x - left, 0), srcWidth - 1);
          int s = 3 * (sy * srcWidth + sx);
          int d = y * width + x;
          out[d] = rgb[s] & 0xff;
          out[plane + d] = rgb[s + 1] & 0xff;
          out[2 * plane + d] = rgb[s + 2] & 0xff;
        }
      }
      return out;
    }

    /** A padded {@code [2, height, width]} flow cropped to the frame. */
    float[] crop(float[] padded) {
      if (width == srcWidth && height == srcHeight) {
        return padded;
      }
      int n = srcWidth * srcHeight;
      float[] out = new float[2 * n];
      for (int c = 0; c < 2; c++) {
        for (int y = 0; y < srcHeight; y++) {
          System.arraycopy(padded, c * width * height + (y + top) * width + left, out, c * n + y * srcWidth,
              srcWidth);
        }
      }
      return out;
    }
  }

  /** Releases the session handle (idempotent). */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      session.close();
    }
  }

  @Override
  public String toString() {
    return "LearnedFlowModel{" + session.card().id() + ", stride=" + stride + ", iterations="
        + (iterations == 0 ? "fixed" : iterations) + ", warmStart=" + hasWarmStart + "}";
  }
}
