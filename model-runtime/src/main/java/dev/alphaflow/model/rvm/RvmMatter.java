package dev.alphaflow.model.rvm;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.alphaflow.model.FrameTooSmallException;
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
import dev.alphaflow.model.tensor.Fp16;
import dev.alphaflow.model.tensor.HalfTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Runs Robust Video Matting on RGB frames: frame + recurrent state in, alpha (+ foreground) + next state out.
 *
 * <pre>{@code
 * try (SharedSession session = SharedSessions.acquire(registry, ModelCards.RVM_MOBILENETV3, settings);
 *      RvmMatter matter = new RvmMatter(session, RvmOptions.defaults())) {
 *   RecurrentState state = RecurrentState.initial();
 *   for (RgbImage frame : frames) {
 *     RvmResult result = matter.infer(frame, state);
 *     state = result.nextState();
 *   }
 * }
 * }</pre>
 *
 * <p>Ownership: a matter built with the constructor does not own the {@link SharedSession}; the caller closes it
 * (after the matter). A matter from {@link #open} owns its handle, and {@link #close()} releases it. Either way
 * close() ends the matter; its reusable direct buffers are left to the garbage collector.
 *
 * <p>Not thread-safe (it reuses input buffers): use one matter per thread. Matters on different threads may share
 * one SharedSession.
 */
public final class RvmMatter implements AutoCloseable {

  static final String SRC = "src";
  static final String RATIO = "downsample_ratio";
  static final String PHA = "pha";
  static final String FGR = "fgr";
  static final List<String> STATE_IN = List.of("r1i", "r2i", "r3i", "r4i");
  static final List<String> STATE_OUT = List.of("r1o", "r2o", "r3o", "r4o");

  /**
   * The smallest side, in pixels, of the downsampled frame the encoder takes. Measured on the real model
   * (models/rvm, ORT 1.29 CPU): at ratio 1 a 3x3 frame runs and a 2x2 (or 64x2) one fails in a depthwise Conv
   * ("Invalid input shape: {2,2}"); at ratio 0.25 a 12x12 frame (3x3 downsampled) runs and a 4x100 one (1x25) fails.
   * MobileNetV3's stride-2 stages need a few pixels to work on; the frame is checked against this before ONNX
   * Runtime sees it, so that a tiny frame is a clear {@link FrameTooSmallException} rather than a shape error.
   */
  public static final int MIN_DOWNSAMPLED_SIDE = 3;

  // i / 255f for every byte value: one load per channel instead of a division.
  private static final float[] UNIT = new float[256];

  static {
    for (int i = 0; i < 256; i++) {
      UNIT[i] = i / 255f;
    }
  }

  private final SharedSession session;
  private final boolean ownsSession;
  private final RvmOptions options;
  private final OrtEnvironment env = OrtRuntime.environment();
  private final Set<String> fetch;
  // State shapes the model produced per geometry, to reject a state from another resolution with a clear message.
  private final Map<Geometry, List<long[]>> stateShapes = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Geometry, List<long[]>> eldest) {
      return size() > 32;
    }
  };

  private FloatBuffer srcBuffer;
  private final FloatBuffer[] stateBuffers = new FloatBuffer[4];
  private final FloatBuffer ratioBuffer = directFloats(1);
  private final FloatBuffer zeroState = directFloats(1);
  private float[] planes = new float[0];
  private boolean closed;

  /** A matter on a session the caller keeps owning. The session must have RVM's input and output names. */
  public RvmMatter(SharedSession session, RvmOptions options) {
    this(session, options, false);
  }

  private RvmMatter(SharedSession session, RvmOptions options, boolean ownsSession) {
    this.session = Objects.requireNonNull(session, "session");
    this.options = Objects.requireNonNull(options, "options");
    this.ownsSession = ownsSession;
    checkSignature(session);
    Set<String> names = new HashSet<>(STATE_OUT);
    names.add(PHA);
    if (options.withForeground()) {
      names.add(FGR);
    }
    this.fetch = Set.copyOf(names);
  }

  /** Acquires a shared session for the card and returns a matter that owns (and on close releases) it. */
  public static RvmMatter open(ModelRegistry registry, ModelCard card, SessionSettings settings,
      RvmOptions options) {
    SharedSession session = SharedSessions.acquire(registry, card, settings);
    try {
      return new RvmMatter(session, options, true);
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
  }

  private static void checkSignature(SharedSession session) {
    OrtSession s = session.session();
    List<String> missing = new ArrayList<>();
    for (String in : concat(List.of(SRC, RATIO), STATE_IN)) {
      if (!s.getInputNames().contains(in)) {
        missing.add("input '" + in + "'");
      }
    }
    for (String out : concat(List.of(PHA, FGR), STATE_OUT)) {
      if (!s.getOutputNames().contains(out)) {
        missing.add("output '" + out + "'");
      }
    }
    if (!missing.isEmpty()) {
      throw new ModelLoadException("model " + session.card().id() + " is not an RVM model: it lacks " + missing
          + " (has inputs " + s.getInputNames() + ", outputs " + s.getOutputNames() + ")");
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  public RvmOptions options() {
    return options;
  }

  public SharedSession session() {
    return session;
  }

  /** Mattes one frame given its stream's current state. */
  public RvmResult infer(RgbImage frame, RecurrentState state) {
    Objects.requireNonNull(frame, "frame");
    Objects.requireNonNull(state, "state");
    return run(List.of(frame), List.of(state)).get(0);
  }

  /**
   * Mattes frames of different streams together. Frames of the same size whose states have the same shapes (or are
   * all initial) go through one {@code session.run} with batch dimension N; other groups run separately. Results
   * come back in input order. Never pass two frames of one stream: frame t+1 needs frame t's state.
   */
  public List<RvmResult> inferBatch(List<RgbImage> frames, List<RecurrentState> states) {
    if (frames.size() != states.size()) {
      throw new IllegalArgumentException(frames.size() + " frames but " + states.size() + " states");
    }
    Map<GroupKey, List<Integer>> groups = new LinkedHashMap<>();
    for (int i = 0; i < frames.size(); i++) {
      RgbImage frame = Objects.requireNonNull(frames.get(i), "frame " + i);
      RecurrentState state = Objects.requireNonNull(states.get(i), "state " + i);
      groups.computeIfAbsent(GroupKey.of(frame, state), k -> new ArrayList<>()).add(i);
    }
    RvmResult[] results = new RvmResult[frames.size()];
    for (List<Integer> members : groups.values()) {
      List<RgbImage> groupFrames = new ArrayList<>(members.size());
      List<RecurrentState> groupStates = new ArrayList<>(members.size());
      for (int i : members) {
        groupFrames.add(frames.get(i));
        groupStates.add(states.get(i));
      }
      List<RvmResult> groupResults = run(groupFrames, groupStates);
      for (int j = 0; j < members.size(); j++) {
        results[members.get(j)] = groupResults.get(j);
      }
    }
    return Arrays.asList(results);
  }

  /** One session.run over frames of one size whose states share shapes (or are all initial). */
  private List<RvmResult> run(List<RgbImage> frames, List<RecurrentState> states) {
    if (closed) {
      throw new IllegalStateException("RvmMatter is closed");
    }
    int n = frames.size();
    int width = frames.get(0).width();
    int height = frames.get(0).height();
    float ratio = options.ratioFor(width, height);
    checkLargeEnough(width, height, ratio);
    Geometry geometry = new Geometry(width, height, ratio);
    boolean initial = states.get(0).isInitial();
    if (!initial) {
      checkStateFits(geometry, states.get(0));
    }

    long start = System.nanoTime();
    fillSource(frames, width, height);
    long[][] stateShapesIn = new long[4][];
    for (int k = 0; k < 4; k++) {
      stateShapesIn[k] = fillState(k, states, initial);
    }
    ratioBuffer.clear();
    ratioBuffer.put(ratio).flip();

    String modelId = session.card().id();
    try (OnnxTensor src = OnnxTensor.createTensor(env, srcBuffer, new long[] {n, 3, height, width});
         OnnxTensor r1 = OnnxTensor.createTensor(env, stateBuffer(0, initial), stateShapesIn[0]);
         OnnxTensor r2 = OnnxTensor.createTensor(env, stateBuffer(1, initial), stateShapesIn[1]);
         OnnxTensor r3 = OnnxTensor.createTensor(env, stateBuffer(2, initial), stateShapesIn[2]);
         OnnxTensor r4 = OnnxTensor.createTensor(env, stateBuffer(3, initial), stateShapesIn[3]);
         OnnxTensor ratioTensor = OnnxTensor.createTensor(env, ratioBuffer, new long[] {1})) {
      Map<String, OnnxTensor> inputs = Map.of(SRC, src, STATE_IN.get(0), r1, STATE_IN.get(1), r2,
          STATE_IN.get(2), r3, STATE_IN.get(3), r4, RATIO, ratioTensor);
      long prepared = System.nanoTime();
      try (OrtSession.Result result = session.session().run(inputs, fetch)) {
        long ran = System.nanoTime();
        return collect(result, n, geometry, (prepared - start) / 1000 / n, (ran - prepared) / 1000 / n);
      }
    } catch (OrtException e) {
      String hint = initial ? "" : "; if the frame size or downsample ratio changed, reset the state to "
          + "RecurrentState.initial()";
      throw new InferenceException("model " + modelId + ": inference failed for " + n + " frame(s) of " + width + "x"
          + height + " at downsample ratio " + ratio + ": " + e.getMessage() + hint, e);
    }
  }

  /**
   * Rejects a frame whose downsampled size (each side times the ratio, rounded down as ONNX Resize does) is under
   * {@link #MIN_DOWNSAMPLED_SIDE}, naming the smallest frame that works at this ratio.
   */
  private void checkLargeEnough(int width, int height, float ratio) {
    int downsampledWidth = (int) Math.floor(width * (double) ratio);
    int downsampledHeight = (int) Math.floor(height * (double) ratio);
    if (downsampledWidth >= MIN_DOWNSAMPLED_SIDE && downsampledHeight >= MIN_DOWNSAMPLED_SIDE) {
      return;
    }
    int minSide = minimumSide(ratio);
    throw new FrameTooSmallException(String.format("frame %dx%d is too small for model %s: at downsample ratio %s "
            + "it shrinks to %dx%d, and the model needs at least %dx%d after downsampling, i.e. frames of at least "
            + "%dx%d pixels at this ratio", width, height, session.card().id(), ratio, downsampledWidth,
        downsampledHeight, MIN_DOWNSAMPLED_SIDE, MIN_DOWNSAMPLED_SIDE, minSide, minSide));
  }

  /** The smallest frame side that keeps {@link #MIN_DOWNSAMPLED_SIDE} pixels at {@code ratio}. */
  static int minimumSide(float ratio) {
    int side = (int) Math.ceil(MIN_DOWNSAMPLED_SIDE / (double) ratio);
    while ((int) Math.floor(side * (double) ratio) < MIN_DOWNSAMPLED_SIDE) {
      side++;
    }
    return side;
  }

  private void fillSource(List<RgbImage> frames, int width, int height) {
    int plane = width * height;
    int perFrame = 3 * plane;
    srcBuffer = ensureCapacity(srcBuffer, Math.multiplyExact(perFrame, frames.size()));
    if (planes.length < perFrame) {
      planes = new float[perFrame];
    }
    float[] p = planes;
    for (RgbImage frame : frames) {
      byte[] rgb = frame.rgb();
      // Interleaved RGB bytes -> three planes of [0,1] floats (NCHW).
      for (int i = 0, j = 0; i < plane; i++, j += 3) {
        p[i] = UNIT[rgb[j] & 0xff];
        p[plane + i] = UNIT[rgb[j + 1] & 0xff];
        p[2 * plane + i] = UNIT[rgb[j + 2] & 0xff];
      }
      srcBuffer.put(p, 0, perFrame);
    }
    srcBuffer.flip();
  }

  /** Stacks the fp16 states r{k+1} of all items as floats; returns the input shape. */
  private long[] fillState(int k, List<RecurrentState> states, boolean initial) {
    if (initial) {
      // One [1,1,1,1] zero, broadcast by the model over the whole batch (RVM's first-frame convention).
      return new long[] {1, 1, 1, 1};
    }
    HalfTensor first = states.get(0).r(k + 1);
    FloatBuffer buffer = ensureCapacity(stateBuffers[k], Math.multiplyExact(first.size(), states.size()));
    stateBuffers[k] = buffer;
    for (RecurrentState state : states) {
      state.r(k + 1).copyFloatsTo(buffer);
    }
    buffer.flip();
    long[] shape = first.shape();
    shape[0] = states.size();
    return shape;
  }

  private FloatBuffer stateBuffer(int k, boolean initial) {
    if (initial) {
      zeroState.clear();
      zeroState.put(0f).flip();
      return zeroState;
    }
    return stateBuffers[k];
  }

  private List<RvmResult> collect(OrtSession.Result result, int n, Geometry geometry, long preMicros,
      long inferMicros) {
    int width = geometry.width;
    int height = geometry.height;
    int plane = width * height;
    FloatBuffer pha = output(result, PHA, new long[] {n, 1, height, width});
    FloatBuffer fgr = options.withForeground() ? output(result, FGR, new long[] {n, 3, height, width}) : null;

    short[][][] next = new short[n][4][];
    List<long[]> itemShapes = new ArrayList<>(4);
    for (int k = 0; k < 4; k++) {
      OnnxTensor tensor = tensor(result, STATE_OUT.get(k));
      long[] shape = tensor.getInfo().getShape();
      if (shape.length != 4 || shape[0] != n) {
        throw new InferenceException("model " + session.card().id() + ": output " + STATE_OUT.get(k)
            + " has shape " + TensorSpec.formatShape(shape) + ", expected batch " + n);
      }
      FloatBuffer values = tensor.getFloatBuffer();
      int count = Math.toIntExact(shape[1] * shape[2] * shape[3]);
      for (int item = 0; item < n; item++) {
        short[] bits = new short[count];
        Fp16.fromFloats(values, bits, 0, count);
        next[item][k] = bits;
      }
      itemShapes.add(new long[] {1, shape[1], shape[2], shape[3]});
    }
    stateShapes.put(geometry, itemShapes);

    List<RvmResult> results = new ArrayList<>(n);
    for (int item = 0; item < n; item++) {
      float[] alpha = new float[plane];
      pha.get(alpha);
      byte[] foreground = fgr == null ? null : interleave(fgr, plane);
      List<HalfTensor> tensors = new ArrayList<>(4);
      for (int k = 0; k < 4; k++) {
        tensors.add(HalfTensor.wrapBits(itemShapes.get(k), next[item][k]));
      }
      results.add(new RvmResult(alpha, width, height, foreground, RecurrentState.of(tensors), preMicros,
          inferMicros));
    }
    return results;
  }

  /** Reads one NCHW RGB item (three planes) into interleaved RGB24. */
  private static byte[] interleave(FloatBuffer planes, int plane) {
    float[] chw = new float[3 * plane];
    planes.get(chw);
    byte[] rgb = new byte[3 * plane];
    for (int i = 0, j = 0; i < plane; i++, j += 3) {
      rgb[j] = toByte(chw[i]);
      rgb[j + 1] = toByte(chw[plane + i]);
      rgb[j + 2] = toByte(chw[2 * plane + i]);
    }
    return rgb;
  }

  private static byte toByte(float v) {
    return (byte) (v >= 1f ? 255 : v > 0f ? Math.round(v * 255f) : 0);
  }

  private FloatBuffer output(OrtSession.Result result, String name, long[] expectedShape) {
    OnnxTensor tensor = tensor(result, name);
    long[] shape = tensor.getInfo().getShape();
    if (!Arrays.equals(shape, expectedShape)) {
      throw new InferenceException("model " + session.card().id() + ": output " + name + " has shape "
          + TensorSpec.formatShape(shape) + ", expected " + TensorSpec.formatShape(expectedShape));
    }
    return tensor.getFloatBuffer();
  }

  private OnnxTensor tensor(OrtSession.Result result, String name) {
    OnnxValue value = result.get(name).orElseThrow(() -> new InferenceException(
        "model " + session.card().id() + ": output " + name + " is missing from the run result"));
    if (!(value instanceof OnnxTensor tensor)) {
      throw new InferenceException("model " + session.card().id() + ": output " + name + " is not a tensor");
    }
    return tensor;
  }

  private void checkStateFits(Geometry geometry, RecurrentState state) {
    List<long[]> expected = stateShapes.get(geometry);
    if (expected == null) {
      return; // geometry not seen yet (e.g. right after a restore): ONNX Runtime will complain if it does not fit
    }
    for (int k = 0; k < 4; k++) {
      if (!Arrays.equals(expected.get(k), state.r(k + 1).shape())) {
        throw new InferenceException("recurrent state r" + (k + 1) + " has shape "
            + TensorSpec.formatShape(state.r(k + 1).shape()) + " but a " + geometry.width + "x" + geometry.height
            + " frame at downsample ratio " + geometry.ratio + " needs " + TensorSpec.formatShape(expected.get(k))
            + "; reset the state to RecurrentState.initial() when the frame size or ratio changes");
      }
    }
  }

  private static FloatBuffer ensureCapacity(FloatBuffer buffer, int floats) {
    FloatBuffer b = buffer == null || buffer.capacity() < floats ? directFloats(floats) : buffer;
    b.clear();
    b.limit(floats);
    return b;
  }

  // Direct, native-order buffers are handed to ONNX Runtime without a copy.
  private static FloatBuffer directFloats(int floats) {
    return ByteBuffer.allocateDirect(Math.multiplyExact(floats, 4)).order(ByteOrder.nativeOrder()).asFloatBuffer();
  }

  /** Ends the matter; releases the session handle only if {@link #open} created it. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (ownsSession) {
      session.close();
    }
  }

  private record Geometry(int width, int height, float ratio) {}

  private record GroupKey(int width, int height, boolean initial, List<List<Long>> stateShapes) {
    static GroupKey of(RgbImage frame, RecurrentState state) {
      if (state.isInitial()) {
        return new GroupKey(frame.width(), frame.height(), true, List.of());
      }
      List<List<Long>> shapes = new ArrayList<>(4);
      for (HalfTensor t : state.tensors()) {
        shapes.add(Arrays.stream(t.shape()).boxed().toList());
      }
      return new GroupKey(frame.width(), frame.height(), false, shapes);
    }
  }
}
