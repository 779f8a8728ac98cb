package dev.alphaflow.model.instances;

import ai.onnxruntime.OrtSession;
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
 * Instance segmentation with a SparseInst export (instance activation maps; no NMS). The contract:
 * <ul>
 *   <li>in {@code images} float32 [1, 3, H, W]: RGB in [0, 1] (the export folds any mean/std normalization into
 *       the graph). Fixed H and W: the frame is resized to them (bilinear, aspect not kept); symbolic: the frame
 *       goes in at its own size;
 *   <li>out {@code masks} float32 [1, N, h, w]: one mask logit map per instance, covering the whole input (stride
 *       H / h);
 *   <li>out {@code scores} float32 [1, N, C]: class logits;
 *   <li>out {@code objectness} float32 [1, N]: objectness logits.
 * </ul>
 *
 * <p>Decoding: an instance's class is its best class logit, its score
 * {@code sqrt(sigmoid(class logit) * sigmoid(objectness))}; instances under the score threshold or outside the class
 * filter are dropped, and there is no suppression (SparseInst's one-to-one assignment makes duplicates rare), so
 * {@link InstanceOptions#nms()} is ignored. The best {@link InstanceOptions#maxInstances()} get masks:
 * {@code sigmoid(mask logit) > maskThreshold}, bilinearly upsampled to the frame. The box is the mask's tight box;
 * an instance whose mask is empty in the frame is dropped. Class names: the {@code names} metadata, else COCO-80 for
 * 80 classes, else {@code class_N}.
 *
 * <p>Ownership: the constructor does not own the {@link SharedSession}; {@link #open} acquires one that
 * {@link #close()} releases. Not thread-safe.
 */
public final class SparseInstDecoder extends AbstractSegmenter {

  public static final String INPUT = "images";
  public static final String MASKS = "masks";
  public static final String SCORES = "scores";
  public static final String OBJECTNESS = "objectness";

  private final int inputWidth;
  private final int inputHeight;
  private List<String> labels = List.of();

  /** A decoder on a session the caller keeps owning; the model must follow the contract above. */
  public SparseInstDecoder(SharedSession session, InstanceOptions options) {
    this(session, options, false);
  }

  SparseInstDecoder(SharedSession session, InstanceOptions options, boolean ownsSession) {
    super(session, options, ownsSession);
    Map<String, long[]> shapes = OrtOutputs.checkSignature(session, "SparseInst",
        Map.of(INPUT, 4), Map.of(MASKS, 4, SCORES, 3, OBJECTNESS, 2));
    long[] in = shapes.get(INPUT);
    this.inputHeight = (int) in[2];
    this.inputWidth = (int) in[3];
    long classes = shapes.get(SCORES)[2];
    if (classes > 0) {
      this.labels = ClassNames.of(session.session(), (int) classes);
    }
  }

  /** Class names when the model's class count is fixed (else empty until the first frame). */
  @Override
  public List<String> labels() {
    return labels;
  }

  /** Acquires a shared session for the card and returns a decoder that owns (and on close releases) it. */
  public static SparseInstDecoder open(ModelRegistry registry, ModelCard card, SessionSettings settings,
      InstanceOptions options) {
    SharedSession session = SharedSessions.acquire(registry, card, settings);
    try {
      return new SparseInstDecoder(session, options, true);
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
  }

  @Override
  public List<Instance> segment(RgbImage frame) {
    Letterbox letterbox = inputWidth > 0 && inputHeight > 0
        ? Letterbox.stretch(frame.width(), frame.height(), inputWidth, inputHeight)
        : Letterbox.stretch(frame.width(), frame.height(), frame.width(), frame.height());
    try (OrtSession.Result result = run(INPUT, frame, letterbox, 0f)) {
      OrtOutputs.Floats masks = OrtOutputs.floats(result, MASKS, modelId());
      OrtOutputs.Floats scores = OrtOutputs.floats(result, SCORES, modelId());
      OrtOutputs.Floats objectness = OrtOutputs.floats(result, OBJECTNESS, modelId());
      OrtOutputs.expectShape(modelId(), MASKS, masks.shape(), 1, -1, -1, -1);
      int n = (int) masks.shape()[1];
      OrtOutputs.expectShape(modelId(), SCORES, scores.shape(), 1, n, -1);
      OrtOutputs.expectShape(modelId(), OBJECTNESS, objectness.shape(), 1, n);
      int classes = (int) scores.shape()[2];
      if (labels.size() != classes) {
        labels = ClassNames.of(session.session(), classes);
      }
      return decode(masks.values(), n, (int) masks.shape()[3], (int) masks.shape()[2], scores.values(), classes,
          objectness.values(), letterbox);
    }
  }

  private record Candidate(int index, int classId, float score) {}

  private List<Instance> decode(float[] masks, int n, int maskW, int maskH, float[] classLogits, int classes,
      float[] objectness, Letterbox letterbox) {
    List<Candidate> candidates = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int best = 0;
      for (int c = 1; c < classes; c++) {
        if (classLogits[i * classes + c] > classLogits[i * classes + best]) {
          best = c;
        }
      }
      float score = (float) Math.sqrt(MaskSampler.sigmoid(classLogits[i * classes + best])
          * MaskSampler.sigmoid(objectness[i]));
      if (score >= options.scoreThreshold() && options.keepsClass(best, labels.get(best))) {
        candidates.add(new Candidate(i, best, score));
      }
    }
    candidates.sort(Comparator.comparingDouble((Candidate c) -> -c.score).thenComparingInt(Candidate::index));

    float logitThreshold = MaskSampler.logit(options.maskThreshold());
    List<Instance> instances = new ArrayList<>();
    for (Candidate c : candidates) {
      if (instances.size() == options.maxInstances()) {
        break;
      }
      BinaryMask mask = MaskSampler.sample(masks, c.index * maskW * maskH, maskW, maskH, letterbox, logitThreshold,
          null);
      Box box = mask.boundingBox();
      if (box != null) {
        instances.add(new Instance(c.classId, labels.get(c.classId), c.score, box, mask));
      }
    }
    return instances;
  }

  @Override
  public String toString() {
    return "SparseInstDecoder{" + modelId() + ", input " + (inputWidth > 0 ? inputWidth + "x" + inputHeight
        : "frame size") + ", " + options + "}";
  }
}
