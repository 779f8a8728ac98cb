package dev.alphaflow.model.instances;

import ai.onnxruntime.OrtSession;
import dev.alphaflow.model.InferenceException;
import dev.alphaflow.model.ModelCard;
import dev.alphaflow.model.ModelLoadException;
import dev.alphaflow.model.ModelRegistry;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.SharedSession;
import dev.alphaflow.model.SharedSessions;
import dev.alphaflow.model.TensorSpec;
import dev.alphaflow.model.image.RgbImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Instance segmentation with a YOLOv8-seg export (Ultralytics, {@code nms=False}), e.g.
 * {@link dev.alphaflow.model.ModelCards#YOLOV8N_SEG}. The contract:
 * <ul>
 *   <li>in {@code images} float32 [1, 3, H, W]: RGB in [0, 1], letterboxed (aspect kept, centred, padded with
 *       114/255); a symbolic H or W is taken as 320;
 *   <li>out {@code output0} float32 [1, 4 + C + M, A]: per anchor {@code cx, cy, w, h} in input pixels, C class
 *       scores (sigmoid already applied), M mask coefficients;
 *   <li>out {@code output1} float32 [1, M, h, w]: mask prototypes covering the whole input (stride H / h).
 * </ul>
 *
 * <p>Decoding: an anchor's class is its best-scored one; anchors under {@link InstanceOptions#scoreThreshold()} or
 * outside the class filter are dropped; the best {@link InstanceOptions#maxCandidates()} go through class-aware NMS
 * on boxes, or matrix NMS on their prototype-resolution masks (cropped to the box); then the best
 * {@link InstanceOptions#maxInstances()} get full masks: {@code sigmoid(coefficients . prototypes)}, upsampled
 * bilinearly through the letterbox straight to the frame (so un-padding and resizing are one step) and cropped
 * to the box there, which keeps box edges exact (Ultralytics' {@code retina_masks} path). Class names come from
 * the model's {@code names} metadata, else {@link ClassNames#COCO80}.
 *
 * <pre>{@code
 * try (YoloSegDecoder yolo = YoloSegDecoder.open(registry, ModelCards.YOLOV8N_SEG, SessionSettings.defaults(),
 *     InstanceOptions.builder().classNames(Set.of("person")).build())) {
 *   List<Instance> people = yolo.segment(frame);
 * }
 * }</pre>
 *
 * <p>Ownership: the constructor does not own the {@link SharedSession}; {@link #open} acquires one that
 * {@link #close()} releases. Not thread-safe.
 */
public final class YoloSegDecoder extends AbstractSegmenter {

  public static final String INPUT = "images";
  public static final String DETECTIONS = "output0";
  public static final String PROTOTYPES = "output1";
  /** Input side used when the model's input size is symbolic. */
  public static final int DEFAULT_INPUT_SIZE = 320;
  static final float PAD_VALUE = 114f / 255f;

  private final int inputWidth;
  private final int inputHeight;
  private final int numClasses;
  private final int numCoefficients;
  private final List<String> labels;

  /** A decoder on a session the caller keeps owning; the model must follow the contract above. */
  public YoloSegDecoder(SharedSession session, InstanceOptions options) {
    this(session, options, false);
  }

  YoloSegDecoder(SharedSession session, InstanceOptions options, boolean ownsSession) {
    super(session, options, ownsSession);
    Map<String, long[]> shapes = OrtOutputs.checkSignature(session, "YOLO-seg",
        Map.of(INPUT, 4), Map.of(DETECTIONS, 3, PROTOTYPES, 4));
    long[] in = shapes.get(INPUT);
    this.inputHeight = in[2] > 0 ? (int) in[2] : DEFAULT_INPUT_SIZE;
    this.inputWidth = in[3] > 0 ? (int) in[3] : DEFAULT_INPUT_SIZE;
    long channels = shapes.get(DETECTIONS)[1];
    long coefficients = shapes.get(PROTOTYPES)[1];
    if (channels <= 0 || coefficients <= 0 || channels - 4 - coefficients <= 0) {
      throw new ModelLoadException("model " + session.card().id() + " does not follow the YOLO-seg contract: "
          + DETECTIONS + " " + TensorSpec.formatShape(shapes.get(DETECTIONS)) + " must have 4 + classes + M "
          + "channels with M = " + PROTOTYPES + " channels " + TensorSpec.formatShape(shapes.get(PROTOTYPES))
          + ", all fixed (export with a fixed number of classes)");
    }
    this.numCoefficients = (int) coefficients;
    this.numClasses = (int) (channels - 4 - coefficients);
    this.labels = ClassNames.of(session.session(), numClasses);
  }

  /** Acquires a shared session for the card and returns a decoder that owns (and on close releases) it. */
  public static YoloSegDecoder open(ModelRegistry registry, ModelCard card, SessionSettings settings,
      InstanceOptions options) {
    SharedSession session = SharedSessions.acquire(registry, card, settings);
    try {
      return new YoloSegDecoder(session, options, true);
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
  }

  /** Class names, indexed by class id. */
  @Override
  public List<String> labels() {
    return labels;
  }

  /** The letterbox this decoder uses for a frame size. */
  public Letterbox letterboxFor(int frameWidth, int frameHeight) {
    return Letterbox.fit(frameWidth, frameHeight, inputWidth, inputHeight);
  }

  @Override
  public List<Instance> segment(RgbImage frame) {
    Letterbox letterbox = letterboxFor(frame.width(), frame.height());
    try (OrtSession.Result result = run(INPUT, frame, letterbox, PAD_VALUE)) {
      OrtOutputs.Floats det = OrtOutputs.floats(result, DETECTIONS, modelId());
      OrtOutputs.Floats protos = OrtOutputs.floats(result, PROTOTYPES, modelId());
      OrtOutputs.expectShape(modelId(), DETECTIONS, det.shape(), 1, 4 + numClasses + numCoefficients, -1);
      OrtOutputs.expectShape(modelId(), PROTOTYPES, protos.shape(), 1, numCoefficients, -1, -1);
      return decode(det.values(), (int) det.shape()[2], protos.values(), (int) protos.shape()[3],
          (int) protos.shape()[2], letterbox);
    }
  }

  /** Decodes raw outputs: {@code det} [4 + C + M, anchors] and {@code protos} [M, protoH, protoW], row-major. */
  List<Instance> decode(float[] det, int anchors, float[] protos, int protoW, int protoH, Letterbox letterbox) {
    if (det.length != (long) (4 + numClasses + numCoefficients) * anchors
        || protos.length != (long) numCoefficients * protoW * protoH) {
      throw new InferenceException("model " + modelId() + ": outputs hold " + det.length + " and " + protos.length
          + " values, which do not fit " + anchors + " anchors and " + protoW + "x" + protoH + " prototypes");
    }
    List<Candidate> candidates = candidates(det, anchors);
    float logitThreshold = MaskSampler.logit(options.maskThreshold());
    Prototypes prototypes = new Prototypes(protos, numCoefficients, protoW, protoH, letterbox);

    List<Candidate> kept;
    if (options.nms() == NmsKind.CLASS_AWARE_NMS) {
      List<Box> boxes = new ArrayList<>(candidates.size());
      int[] classes = new int[candidates.size()];
      for (int i = 0; i < candidates.size(); i++) {
        boxes.add(candidates.get(i).box);
        classes[i] = candidates.get(i).classId;
      }
      kept = new ArrayList<>();
      for (int i : Nms.classAware(boxes, classes, options.iouThreshold())) {
        kept.add(candidates.get(i));
      }
    } else {
      List<BinaryMask> masks = new ArrayList<>(candidates.size());
      int[] classes = new int[candidates.size()];
      for (int i = 0; i < candidates.size(); i++) {
        Candidate c = candidates.get(i);
        masks.add(prototypes.gridMask(det, anchors, c, logitThreshold));
        classes[i] = c.classId;
      }
      float[] decay = Nms.matrixDecay(masks, classes, options.matrixKernel(), options.matrixSigma());
      kept = new ArrayList<>();
      for (int i = 0; i < candidates.size(); i++) {
        Candidate c = candidates.get(i);
        float score = c.score * decay[i];
        if (score >= options.matrixScoreThreshold()) {
          kept.add(new Candidate(c.anchor, c.classId, score, c.box));
        }
      }
      kept.sort(Candidate.ORDER);
    }

    List<Instance> instances = new ArrayList<>(Math.min(kept.size(), options.maxInstances()));
    for (Candidate c : firstN(kept, options.maxInstances())) {
      Box frameBox = letterbox.toFrame(c.box);
      float[] logits = prototypes.logits(det, anchors, c, 1);
      BinaryMask mask = MaskSampler.sample(logits, 0, protoW, protoH, letterbox, logitThreshold, frameBox);
      instances.add(new Instance(c.classId, labels.get(c.classId), c.score, frameBox, mask));
    }
    return instances;
  }

  private List<Candidate> candidates(float[] det, int anchors) {
    List<Candidate> candidates = new ArrayList<>();
    for (int a = 0; a < anchors; a++) {
      int best = 0;
      float bestScore = det[4 * anchors + a];
      for (int c = 1; c < numClasses; c++) {
        float s = det[(4 + c) * anchors + a];
        if (s > bestScore) {
          bestScore = s;
          best = c;
        }
      }
      if (bestScore < options.scoreThreshold() || !(bestScore > 0f)
          || !options.keepsClass(best, labels.get(best))) {
        continue;
      }
      float cx = det[a];
      float cy = det[anchors + a];
      float w = det[2 * anchors + a];
      float h = det[3 * anchors + a];
      if (!(w >= 0f && h >= 0f && Float.isFinite(cx + cy + w + h))) {
        continue; // a broken (negative, infinite or NaN) box cannot be cropped to
      }
      Box box = Box.ofCenter(cx, cy, w, h);
      candidates.add(new Candidate(a, best, Math.min(1f, bestScore), box));
    }
    candidates.sort(Candidate.ORDER);
    return firstN(candidates, options.maxCandidates());
  }

  /** One anchor that passed the score and class filters; box in input pixels. */
  private record Candidate(int anchor, int classId, float score, Box box) {
    static final Comparator<Candidate> ORDER =
        Comparator.comparingDouble((Candidate c) -> -c.score).thenComparingInt(c -> c.anchor);
  }

  /** Mask logits from prototypes and an anchor's coefficients. */
  private static final class Prototypes {
    private final float[] protos;
    private final int m;
    private final int w;
    private final int h;
    private final double strideX;
    private final double strideY;
    private final float[] coefficients;

    Prototypes(float[] protos, int m, int w, int h, Letterbox letterbox) {
      this.protos = protos;
      this.m = m;
      this.w = w;
      this.h = h;
      this.strideX = (double) letterbox.inputWidth() / w;
      this.strideY = (double) letterbox.inputHeight() / h;
      this.coefficients = new float[m];
    }

    /**
     * Logits on the prototype grid ({@code h x w}) over the cells covering the box plus {@code margin} cells
     * (what bilinear sampling inside the box reads); other cells are 0.
     */
    float[] logits(float[] det, int anchors, Candidate c, int margin) {
      for (int k = 0; k < m; k++) {
        coefficients[k] = det[(det.length / anchors - m + k) * anchors + c.anchor];
      }
      int c0 = Math.max(0, (int) Math.floor(c.box.x0() / strideX) - margin);
      int c1 = Math.min(w, (int) Math.ceil(c.box.x1() / strideX) + margin);
      int r0 = Math.max(0, (int) Math.floor(c.box.y0() / strideY) - margin);
      int r1 = Math.min(h, (int) Math.ceil(c.box.y1() / strideY) + margin);
      float[] out = new float[w * h];
      int plane = w * h;
      for (int k = 0; k < m; k++) {
        float coefficient = coefficients[k];
        int base = k * plane;
        for (int r = r0; r < r1; r++) {
          int row = r * w;
          for (int col = c0; col < c1; col++) {
            out[row + col] += coefficient * protos[base + row + col];
          }
        }
      }
      return out;
    }

    /** The binary mask on the prototype grid, cropped to the box (cell centres inside it). */
    BinaryMask gridMask(float[] det, int anchors, Candidate c, float logitThreshold) {
      float[] logits = logits(det, anchors, c, 0);
      BinaryMask.Builder mask = BinaryMask.builder(w, h);
      for (int r = 0; r < h; r++) {
        double y = (r + 0.5) * strideY;
        if (y < c.box.y0() || y >= c.box.y1()) {
          continue;
        }
        for (int col = 0; col < w; col++) {
          double x = (col + 0.5) * strideX;
          if (x >= c.box.x0() && x < c.box.x1() && logits[r * w + col] > logitThreshold) {
            mask.set(col, r);
          }
        }
      }
      return mask.build();
    }
  }

  @Override
  public String toString() {
    return "YoloSegDecoder{" + modelId() + ", " + inputWidth + "x" + inputHeight + ", " + numClasses + " classes, "
        + options + "}";
  }
}
