package dev.alphaflow.model.vos.learned;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.alphaflow.model.InferenceException;
import dev.alphaflow.model.ModelRegistry;
import dev.alphaflow.model.OrtRuntime;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.SharedSession;
import dev.alphaflow.model.SharedSessions;
import dev.alphaflow.model.TensorSpec;
import dev.alphaflow.model.image.RgbImage;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a learned key/value encoder + decoder for video object segmentation (STM / AFB-URR style) whose memory is a
 * {@link dev.alphaflow.model.vos.FeatureBank}. This is the optional learned alternative to the training-free
 * segmenter's fixed features: three ONNX models of the contract below, opened from their cards.
 *
 * <h2>Contract</h2>
 *
 * All tensors are float32, batch 1, NCHW; H and W are the frame size and must be multiples of the stride s.
 * <ul>
 *   <li><b>Key encoder</b> ({@value LearnedVosCards#KEY_ENCODER_ID}): in {@code image} [1,3,H,W]; out {@code key}
 *       [1,Ck,H/s,W/s] and any number of further outputs (e.g. {@code skip} features at strides 4 and 8) that the
 *       decoder may read by name.
 *   <li><b>Value encoder</b> ({@value LearnedVosCards#VALUE_ENCODER_ID}): in {@code image} [1,3,H,W], {@code mask}
 *       [1,1,H,W] (this object's probability, 0..1) and {@code others} [1,1,H,W] (the other objects' probabilities
 *       summed and clamped to 0..1, STM's second mask channel; see {@link #others}); out {@code value}
 *       [1,Cv,H/s,W/s].
 *   <li><b>Decoder</b> ({@value LearnedVosCards#DECODER_ID}): in {@code readout} [1,Cv,H/s,W/s] (the memory read by
 *       attention with the frame's keys) and any subset of the key encoder's outputs, by the same names and shapes;
 *       out {@code logits} [1,1,H,W] for this object <em>at frame resolution</em>: the decoder upsamples itself (STM's
 *       decoder ends in a 4x interpolation), so the adapter never guesses an interpolation the model was not trained
 *       with.
 *   <li><b>Image</b>: RGB, {@code (v / 255 - mean) / std} with ImageNet's mean (0.485, 0.456, 0.406) and std
 *       (0.229, 0.224, 0.225), as STM and AFB-URR train; export with that normalization outside the graph.
 * </ul>
 *
 * <p>Ck is read from the key encoder's {@code key} shape, or from the card where the model leaves it symbolic; Cv
 * likewise from {@code value}; the stride from {@link LearnedVosCards}. At load every difference from the contract
 * (missing tensor, wrong rank, channels that disagree between the models or with the card, a stride the fixed
 * shapes contradict) fails in one {@link dev.alphaflow.model.ModelLoadException} naming the model, the tensor and the
 * expected vs found shape; at run time each output's shape is checked again.
 *
 * <h2>Use</h2>
 *
 * <pre>{@code
 * try (LearnedVosModel model = LearnedVosModel.open(registry, settings, cards);
 *      AttentionReadout readout = AttentionReadout.java()) {
 *   FeatureBank bank = new FeatureBank(model.keyDim(), model.valueDim(), FeatureBankConfig.defaults());
 *   KeyFeatures k0 = model.encodeKey(frame0);
 *   bank.absorb(0, k0.keys(), model.encodeValue(frame0, mask0, others0), k0.positions());
 *   KeyFeatures k1 = model.encodeKey(frame1);
 *   float[] memory = bank.read(readout, k1.keys(), k1.positions());   // [positions, Cv]
 *   float[] probability = model.decode(memory, k1);                  // [H * W], row-major
 * }
 * }</pre>
 *
 * <p>Keys, values and readouts are row-major {@code [positions, channels]} with position {@code y * (W/s) + x}: the
 * transpose of the models' NCHW layout, which is what {@code FeatureBank} stores. Masks and probabilities are
 * row-major {@code [H * W]}. Thread-safe: every call allocates its own tensors, and ONNX Runtime sessions may be run
 * concurrently.
 */
public final class LearnedVosModel implements AutoCloseable {

  public static final String IMAGE = "image";
  public static final String MASK = "mask";
  public static final String OTHERS = "others";
  public static final String KEY = "key";
  public static final String VALUE = "value";
  public static final String READOUT = "readout";
  public static final String LOGITS = "logits";

  private static final double[] MEAN = {0.485, 0.456, 0.406};
  private static final double[] STD = {0.229, 0.224, 0.225};
  // (v / 255 - mean) / std for every byte value and channel.
  private static final float[][] NORMALIZED = new float[3][256];

  static {
    for (int c = 0; c < 3; c++) {
      for (int v = 0; v < 256; v++) {
        NORMALIZED[c][v] = (float) ((v / 255.0 - MEAN[c]) / STD[c]);
      }
    }
  }

  private final SharedSession keyEncoder;
  private final SharedSession valueEncoder;
  private final SharedSession decoder;
  private final LearnedVosContract.Layout layout;
  private final Set<String> keyFetch;
  private final OrtEnvironment env = OrtRuntime.environment();
  private final AtomicBoolean closed = new AtomicBoolean();

  private LearnedVosModel(SharedSession keyEncoder, SharedSession valueEncoder, SharedSession decoder,
      LearnedVosContract.Layout layout) {
    this.keyEncoder = keyEncoder;
    this.valueEncoder = valueEncoder;
    this.decoder = decoder;
    this.layout = layout;
    Set<String> fetch = new HashSet<>(layout.decoderFeatures());
    fetch.add(KEY);
    this.keyFetch = Set.copyOf(fetch);
  }

  /**
   * Acquires shared sessions for the three cards (hashes and card contracts checked as for any model), checks them
   * against the learned-VOS contract, and returns a model that releases the sessions on {@link #close()}.
   *
   * @throws dev.alphaflow.model.ModelLoadException listing every contract violation; no session stays open
   */
  public static LearnedVosModel open(ModelRegistry registry, SessionSettings settings, LearnedVosCards cards) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(cards, "cards");
    List<SharedSession> acquired = new ArrayList<>(3);
    try {
      acquired.add(SharedSessions.acquire(registry, cards.keyEncoder(), settings));
      acquired.add(SharedSessions.acquire(registry, cards.valueEncoder(), settings));
      acquired.add(SharedSessions.acquire(registry, cards.decoder(), settings));
      LearnedVosContract.Layout layout =
          LearnedVosContract.check(acquired.get(0), acquired.get(1), acquired.get(2), cards.stride());
      return new LearnedVosModel(acquired.get(0), acquired.get(1), acquired.get(2), layout);
    } catch (RuntimeException e) {
      for (SharedSession session : acquired) {
        try {
          session.close();
        } catch (RuntimeException closing) {
          e.addSuppressed(closing);
        }
      }
      throw e;
    }
  }

  /** Ck: floats per key, the {@code keyDim} of the feature banks. */
  public int keyDim() {
    return layout.keyDim();
  }

  /** Cv: floats per value, the {@code valueDim} of the feature banks. */
  public int valueDim() {
    return layout.valueDim();
  }

  /** s: the key/value grid is {@code (W/s) x (H/s)}. */
  public int stride() {
    return layout.stride();
  }

  /** The key-encoder outputs the decoder reads besides the readout (e.g. {@code [key, skip]}). */
  public List<String> decoderFeatures() {
    return layout.decoderFeatures();
  }

  /** Runs the key encoder on a frame: its keys as {@code [positions, Ck]} plus the decoder's features. */
  public KeyFeatures encodeKey(RgbImage frame) {
    Objects.requireNonNull(frame, "frame");
    int w = gridSide("width", frame.width());
    int h = gridSide("height", frame.height());
    String id = keyEncoder.card().id();
    try (OnnxTensor image = tensor(normalize(frame), 1, 3, frame.height(), frame.width());
         OrtSession.Result result = run(keyEncoder, Map.of(IMAGE, image), keyFetch, describe(frame))) {
      Map<String, KeyFeatures.Tensor> outputs = new HashMap<>();
      for (String name : keyFetch) {
        outputs.put(name, read(result, name, id));
      }
      KeyFeatures.Tensor key = outputs.get(KEY);
      expectShape(id, KEY, key.shape(), 1, keyDim(), h, w);
      Map<String, KeyFeatures.Tensor> forDecoder = new HashMap<>(outputs);
      forDecoder.keySet().retainAll(layout.decoderFeatures());
      return new KeyFeatures(frame.width(), frame.height(), w, h, keyDim(), toRows(key.values(), keyDim(), w * h),
          forDecoder);
    } catch (OrtException e) {
      throw new InferenceException("model " + id + ": cannot build its input tensor: " + e.getMessage(), e);
    }
  }

  /**
   * Runs the value encoder for one object: returns its values as {@code [positions, Cv]}.
   *
   * @param mask this object's probability per pixel, row-major {@code [H * W]}
   * @param others the other objects' probabilities summed and clamped to [0, 1] (see {@link #others})
   */
  public float[] encodeValue(RgbImage frame, float[] mask, float[] others) {
    Objects.requireNonNull(frame, "frame");
    checkPlane(MASK, mask, frame);
    checkPlane(OTHERS, others, frame);
    int w = gridSide("width", frame.width());
    int h = gridSide("height", frame.height());
    String id = valueEncoder.card().id();
    try (OnnxTensor image = tensor(normalize(frame), 1, 3, frame.height(), frame.width());
         OnnxTensor maskTensor = tensor(mask, 1, 1, frame.height(), frame.width());
         OnnxTensor othersTensor = tensor(others, 1, 1, frame.height(), frame.width());
         OrtSession.Result result = run(valueEncoder, Map.of(IMAGE, image, MASK, maskTensor, OTHERS, othersTensor),
             Set.of(VALUE), describe(frame))) {
      KeyFeatures.Tensor value = read(result, VALUE, id);
      expectShape(id, VALUE, value.shape(), 1, valueDim(), h, w);
      return toRows(value.values(), valueDim(), w * h);
    } catch (OrtException e) {
      throw new InferenceException("model " + id + ": cannot build its input tensors: " + e.getMessage(), e);
    }
  }

  /**
   * Runs the decoder for one object: returns {@code sigmoid(logits)}, its probability per pixel, row-major
   * {@code [H * W]} of the frame {@code key} came from.
   *
   * @param readout the memory read with {@code key.keys()}, row-major {@code [positions, Cv]} (as
   *     {@code FeatureBank.read} returns it)
   */
  public float[] decode(float[] readout, KeyFeatures key) {
    Objects.requireNonNull(readout, "readout");
    Objects.requireNonNull(key, "key");
    int positions = key.positions();
    if (readout.length != positions * valueDim()) {
      throw new IllegalArgumentException("readout has " + readout.length + " floats; a " + key.gridWidth() + "x"
          + key.gridHeight() + " grid with Cv = " + valueDim() + " needs " + positions * valueDim()
          + " ([positions, Cv] row-major)");
    }
    String id = decoder.card().id();
    List<OnnxTensor> inputs = new ArrayList<>();
    try {
      Map<String, OnnxTensor> feed = new HashMap<>();
      OnnxTensor planes = tensor(toPlanes(readout, valueDim(), positions), 1, valueDim(), key.gridHeight(),
          key.gridWidth());
      inputs.add(planes);
      feed.put(READOUT, planes);
      for (String name : layout.decoderFeatures()) {
        KeyFeatures.Tensor feature = key.decoderInputs().get(name);
        if (feature == null) {
          throw new IllegalArgumentException("these key features lack '" + name + "', which decoder " + id
              + " reads: encode the frame with this model's encodeKey");
        }
        OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(feature.values()), feature.shape());
        inputs.add(t);
        feed.put(name, t);
      }
      String what = "a " + key.gridWidth() + "x" + key.gridHeight() + " readout";
      try (OrtSession.Result result = run(decoder, feed, Set.of(LOGITS), what)) {
        KeyFeatures.Tensor logits = read(result, LOGITS, id);
        long[] shape = logits.shape();
        if (!Arrays.equals(shape, new long[] {1, 1, key.frameHeight(), key.frameWidth()})) {
          throw new InferenceException("model " + id + ": output '" + LOGITS + "' has shape "
              + TensorSpec.formatShape(shape) + ", expected " + TensorSpec.formatShape(
                  new long[] {1, 1, key.frameHeight(), key.frameWidth()})
              + " (the contract wants logits at frame resolution: end the decoder with a Resize)");
        }
        float[] probabilities = logits.values();
        for (int i = 0; i < probabilities.length; i++) {
          probabilities[i] = (float) (1.0 / (1.0 + Math.exp(-probabilities[i])));
        }
        return probabilities;
      }
    } catch (OrtException e) {
      throw new InferenceException("model " + id + ": cannot build its input tensors: " + e.getMessage(), e);
    } finally {
      inputs.forEach(OnnxTensor::close);
    }
  }

  /**
   * STM's {@code others} input for object {@code object}: per pixel the sum of the other objects' probabilities,
   * clamped to [0, 1]. STM computes {@code clamp(1 - p_bg - p_object, 0, 1)}, the same thing once the probabilities
   * are soft-aggregated.
   *
   * @param probabilities one map per object, all the same length
   */
  public static float[] others(float[][] probabilities, int object) {
    Objects.checkIndex(object, probabilities.length);
    int pixels = probabilities[object].length;
    float[] sum = new float[pixels];
    for (int m = 0; m < probabilities.length; m++) {
      if (m == object) {
        continue;
      }
      if (probabilities[m].length != pixels) {
        throw new IllegalArgumentException("probability map " + m + " has " + probabilities[m].length
            + " pixels, map " + object + " has " + pixels);
      }
      for (int i = 0; i < pixels; i++) {
        sum[i] += probabilities[m][i];
      }
    }
    for (int i = 0; i < pixels; i++) {
      sum[i] = Math.min(1f, Math.max(0f, sum[i]));
    }
    return sum;
  }

  // ---- internals ---------------------------------------------------------------------------------------------------

  private OrtSession.Result run(SharedSession session, Map<String, OnnxTensor> inputs, Set<String> fetch,
      String what) {
    if (closed.get()) {
      throw new IllegalStateException("LearnedVosModel is closed");
    }
    try {
      return session.session().run(inputs, fetch);
    } catch (OrtException e) {
      throw new InferenceException("model " + session.card().id() + ": inference failed for " + what + ": "
          + e.getMessage(), e);
    }
  }

  private static String describe(RgbImage frame) {
    return "a " + frame.width() + "x" + frame.height() + " frame";
  }

  private int gridSide(String side, int pixels) {
    int s = layout.stride();
    if (pixels % s != 0) {
      throw new IllegalArgumentException("frame " + side + " " + pixels + " is not a multiple of the stride " + s
          + ": pad or resize frames to multiples of " + s + " before encoding");
    }
    return pixels / s;
  }

  private static void checkPlane(String name, float[] plane, RgbImage frame) {
    Objects.requireNonNull(plane, name);
    if (plane.length != frame.pixelCount()) {
      throw new IllegalArgumentException(name + " has " + plane.length + " values; a " + frame.width() + "x"
          + frame.height() + " frame needs " + frame.pixelCount() + " (row-major [H * W])");
    }
  }

  /** Interleaved RGB bytes -> three ImageNet-normalized planes (NCHW). */
  static float[] normalize(RgbImage frame) {
    int plane = frame.pixelCount();
    byte[] rgb = frame.rgb();
    float[] out = new float[3 * plane];
    for (int i = 0, j = 0; i < plane; i++, j += 3) {
      out[i] = NORMALIZED[0][rgb[j] & 0xff];
      out[plane + i] = NORMALIZED[1][rgb[j + 1] & 0xff];
      out[2 * plane + i] = NORMALIZED[2][rgb[j + 2] & 0xff];
    }
    return out;
  }

  /** {@code [C, positions]} (NCHW with N = 1) -> {@code [positions, C]}. */
  static float[] toRows(float[] planes, int channels, int positions) {
    float[] rows = new float[planes.length];
    for (int c = 0; c < channels; c++) {
      for (int p = 0; p < positions; p++) {
        rows[p * channels + c] = planes[c * positions + p];
      }
    }
    return rows;
  }

  /** {@code [positions, C]} -> {@code [C, positions]}. */
  static float[] toPlanes(float[] rows, int channels, int positions) {
    float[] planes = new float[rows.length];
    for (int p = 0; p < positions; p++) {
      for (int c = 0; c < channels; c++) {
        planes[c * positions + p] = rows[p * channels + c];
      }
    }
    return planes;
  }

  private OnnxTensor tensor(float[] values, long... shape) throws OrtException {
    return OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape);
  }

  private static KeyFeatures.Tensor read(OrtSession.Result result, String name, String modelId) {
    OnnxValue value = result.get(name).orElseThrow(() -> new InferenceException(
        "model " + modelId + ": output '" + name + "' is missing from the run result"));
    if (!(value instanceof OnnxTensor tensor) || tensor.getInfo().type != OnnxJavaType.FLOAT) {
      throw new InferenceException("model " + modelId + ": output '" + name + "' is not a float32 tensor");
    }
    FloatBuffer buffer = tensor.getFloatBuffer();
    float[] values = new float[buffer.remaining()];
    buffer.get(values);
    return new KeyFeatures.Tensor(values, tensor.getInfo().getShape());
  }

  private static void expectShape(String modelId, String name, long[] shape, long... expected) {
    if (!Arrays.equals(shape, expected)) {
      throw new InferenceException("model " + modelId + ": output '" + name + "' has shape "
          + TensorSpec.formatShape(shape) + ", expected " + TensorSpec.formatShape(expected));
    }
  }

  /** Releases the three session handles (idempotent). */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      keyEncoder.close();
      valueEncoder.close();
      decoder.close();
    }
  }

  @Override
  public String toString() {
    return "LearnedVosModel{" + keyEncoder.card().id() + ", " + valueEncoder.card().id() + ", "
        + decoder.card().id() + ", Ck=" + keyDim() + ", Cv=" + valueDim() + ", stride=" + stride() + "}";
  }
}
