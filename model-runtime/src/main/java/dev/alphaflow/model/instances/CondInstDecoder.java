package dev.alphaflow.model.instances;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.alphaflow.model.InferenceException;
import dev.alphaflow.model.ModelCard;
import dev.alphaflow.model.ModelRegistry;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.SharedSession;
import dev.alphaflow.model.SharedSessions;
import dev.alphaflow.model.image.RgbImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Instance segmentation with a CondInst export: the network predicts detections and, per detection, the weights of
 * a tiny mask head; this decoder runs those dynamic heads. The contract:
 * <ul>
 *   <li>in {@code images} float32 [1, 3, H, W]: RGB in [0, 1] (normalization folded into the graph). Fixed H and
 *       W: the frame is resized to them (bilinear, aspect not kept); symbolic: the frame goes in at its own size;
 *   <li>out {@code mask_feats} float32 [1, Cm, h, w]: mask-branch features covering the whole input (stride
 *       H / h);
 *   <li>out {@code params} float32 [N, P]: each detection's mask-head parameters, {@code P = 8 * Cm + 105}, laid
 *       out as in AdelaiDet's {@code parse_dynamic_params}: all weights, then all biases, i.e.
 *       {@code W1 [8, Cm + 2], W2 [8, 8], W3 [1, 8], b1 [8], b2 [8], b3 [1]} (row-major, output-major);
 *   <li>out {@code locations} float32 [N, 2]: each detection's centre {@code (x, y)} in mask-feature cells (cell
 *       {@code (row i, column j)} is at {@code (j, i)});
 *   <li>out {@code scores} float32 [N]: probabilities in [0, 1];
 *   <li>out {@code classes} int64 [N] (int32 or whole-number float accepted);
 *   <li>out {@code boxes} float32 [N, 4]: {@code x0, y0, x1, y1} in input pixels.
 * </ul>
 *
 * <p>The mask head of detection {@code n}, at every cell {@code (x, y)} of the mask-feature grid, reads
 * {@code Cm + 2} channels: the {@code Cm} mask features, then {@code (x - loc_x) / s} and {@code (y - loc_y) / s}
 * with {@code s} = {@link #relativeCoordScale()}; then {@code logit = W3 relu(W2 relu(W1 in + b1) + b2) + b3} (three
 * 1x1 convolutions, 8 and 8 hidden channels). (AdelaiDet itself puts the two coordinate channels first and uses
 * {@code loc - x} in image pixels over the level's size of interest; an exporter adapts W1's columns and the
 * scale.) The mask is {@code sigmoid(logit) > maskThreshold}, bilinearly upsampled to the frame, not cropped.
 *
 * <p>Suppression: class-aware NMS runs on the boxes before the mask heads (as CondInst does); matrix NMS runs on the
 * grid-resolution masks. Boxes are reported mapped to the frame. Class names: the {@code names} metadata, else
 * COCO-80 (ids beyond the list are labelled {@code class_N}).
 *
 * <p>Ownership: the constructor does not own the {@link SharedSession}; {@link #open} acquires one that
 * {@link #close()} releases. Not thread-safe.
 */
public final class CondInstDecoder extends AbstractSegmenter {

  public static final String INPUT = "images";
  public static final String PARAMS = "params";
  public static final String MASK_FEATS = "mask_feats";
  public static final String LOCATIONS = "locations";
  public static final String SCORES = "scores";
  public static final String CLASSES = "classes";
  public static final String BOXES = "boxes";
  /** Hidden channels of the dynamic mask head. */
  public static final int HIDDEN = 8;
  /**
   * Default relative-coordinate scale, in mask-feature cells: CondInst normalizes P3 offsets by a 64 px size of
   * interest, which is 8 cells at its mask stride of 8.
   */
  public static final float DEFAULT_RELATIVE_COORD_SCALE = 8f;

  private final int inputWidth;
  private final int inputHeight;
  private final float relativeCoordScale;
  private final List<String> labels;

  /** A decoder on a session the caller keeps owning, with the default relative-coordinate scale. */
  public CondInstDecoder(SharedSession session, InstanceOptions options) {
    this(session, options, DEFAULT_RELATIVE_COORD_SCALE, false);
  }

  /** A decoder on a session the caller keeps owning. */
  public CondInstDecoder(SharedSession session, InstanceOptions options, float relativeCoordScale) {
    this(session, options, relativeCoordScale, false);
  }

  CondInstDecoder(SharedSession session, InstanceOptions options, float relativeCoordScale,
      boolean ownsSession) {
    super(session, options, ownsSession);
    if (!(relativeCoordScale > 0f) || Float.isInfinite(relativeCoordScale)) {
      throw new IllegalArgumentException("relativeCoordScale must be a positive number of mask-feature cells, got "
          + relativeCoordScale);
    }
    this.relativeCoordScale = relativeCoordScale;
    Map<String, long[]> shapes = OrtOutputs.checkSignature(session, "CondInst", Map.of(INPUT, 4),
        Map.of(PARAMS, 2, MASK_FEATS, 4, LOCATIONS, 2, SCORES, 1, CLASSES, 1, BOXES, 2));
    long[] in = shapes.get(INPUT);
    this.inputHeight = (int) in[2];
    this.inputWidth = (int) in[3];
    // Class count is not part of the contract; a model with names metadata supplies it.
    List<String> fromMetadata = ClassNames.parse(metadataNames(session));
    this.labels = fromMetadata.isEmpty() ? ClassNames.COCO80 : fromMetadata;
  }

  private static String metadataNames(SharedSession session) {
    try {
      return session.session().getMetadata().getCustomMetadata().get(ClassNames.METADATA_KEY);
    } catch (OrtException e) {
      return null;
    }
  }

  /** Acquires a shared session for the card and returns a decoder that owns (and on close releases) it. */
  public static CondInstDecoder open(ModelRegistry registry, ModelCard card, SessionSettings settings,
      InstanceOptions options, float relativeCoordScale) {
    SharedSession session = SharedSessions.acquire(registry, card, settings);
    try {
      return new CondInstDecoder(session, options, relativeCoordScale, true);
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
  }

  /** Class names from the model's metadata, else COCO-80 (the class count is not part of the contract). */
  @Override
  public List<String> labels() {
    return labels;
  }

  public float relativeCoordScale() {
    return relativeCoordScale;
  }

  /** Number of dynamic mask-head parameters for {@code maskChannels} mask features. */
  public static int paramCount(int maskChannels) {
    int in = maskChannels + 2;
    return in * HIDDEN + HIDDEN * HIDDEN + HIDDEN + HIDDEN + HIDDEN + 1;
  }

  private String label(int classId) {
    return classId < labels.size() ? labels.get(classId) : "class_" + classId;
  }

  @Override
  public List<Instance> segment(RgbImage frame) {
    Letterbox letterbox = inputWidth > 0 && inputHeight > 0
        ? Letterbox.stretch(frame.width(), frame.height(), inputWidth, inputHeight)
        : Letterbox.stretch(frame.width(), frame.height(), frame.width(), frame.height());
    String id = modelId();
    try (OrtSession.Result result = run(INPUT, frame, letterbox, 0f)) {
      OrtOutputs.Floats feats = OrtOutputs.floats(result, MASK_FEATS, id);
      OrtOutputs.Floats params = OrtOutputs.floats(result, PARAMS, id);
      OrtOutputs.Floats locations = OrtOutputs.floats(result, LOCATIONS, id);
      OrtOutputs.Floats scores = OrtOutputs.floats(result, SCORES, id);
      OrtOutputs.Floats boxes = OrtOutputs.floats(result, BOXES, id);
      long[] classes = OrtOutputs.integers(result, CLASSES, id);
      OrtOutputs.expectShape(id, MASK_FEATS, feats.shape(), 1, -1, -1, -1);
      int cm = (int) feats.shape()[1];
      int n = (int) scores.shape()[0];
      OrtOutputs.expectShape(id, PARAMS, params.shape(), n, paramCount(cm));
      OrtOutputs.expectShape(id, LOCATIONS, locations.shape(), n, 2);
      OrtOutputs.expectShape(id, BOXES, boxes.shape(), n, 4);
      if (classes.length != n) {
        throw new InferenceException("model " + id + ": output " + CLASSES + " has " + classes.length
            + " values for " + n + " detections");
      }
      Grid grid = new Grid(feats.values(), cm, (int) feats.shape()[3], (int) feats.shape()[2]);
      return decode(grid, params.values(), locations.values(), scores.values(), classes, boxes.values(), letterbox);
    }
  }

  private record Grid(float[] feats, int channels, int width, int height) {}

  private record Detection(int index, int classId, float score, Box box) {}

  private List<Instance> decode(Grid grid, float[] params, float[] locations, float[] scores, long[] classes,
      float[] boxes, Letterbox letterbox) {
    List<Detection> detections = new ArrayList<>();
    for (int i = 0; i < scores.length; i++) {
      long classId = classes[i];
      if (classId < 0 || classId > Integer.MAX_VALUE) {
        throw new InferenceException("model " + modelId() + ": detection " + i + " has class " + classId);
      }
      float score = scores[i];
      if (score >= options.scoreThreshold() && score > 0f && options.keepsClass((int) classId, label((int) classId))) {
        for (int k = 4 * i; k < 4 * i + 4; k++) {
          if (!Float.isFinite(boxes[k])) {
            throw new InferenceException("model " + modelId() + ": detection " + i + " has a non-finite box value "
                + boxes[k]);
          }
        }
        Box box = new Box(boxes[4 * i], boxes[4 * i + 1], Math.max(boxes[4 * i], boxes[4 * i + 2]),
            Math.max(boxes[4 * i + 1], boxes[4 * i + 3]));
        detections.add(new Detection(i, (int) classId, Math.min(1f, score), box));
      }
    }
    detections.sort(Comparator.comparingDouble((Detection d) -> -d.score).thenComparingInt(Detection::index));
    detections = firstN(detections, options.maxCandidates());
    float logitThreshold = MaskSampler.logit(options.maskThreshold());

    List<Detection> kept = new ArrayList<>();
    List<float[]> keptLogits = new ArrayList<>();
    if (options.nms() == NmsKind.CLASS_AWARE_NMS) {
      int[] cls = detections.stream().mapToInt(Detection::classId).toArray();
      for (int i : Nms.classAware(detections.stream().map(Detection::box).toList(), cls, options.iouThreshold())) {
        if (kept.size() == options.maxInstances()) {
          break;
        }
        kept.add(detections.get(i));
        keptLogits.add(maskHead(grid, params, locations, detections.get(i).index));
      }
    } else {
      List<float[]> logits = new ArrayList<>();
      List<BinaryMask> gridMasks = new ArrayList<>();
      for (Detection d : detections) {
        float[] l = maskHead(grid, params, locations, d.index);
        logits.add(l);
        BinaryMask.Builder mask = BinaryMask.builder(grid.width, grid.height);
        for (int p = 0; p < l.length; p++) {
          if (l[p] > logitThreshold) {
            mask.set(p);
          }
        }
        gridMasks.add(mask.build());
      }
      float[] decay = Nms.matrixDecay(gridMasks, detections.stream().mapToInt(Detection::classId).toArray(),
          options.matrixKernel(), options.matrixSigma());
      List<Integer> order = new ArrayList<>();
      List<Detection> decayed = new ArrayList<>();
      for (int i = 0; i < detections.size(); i++) {
        Detection d = detections.get(i);
        decayed.add(new Detection(d.index, d.classId, d.score * decay[i], d.box));
        if (d.score * decay[i] >= options.matrixScoreThreshold()) {
          order.add(i);
        }
      }
      order.sort(Comparator.comparingDouble((Integer i) -> -decayed.get(i).score).thenComparingInt(i -> i));
      for (int i : firstN(order, options.maxInstances())) {
        kept.add(decayed.get(i));
        keptLogits.add(logits.get(i));
      }
    }

    List<Instance> instances = new ArrayList<>(kept.size());
    for (int k = 0; k < kept.size(); k++) {
      Detection d = kept.get(k);
      BinaryMask mask = MaskSampler.sample(keptLogits.get(k), 0, grid.width, grid.height, letterbox,
          logitThreshold, null);
      instances.add(new Instance(d.classId, label(d.classId), d.score, letterbox.toFrame(d.box), mask));
    }
    return instances;
  }

  /** The dynamic mask head of detection {@code n} over the whole grid: one logit per cell. */
  private float[] maskHead(Grid grid, float[] params, float[] locations, int n) {
    int cm = grid.channels;
    int in = cm + 2;
    int p = paramCount(cm);
    int base = n * p;
    int w1 = base;
    int w2 = w1 + HIDDEN * in;
    int w3 = w2 + HIDDEN * HIDDEN;
    int b1 = w3 + HIDDEN;
    int b2 = b1 + HIDDEN;
    int b3 = b2 + HIDDEN;
    float locX = locations[2 * n];
    float locY = locations[2 * n + 1];
    int plane = grid.width * grid.height;
    float[] out = new float[plane];
    float[] h1 = new float[HIDDEN];
    float[] h2 = new float[HIDDEN];
    for (int y = 0; y < grid.height; y++) {
      float ry = (y - locY) / relativeCoordScale;
      for (int x = 0; x < grid.width; x++) {
        float rx = (x - locX) / relativeCoordScale;
        int cell = y * grid.width + x;
        for (int o = 0; o < HIDDEN; o++) {
          int row = w1 + o * in;
          float v = params[b1 + o];
          for (int c = 0; c < cm; c++) {
            v += params[row + c] * grid.feats[c * plane + cell];
          }
          v += params[row + cm] * rx + params[row + cm + 1] * ry;
          h1[o] = Math.max(0f, v);
        }
        for (int o = 0; o < HIDDEN; o++) {
          int row = w2 + o * HIDDEN;
          float v = params[b2 + o];
          for (int c = 0; c < HIDDEN; c++) {
            v += params[row + c] * h1[c];
          }
          h2[o] = Math.max(0f, v);
        }
        float v = params[b3];
        for (int c = 0; c < HIDDEN; c++) {
          v += params[w3 + c] * h2[c];
        }
        out[cell] = v;
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "CondInstDecoder{" + modelId() + ", input " + (inputWidth > 0 ? inputWidth + "x" + inputHeight
        : "frame size") + ", relativeCoordScale=" + relativeCoordScale + ", " + options + "}";
  }
}
