package dev.alphaflow.model.vos;

import dev.alphaflow.model.ModelRegistry;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.SharedSession;
import dev.alphaflow.model.SharedSessions;
import dev.alphaflow.model.flow.FlowField;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.instances.BinaryMask;
import dev.alphaflow.model.instances.Instance;
import dev.alphaflow.model.tensor.HalfTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Training-free semi-supervised video object segmentation: given an object's mask on one frame (a
 * {@link VosPrompt}), finds it on the following frames by matching features, in the style of AFB-URR and RGMP with a
 * fixed feature extractor in place of their trained key encoders.
 *
 * <pre>{@code
 * try (VideoObjectSegmenter segmenter = VideoObjectSegmenter.open(registry, SessionSettings.defaults(),
 *     VosOptions.defaults())) {
 *   VosMemory memory = new VosMemory();                      // one per video (keyed state in Flink)
 *   segmenter.segment(frame0, 0, memory, List.of(VosPrompt.add(1, mask)));
 *   for (long t = 1; ; t++) {
 *     VosResult result = segmenter.segment(frame(t), t, memory, List.of());
 *   }
 * }
 * }</pre>
 *
 * <p>Per frame (the defaults; {@code VosEvaluation} in the test sources measures what each part adds):
 * <ol>
 *   <li><b>Keys</b>: MobileNetV2 feature maps of the frame (strides 8 and 16, the coarser resampled to the stride-8
 *       grid), each normalized per position, concatenated and scaled so that attention logits are
 *       {@code cos / temperature}. Stride 8 alone matches well while the appearance holds but loses a turning,
 *       blurred dancer; stride 16 keeps it.
 *   <li><b>Prompts</b>: ADD of a new id starts a {@link FeatureBank}; ADD of a known id replaces its memory; REMOVE
 *       drops it. A prompted object's output on its frame is its prompt mask.
 *   <li><b>Long-term read</b>: each object's bank is read by softmax attention; values are soft masks, so the read
 *       is label propagation from the prompt frame and the absorbed history (AFB-URR). The bank's own class prior
 *       (mostly background) is divided out of the read ({@link VosOptions#classBalance()}), leaving how much more the
 *       query resembles the object than the background.
 *   <li><b>Prior</b>: the previous frame's mask, blurred, shifts each object's logit (RGMP feeds the previous mask
 *       to its network for the same reason): the object is where it was, and a look-alike elsewhere (another person)
 *       stays background; beyond the blur the prior keeps falling with the distance from the old mask
 *       ({@link VosOptions#priorFalloff()}), so a look-alike across the frame needs more evidence than one nearby.
 *       The previous mask is first moved onto this frame by optical flow ({@link MotionCompensation}: DIS flow,
 *       forward splatting on the grid; {@link VosOptions#flowPrior()}, on by default), so a fast object is still
 *       inside its prior and the falloff counts from where it is now. A short-term
 *       match against the previous frame in a local window ({@link LocalAttention}) is available but off by
 *       default: it propagates its own errors.
 *   <li><b>Aggregation</b>: the estimates go to frame size bilinearly and compete per pixel through
 *       {@link SoftAggregation} with the background; argmax gives the label map, so a pixel has at most one object.
 *   <li><b>Local colour</b>: within {@link VosOptions#colourBand()} pixels of the label boundary, each class's
 *       probability is weighed by how likely the pixel's colour is under that class's colour histogram, sampled
 *       just outside the band in the same neighbourhood ({@link LocalColourModels}, after Video SnapCut): the
 *       upsampled grid is blurred and trails moving objects; the frame's own colours put the boundary back.
 *   <li><b>Refinement</b>: where AFB-URR's {@link UncertaintyMap} is high, the class probabilities are replaced by
 *       their {@link GuidedFilter guided filter} on the frame, which moves boundaries onto image edges.
 *   <li><b>Memory</b>: every {@code memoryEvery} frames (and on prompt frames) each bank absorbs the frame's keys
 *       with the final masks averaged onto the grid: pure cells only (no key that mixes object and background), far
 *       background on a sparse lattice, and the prompt frame's entries kept through eviction. The masks on the grid
 *       become the next frame's {@link FrameMemory}, stored in fp16 and always read back from fp16, so a stream
 *       restored from a checkpoint continues bit for bit.
 * </ol>
 *
 * <p>Ownership: the segmenter owns its feature-extractor session handle and its attention readout; {@link #close()}
 * releases both. Not thread-safe: one segmenter per thread (segmenters share the extractor's session).
 */
public final class VideoObjectSegmenter implements AutoCloseable {

  /** Probability bounds of the previous-mask prior: it shifts a logit by at most ln(49) ~ 3.9 per unit strength. */
  static final float PRIOR_FLOOR = 0.02f;
  private static final float LOGIT_EPSILON = 1e-4f;

  private final SharedSession session;
  private final FeatureExtractor extractor;
  private final VosOptions options;
  private final AttentionReadout readout;
  private final int keyDim;
  private final float keyScale;
  /** Null when the prior is not motion-compensated. */
  private final MotionCompensation motion;
  private boolean closed;

  private VideoObjectSegmenter(SharedSession session, VosOptions options, AttentionReadout readout) {
    this.session = session;
    this.options = options;
    this.extractor = new FeatureExtractor(session, options.layers());
    this.keyDim = options.keyDim();
    this.keyScale = KeyGrid.keyScale(keyDim, options.temperature());
    this.readout = readout;
    this.motion = options.flowPrior() ? new MotionCompensation(options) : null;
  }

  /**
   * Opens the feature extractor of {@code options.featureModel()} through a shared session (its file, sha256 and I/O
   * contract are checked) and returns a segmenter that releases it on close.
   *
   * @throws dev.alphaflow.model.ModelLoadException when the file is missing, differs from the card, or lacks the
   *     feature outputs the options name
   */
  public static VideoObjectSegmenter open(ModelRegistry registry, SessionSettings settings, VosOptions options) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(options, "options");
    return open(registry, settings, options, AttentionReadout.open(options.bank().readoutKernel(), settings));
  }

  /**
   * {@link #open(ModelRegistry, SessionSettings, VosOptions)} with a readout of the caller's instead of the options'
   * kernel (tests use one that fails on demand); the segmenter closes it.
   */
  static VideoObjectSegmenter open(ModelRegistry registry, SessionSettings settings, VosOptions options,
      AttentionReadout readout) {
    Objects.requireNonNull(readout, "readout");
    try {
      SharedSession session = SharedSessions.acquire(registry, options.featureModel(), settings);
      try {
        return new VideoObjectSegmenter(session, options, readout);
      } catch (RuntimeException e) {
        session.close();
        throw e;
      }
    } catch (RuntimeException e) {
      readout.close();
      throw e;
    }
  }

  /** The feature extractor's model id. */
  public String modelId() {
    return session.card().id();
  }

  public VosOptions options() {
    return options;
  }

  /**
   * What is wrong with {@code prompt} for a {@code width x height} frame of a video whose memory is {@code memory},
   * in words; empty when it can be applied.
   */
  public static Optional<String> checkPrompt(VosPrompt prompt, VosMemory memory, int width, int height) {
    Objects.requireNonNull(memory, "memory");
    return check(prompt, memory.objectIds(), width, height);
  }

  private static Optional<String> check(VosPrompt prompt, Set<Integer> tracked, int width, int height) {
    if (prompt == null) {
      return Optional.of("the prompt is null");
    }
    int id = prompt.objectId();
    if (id < 1 || id > VosPrompt.MAX_OBJECT_ID) {
      return Optional.of("object id " + id + " is outside 1.." + VosPrompt.MAX_OBJECT_ID);
    }
    if (prompt.action() == VosPrompt.Action.REMOVE) {
      return tracked.contains(id) ? Optional.empty() : Optional.of("REMOVE of object " + id
          + ", which is not tracked (tracked objects: " + tracked + ")");
    }
    BinaryMask mask = prompt.mask();
    if (mask == null) {
      return Optional.of("ADD of object " + id + " has no mask");
    }
    if (mask.width() != width || mask.height() != height) {
      return Optional.of("the mask of object " + id + " is " + mask.width() + "x" + mask.height()
          + " but the frame is " + width + "x" + height);
    }
    if (mask.isEmpty()) {
      return Optional.of("the mask of object " + id + " is empty");
    }
    return Optional.empty();
  }

  /**
   * Applies {@code prompts} (in order) and segments every tracked object on {@code frame}; then updates
   * {@code memory}: the banks absorb the frame (every {@code memoryEvery} frames and on prompt frames) and the
   * previous-frame memory becomes this frame's. A frame that fails (any exception: an invalid prompt, the model, its
   * features) changes nothing: neither {@code memory} nor its banks, whose usage counts included. The banks run with
   * these options' bank config (budget, thresholds), whatever config they were stored with.
   *
   * @throws IllegalArgumentException when a prompt is invalid ({@link #checkPrompt} says why), or the model gave
   *     features that cannot be stored (not finite)
   * @throws IllegalStateException when {@code memory} was built with options of another key size
   */
  public VosResult segment(RgbImage frame, long frameIndex, VosMemory memory, List<VosPrompt> prompts) {
    return segment(frame, frameIndex, memory, prompts, TrackEvidence.Detections.NONE);
  }

  /**
   * {@link #segment(RgbImage, long, VosMemory, List)} with this frame's instance detections as evidence ("detect, then
   * track", {@link TrackEvidence}): a detection matched to a tracked object's predicted mask informs that object's
   * probability on the uncertain pixels (before the refinement), and an unmatched detection of a start class starts a
   * new object, its mask acting as a prompt on the pixels no other object took. Started objects are reported in
   * {@link VosResult#started()}.
   */
  public VosResult segment(RgbImage frame, long frameIndex, VosMemory memory, List<VosPrompt> prompts,
      TrackEvidence.Detections detections) {
    Objects.requireNonNull(detections, "detections");
    if (closed) {
      throw new IllegalStateException("this VideoObjectSegmenter is closed");
    }
    Objects.requireNonNull(frame, "frame");
    Objects.requireNonNull(memory, "memory");
    Objects.requireNonNull(prompts, "prompts");
    Set<Integer> tracked = checkInputs(frame, frameIndex, memory, prompts);
    int width = frame.width();
    int height = frame.height();
    Map<String, Long> timings = new LinkedHashMap<>();
    long start = System.nanoTime();
    if (tracked.isEmpty() && !detections.canStart()) {
      memory.clear();
      timings.put("total", micros(start));
      return new VosResult(width, height, List.of(), new byte[width * height], timings);
    }

    // Compute first, commit last: every stage before commitMemory works on this frame's own objects and only reads
    // `memory` (usage counts wait in FrameObjects.reads); `memory` and its banks, which on Flink's heap backend are
    // the keyed state itself, change in commitMemory, once nothing on this frame can fail any more.
    FrameKeys keys = keys(frame, memory, timings);
    FrameObjects work = frameObjects(memory, prompts);
    float[][] estimates = read(keys.grid(), work, timings);
    prior(keys, work.predictedIds(), estimates, timings);
    byte[] labels = promptLabels(work.promptMasks(), width * height);
    float[][] classes = aggregate(keys.grid(), work.predictedIds(), estimates, width, height, timings);
    TrackEvidence.Decision decision = null;
    if (!detections.instances().isEmpty()) {
      long t = System.nanoTime();
      decision = TrackEvidence.decide(detections.instances(),
          currentMasks(classes, work.predictedIds(), labels, work.promptMasks(), width, height),
          detections.options());
      classes = supported(classes, work.predictedIds(), decision, detections.options());
      timings.put("evidence", micros(t));
    }
    if (classes != null && options.colourBand() > 0) {
      long t = System.nanoTime();
      classes = LocalColourModels.refine(frame, classes, options.colourBand(), options.colourWeight());
      timings.put("colour", micros(t));
    }
    if (classes != null && options.refine()) {
      long t = System.nanoTime();
      classes = refine(frame, classes);
      timings.put("refine", micros(t));
    }

    long t = System.nanoTime();
    float[] scoreSums = new float[VosPrompt.MAX_OBJECT_ID + 1];
    if (classes != null) {
      label(classes, work.predictedIds(), labels, scoreSums);
    }
    Map<Integer, Float> givenScores = new LinkedHashMap<>();
    work.promptMasks().keySet().forEach(id -> givenScores.put(id, 1f));
    Map<Integer, String> started = decision == null ? Map.of() : start(decision, labels, work.banks(), givenScores);
    List<SegmentedMask> objects = objects(work.banks().keySet(), labels, width, height, scoreSums, givenScores);
    timings.put("labels", micros(t));

    t = System.nanoTime();
    commitMemory(memory, work.banks(), work.reads(), frameIndex, keys.grid(), keys.luma(), labels, width, height,
        givenScores.keySet());
    timings.put("memory", micros(t));
    timings.put("total", micros(start));
    Set<Integer> supported = decision == null ? Set.of() : decision.support().keySet();
    return new VosResult(width, height, objects, labels, timings, started, supported);
  }

  /**
   * The objects tracked once {@code prompts} apply, after checking the prompts and that {@code memory}'s banks fit
   * these options.
   */
  private Set<Integer> checkInputs(RgbImage frame, long frameIndex, VosMemory memory, List<VosPrompt> prompts) {
    Set<Integer> tracked = new TreeSet<>(memory.objectIds());
    for (int i = 0; i < prompts.size(); i++) {
      VosPrompt prompt = prompts.get(i);
      Optional<String> problem = check(prompt, tracked, frame.width(), frame.height());
      if (problem.isPresent()) {
        throw new IllegalArgumentException("prompt " + i + " on frame " + frameIndex + ": " + problem.get());
      }
      if (prompt.action() == VosPrompt.Action.ADD) {
        tracked.add(prompt.objectId());
      } else {
        tracked.remove(prompt.objectId());
      }
    }
    for (Map.Entry<Integer, FeatureBank> e : memory.banks().entrySet()) {
      FeatureBank bank = e.getValue();
      if (bank.keyDim() != keyDim || bank.valueDim() != 1) {
        throw new IllegalStateException("the bank of object " + e.getKey() + " holds keys of size " + bank.keyDim()
            + " and values of size " + bank.valueDim() + ", but these options make keys of size " + keyDim
            + " (layers " + options.layers() + ") and values of size 1: the memory was built with other options; "
            + "clear it");
      }
    }
    return tracked;
  }

  /** This frame's keys on the grid, the previous frame's memory decoded on that grid, and the flow between them. */
  private record FrameKeys(KeyGrid grid, Previous previous, MotionCompensation.Luma luma, FlowField flow) {}

  /** Stage "keys": features, key grid, the previous frame as it matches this grid, and (with the flow prior) flow. */
  private FrameKeys keys(RgbImage frame, VosMemory memory, Map<String, Long> timings) {
    long t = System.nanoTime();
    var maps = extractor.extract(frame, options.inputScale());
    timings.put("features", micros(t));
    t = System.nanoTime();
    KeyGrid grid = KeyGrid.build(maps, options.layers(), options.coarseLayerWeight(), keyScale, frame.width(),
        frame.height(), options.inputScale());
    Previous previous = Previous.decode(memory.previous(), grid);
    timings.put("keys", micros(t));
    MotionCompensation.Luma luma = null;
    FlowField flow = null;
    if (motion != null) {
      t = System.nanoTime();
      luma = motion.luma(frame);
      if (previous != null) {
        flow = motion.gridFlow(previous.luma, luma, grid, frame.width(), frame.height());
      }
      timings.put("flow", micros(t));
    }
    return new FrameKeys(grid, previous, luma, flow);
  }

  /**
   * This frame's own objects: its map of the banks (the memory's, each with this segmenter's bank config so a bank
   * restored from a checkpoint follows the job's current options; prompts replace or remove them), the prompt masks
   * (later prompts for one id win), the ids to predict (tracked, not prompted), and the reads' usage counts, which
   * only {@link #commitMemory} applies.
   */
  private record FrameObjects(SortedMap<Integer, FeatureBank> banks, Map<Integer, BinaryMask> promptMasks,
      int[] predictedIds, Map<Integer, FeatureBank.Read> reads) {}

  private FrameObjects frameObjects(VosMemory memory, List<VosPrompt> prompts) {
    SortedMap<Integer, FeatureBank> banks = new TreeMap<>();
    for (Map.Entry<Integer, FeatureBank> e : memory.banks().entrySet()) {
      banks.put(e.getKey(), e.getValue().withConfig(options.bank()));
    }
    Map<Integer, BinaryMask> promptMasks = new LinkedHashMap<>();
    for (VosPrompt prompt : prompts) {
      int id = prompt.objectId();
      promptMasks.remove(id);
      if (prompt.action() == VosPrompt.Action.REMOVE) {
        banks.remove(id);
      } else {
        banks.put(id, new FeatureBank(keyDim, 1, options.bank()));
        promptMasks.put(id, prompt.mask());
      }
    }
    int[] predictedIds = banks.keySet().stream().filter(id -> !promptMasks.containsKey(id))
        .mapToInt(Integer::intValue).toArray();
    return new FrameObjects(banks, promptMasks, predictedIds, new LinkedHashMap<>());
  }

  /** The label map with the prompt masks painted in (a later prompt wins an overlap); 0 elsewhere. */
  private static byte[] promptLabels(Map<Integer, BinaryMask> promptMasks, int pixels) {
    byte[] labels = new byte[pixels];
    for (Map.Entry<Integer, BinaryMask> e : promptMasks.entrySet()) {
      BinaryMask mask = e.getValue();
      byte id = (byte) (int) e.getKey();
      for (int i = 0; i < labels.length; i++) {
        if (mask.get(i)) {
          labels[i] = id;
        }
      }
    }
    return labels;
  }

  /**
   * Stage "aggregate": the predicted objects' grid estimates at frame size (bilinear), competing per pixel with the
   * background ({@link SoftAggregation}); null when no object is predicted.
   */
  private static float[][] aggregate(KeyGrid grid, int[] predictedIds, float[][] estimates, int width, int height,
      Map<String, Long> timings) {
    if (predictedIds.length == 0) {
      return null;
    }
    long t = System.nanoTime();
    Resampling.Axis xs = Resampling.Axis.linear(width, grid.fx(), grid.width());
    Resampling.Axis ys = Resampling.Axis.linear(height, grid.fy(), grid.height());
    float[][] full = new float[predictedIds.length][width * height];
    for (int m = 0; m < predictedIds.length; m++) {
      Resampling.resample(estimates[m], 0, grid.width(), xs, ys, full[m], 0);
    }
    float[][] classes = SoftAggregation.aggregate(predictedIds, full).classes();
    timings.put("aggregate", micros(t));
    return classes;
  }

  /** Stage "evidence", second half: the detections matched to tracked objects inform them ({@link #fuse}). */
  private float[][] supported(float[][] classes, int[] predictedIds, TrackEvidence.Decision decision,
      TrackEvidence.Options evidence) {
    if (classes == null || decision.support().isEmpty() || evidence.supportWeight() <= 0) {
      return classes;
    }
    return fuse(classes, predictedIds, decision.support(), evidence.supportWeight());
  }

  /**
   * Objects started by unmatched detections: their masks act as prompts on the pixels no other object took; each
   * gets a new bank in this frame's map and its detection's score. Returns their labels by id.
   */
  private Map<Integer, String> start(TrackEvidence.Decision decision, byte[] labels,
      SortedMap<Integer, FeatureBank> banks, Map<Integer, Float> givenScores) {
    Map<Integer, String> started = new LinkedHashMap<>();
    for (Map.Entry<Integer, Instance> e : decision.started().entrySet()) {
      int id = e.getKey();
      BinaryMask mask = e.getValue().mask();
      for (int i = 0; i < labels.length; i++) {
        if (labels[i] == 0 && mask.get(i)) {
          labels[i] = (byte) id;
        }
      }
      banks.put(id, new FeatureBank(keyDim, 1, options.bank()));
      givenScores.put(id, e.getValue().score());
      started.put(id, e.getValue().label());
    }
    return started;
  }

  /** Each object's mask on this frame before the evidence: prompted masks as given, predicted ones by argmax. */
  private static Map<Integer, BinaryMask> currentMasks(float[][] classes, int[] predictedIds, byte[] promptLabels,
      Map<Integer, BinaryMask> promptMasks, int width, int height) {
    Map<Integer, BinaryMask> masks = new LinkedHashMap<>(promptMasks);
    if (classes != null) {
      byte[] preliminary = promptLabels.clone();
      label(classes, predictedIds, preliminary, new float[VosPrompt.MAX_OBJECT_ID + 1]);
      BinaryMask.Builder[] builders = new BinaryMask.Builder[predictedIds.length];
      int[] slotOf = new int[VosPrompt.MAX_OBJECT_ID + 1];
      for (int m = 0; m < predictedIds.length; m++) {
        builders[m] = BinaryMask.builder(width, height);
        slotOf[predictedIds[m]] = m + 1;
      }
      for (int i = 0; i < preliminary.length; i++) {
        int slot = slotOf[preliminary[i] & 0xff];
        if (slot > 0) {
          builders[slot - 1].set(i);
        }
      }
      for (int m = 0; m < predictedIds.length; m++) {
        masks.put(predictedIds[m], builders[m].build());
      }
    }
    return masks;
  }

  /**
   * Lets each supporting detection inform its object on the uncertain pixels: {@code p = (1 - w) p + w * mask}, the
   * other classes rescaled so the pixel's probabilities still sum to one. Confident pixels keep the bank's answer: a
   * detection box's coarse mask is worse than the bank where the bank is sure.
   */
  private float[][] fuse(float[][] classes, int[] ids, SortedMap<Integer, Instance> support, float weight) {
    int[] uncertain = UncertaintyMap.above(UncertaintyMap.compute(classes), options.uncertaintyThreshold());
    float[][] fused = new float[classes.length][];
    for (int c = 0; c < classes.length; c++) {
      fused[c] = classes[c].clone();
    }
    for (int m = 0; m < ids.length; m++) {
      Instance detection = support.get(ids[m]);
      if (detection == null) {
        continue;
      }
      BinaryMask mask = detection.mask();
      float[] target = fused[m + 1];
      for (int i : uncertain) {
        float p = target[i];
        float q = (1 - weight) * p + (mask.get(i) ? weight : 0f);
        float rest = 1 - p;
        float scale = rest > 1e-6f ? (1 - q) / rest : 0f;
        for (int c = 0; c < fused.length; c++) {
          if (c != m + 1) {
            fused[c][i] *= scale;
          }
        }
        if (rest <= 1e-6f && q < 1) {
          fused[0][i] = 1 - q; // the object had it all: what it gives up goes to the background
        }
        target[i] = q;
      }
    }
    return fused;
  }

  /**
   * Stage "read": each predicted object's foreground estimate on the key grid, read from its bank by attention with
   * the bank's class prior divided out. The reads' usage counts go to {@code work.reads()}, not yet to the banks.
   */
  private float[][] read(KeyGrid grid, FrameObjects work, Map<String, Long> timings) {
    int n = grid.positions();
    int[] predictedIds = work.predictedIds();
    float[][] estimates = new float[predictedIds.length][];
    long t = System.nanoTime();
    for (int m = 0; m < predictedIds.length; m++) {
      FeatureBank bank = work.banks().get(predictedIds[m]);
      FeatureBank.Read read = bank.readWithoutCounting(readout, grid.keys(), n);
      work.reads().put(predictedIds[m], read);
      float[] e = read.values();
      for (int i = 0; i < n; i++) {
        e[i] = Math.min(1f, Math.max(0f, e[i])); // a weighted mean of [0, 1] values, up to rounding
      }
      if (options.classBalance() > 0 && !bank.isEmpty()) {
        balance(e, bank, options.classBalance());
      }
      estimates[m] = e;
    }
    timings.put("readout", micros(t));
    return estimates;
  }

  /**
   * Stage "prior", in place on {@code estimates}: each object's previous mask (moved by the flow when there is one)
   * blends in the optional short-term local match and then shifts the estimate's logit ({@link #applyPrior}).
   * Objects without a previous mask (new, or the previous frame was on another grid) keep their read.
   */
  private void prior(FrameKeys keys, int[] predictedIds, float[][] estimates, Map<String, Long> timings) {
    Previous previous = keys.previous();
    int objects = predictedIds.length;
    if (previous == null || objects == 0) {
      return;
    }
    KeyGrid grid = keys.grid();
    int n = grid.positions();
    float[][] previousMasks = new float[objects][];
    int withPrevious = 0;
    for (int m = 0; m < objects; m++) {
      previousMasks[m] = previous.mask(predictedIds[m]);
      if (previousMasks[m] != null) {
        withPrevious++;
        if (keys.flow() != null) {
          previousMasks[m] = MotionCompensation.move(previousMasks[m], keys.flow());
        }
      }
    }
    if (withPrevious == 0) {
      return;
    }
    if (options.localRadius() > 0 && options.localWeight() > 0 && previous.keys != null) {
      long t = System.nanoTime();
      float[][] present = new float[withPrevious][];
      for (int m = 0, k = 0; m < objects; m++) {
        if (previousMasks[m] != null) {
          present[k++] = previousMasks[m];
        }
      }
      float logitScale = 1f / (keyScale * keyScale * options.localTemperature());
      float[][] local = LocalAttention.read(grid.keys(), previous.keys, grid.width(), grid.height(), keyDim,
          options.localRadius(), logitScale, present);
      float w = options.localWeight();
      for (int m = 0, k = 0; m < objects; m++) {
        if (previousMasks[m] == null) {
          continue;
        }
        float[] e = estimates[m];
        float[] l = local[k++];
        for (int i = 0; i < n; i++) {
          e[i] = (1 - w) * e[i] + w * l[i];
        }
      }
      timings.put("local", micros(t));
    }
    if (options.priorStrength() > 0) {
      long t = System.nanoTime();
      for (int m = 0; m < objects; m++) {
        if (previousMasks[m] != null) {
          applyPrior(estimates[m], previousMasks[m], grid.width(), grid.height());
        }
      }
      timings.put("prior", micros(t));
    }
  }

  /**
   * {@code logit(p) += strength * logit(prior)}, prior = the previous mask dilated and box-blurred, its logit lowered
   * further by {@link VosOptions#priorFalloff()} per cell beyond the dilation and the blur.
   */
  private void applyPrior(float[] estimate, float[] previousMask, int gw, int gh) {
    int r = options.priorRadius();
    float[] prior = GridFilters.boxMean(GridFilters.dilate(previousMask, gw, gh, options.priorDilation()), gw, gh, r);
    float strength = options.priorStrength();
    float falloff = options.priorFalloff();
    int reach = options.priorDilation() + r;
    int[] distance = falloff > 0 ? GridFilters.distanceTo(previousMask, gw, gh, 0.5f) : null;
    for (int i = 0; i < estimate.length; i++) {
      float p = Math.min(Math.max(estimate[i], LOGIT_EPSILON), 1 - LOGIT_EPSILON);
      float q = Math.min(Math.max(prior[i], PRIOR_FLOOR), 1 - PRIOR_FLOOR);
      double priorLogit = Math.log(q / (1 - q));
      if (distance != null && distance[i] > reach && distance[i] != Integer.MAX_VALUE) {
        priorLogit -= falloff * (distance[i] - reach);
      }
      double logit = Math.log(p / (1 - p)) + strength * priorLogit;
      estimate[i] = (float) (1 / (1 + Math.exp(-logit)));
    }
  }

  /**
   * Replaces the class probabilities of uncertain pixels by their guided filter on the frame. The filter runs on the
   * uncertain pixels' bounding box grown by two filter radii (what each filtered pixel depends on), not the frame.
   */
  private float[][] refine(RgbImage frame, float[][] classes) {
    float[] uncertainty = UncertaintyMap.compute(classes);
    int[] uncertain = UncertaintyMap.above(uncertainty, options.uncertaintyThreshold());
    if (uncertain.length == 0) {
      return classes;
    }
    int width = frame.width();
    int minX = width;
    int maxX = -1;
    for (int i : uncertain) {
      int x = i % width;
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
    }
    int reach = 2 * options.refineRadius();
    int x0 = Math.max(0, minX - reach);
    int x1 = Math.min(width, maxX + 1 + reach);
    int y0 = Math.max(0, uncertain[0] / width - reach); // ascending indices: first and last rows
    int y1 = Math.min(frame.height(), uncertain[uncertain.length - 1] / width + 1 + reach);
    int regionWidth = x1 - x0;
    GuidedFilter filter = new GuidedFilter(frame, x0, y0, regionWidth, y1 - y0, options.refineRadius(),
        options.refineEpsilon());
    // The filter is linear and keeps constants, and the classes sum to 1: the background's filtered map is 1 minus
    // the objects', which saves one filter pass (half the stage with one object).
    float[][] refined = new float[classes.length][];
    refined[0] = classes[0].clone();
    for (int i : uncertain) {
      refined[0][i] = 1f;
    }
    for (int c = 1; c < classes.length; c++) {
      float[] filtered = filter.filter(classes[c]);
      float[] out = classes[c].clone();
      for (int i : uncertain) {
        float v = filtered[(i / width - y0) * regionWidth + i % width - x0];
        out[i] = v;
        refined[0][i] -= v;
      }
      refined[c] = out;
    }
    return refined;
  }

  /**
   * Argmax over background + objects on the pixels no prompt took (label 0 so far); sums each object's probability
   * over its pixels into {@code scoreSums}.
   */
  private static void label(float[][] classes, int[] ids, byte[] labels, float[] scoreSums) {
    int pixels = labels.length;
    for (int i = 0; i < pixels; i++) {
      if (labels[i] != 0) {
        continue;
      }
      int best = LocalColourModels.bestClass(classes, i);
      if (best > 0) {
        int id = ids[best - 1];
        labels[i] = (byte) id;
        scoreSums[id] += Math.min(1f, Math.max(0f, classes[best][i]));
      }
    }
  }

  private static List<SegmentedMask> objects(Set<Integer> ids, byte[] labels, int width, int height,
      float[] scoreSums, Map<Integer, Float> givenScores) {
    BinaryMask.Builder[] builders = new BinaryMask.Builder[VosPrompt.MAX_OBJECT_ID + 1];
    long[] areas = new long[VosPrompt.MAX_OBJECT_ID + 1];
    for (int id : ids) {
      builders[id] = BinaryMask.builder(width, height);
    }
    for (int i = 0; i < labels.length; i++) {
      int id = labels[i] & 0xff;
      if (id != 0) {
        builders[id].set(i);
        areas[id]++;
      }
    }
    List<SegmentedMask> objects = new ArrayList<>(ids.size());
    for (int id : ids) {
      float score;
      if (areas[id] == 0) {
        score = 0f;
      } else if (givenScores.containsKey(id)) {
        score = givenScores.get(id); // prompted (1) or started by a detection (its score)
      } else {
        score = scoreSums[id] / areas[id];
      }
      objects.add(new SegmentedMask(id, score, builders[id].build()));
    }
    return objects;
  }

  /**
   * The frame's changes to the memory, all at the end: the reads' usage counts, the banks' absorption (on cadence or
   * prompt), the frame's banks replacing the memory's, and the previous-frame memory becoming this frame's. What can
   * fail (features that cannot be stored) is checked before the first change.
   */
  private void commitMemory(VosMemory memory, SortedMap<Integer, FeatureBank> banks,
      Map<Integer, FeatureBank.Read> reads, long frameIndex, KeyGrid grid, MotionCompensation.Luma luma,
      byte[] labels, int width, int height, Set<Integer> newObjects) {
    int objects = banks.size();
    int n = grid.positions();
    boolean onCadence = Math.floorMod(frameIndex, (long) options.memoryEvery()) == 0;
    float[] ids = new float[objects];
    float[] masks = new float[objects * n];
    float[] plane = new float[width * height];
    Map<FeatureBank, Absorption> absorptions = new LinkedHashMap<>();
    int m = 0;
    for (Map.Entry<Integer, FeatureBank> e : banks.entrySet()) {
      int id = e.getKey();
      for (int i = 0; i < plane.length; i++) {
        plane[i] = (labels[i] & 0xff) == id ? 1f : 0f;
      }
      float[] gridMask = Resampling.average(plane, width, height, grid.width(), grid.height(), grid.fx(), grid.fy());
      if (onCadence || newObjects.contains(id)) {
        absorptions.put(e.getValue(), absorption(grid, gridMask));
      }
      System.arraycopy(gridMask, 0, masks, m * n, n);
      ids[m++] = id;
    }
    // the keys only matter to the previous-frame match; without it they would be 2 bytes x dim per cell of state
    boolean keepKeys = options.localRadius() > 0;
    List<HalfTensor> tensors = new ArrayList<>(List.of(
        HalfTensor.fromFloats(new long[] {grid.height(), grid.width(), keepKeys ? grid.dim() : 0},
            keepKeys ? grid.keys() : new float[0]),
        HalfTensor.fromFloats(new long[] {objects, grid.height(), grid.width()}, masks),
        HalfTensor.fromFloats(new long[] {objects}, ids)));
    if (luma != null) {
      tensors.add(MotionCompensation.lumaTensor(luma)); // the next frame's flow starts from it
    }
    FrameMemory next = new FrameMemory(frameIndex, tensors);

    // nothing below fails: the bank and dimensions were checked on entry, the features here
    for (Map.Entry<Integer, FeatureBank.Read> e : reads.entrySet()) {
      banks.get(e.getKey()).countUses(e.getValue());
    }
    for (Map.Entry<FeatureBank, Absorption> e : absorptions.entrySet()) {
      Absorption a = e.getValue();
      e.getKey().absorb(frameIndex, a.keys(), a.values(), a.count(), options.keepPromptFrame());
    }
    memory.banks().clear();
    memory.banks().putAll(banks);
    memory.setPrevious(next);
  }

  /** The features one bank absorbs from a frame, checked so that absorbing them cannot fail. */
  private record Absorption(float[] keys, float[] values, int count) {}

  /**
   * Divides the bank's class prior out of its read: {@code logit(p) -= balance * logit(pi)}, pi = the bank's mean
   * value (its share of object).
   */
  private static void balance(float[] estimate, FeatureBank bank, float balance) {
    float[] values = bank.values();
    double sum = 0;
    for (float v : values) {
      sum += v;
    }
    double pi = Math.min(Math.max(sum / values.length, 1e-3), 1 - 1e-3);
    double shift = -balance * Math.log(pi / (1 - pi));
    for (int i = 0; i < estimate.length; i++) {
      float p = Math.min(Math.max(estimate[i], LOGIT_EPSILON), 1 - LOGIT_EPSILON);
      estimate[i] = (float) (1 / (1 + Math.exp(-(Math.log(p / (1 - p)) + shift))));
    }
  }

  /**
   * The cells a bank absorbs: those whose mask value is within {@code absorbMargin} of 0 or 1, the background far from
   * the object only on every {@code backgroundStride}-th row and column.
   *
   * @throws IllegalArgumentException when a key cannot be stored (not finite: the model failed on this frame)
   */
  private Absorption absorption(KeyGrid grid, float[] gridMask) {
    int n = grid.positions();
    int gw = grid.width();
    int stride = options.backgroundStride();
    float margin = options.absorbMargin();
    float[] near = stride > 1 ? GridFilters.dilate(gridMask, gw, grid.height(), options.boundaryBand()) : null;
    int dim = grid.dim();
    float[] keys = new float[n * dim];
    float[] values = new float[n];
    int count = 0;
    for (int i = 0; i < n; i++) {
      if (Math.min(gridMask[i], 1 - gridMask[i]) > margin) {
        continue;
      }
      if (near != null && near[i] == 0f && ((i % gw) % stride != 0 || (i / gw) % stride != 0)) {
        continue;
      }
      System.arraycopy(grid.keys(), i * dim, keys, count * dim, dim);
      values[count++] = gridMask[i];
    }
    FeatureBank.checkFeatures("newKeys", keys, count, dim);
    FeatureBank.checkFeatures("newValues", values, count, 1);
    return new Absorption(keys, values, count);
  }

  private static long micros(long startNanos) {
    return (System.nanoTime() - startNanos) / 1000;
  }

  /** Releases the feature extractor's session handle and the readout's native sessions. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      readout.close();
      if (motion != null) {
        motion.close();
      }
    } finally {
      session.close();
    }
  }

  @Override
  public String toString() {
    return "VideoObjectSegmenter{" + modelId() + ", " + options + (closed ? ", closed" : "") + "}";
  }

  /**
   * The previous frame's memory as this segmenter wrote it: keys {@code [gh, gw, dim]} ({@code [gh, gw, 0]} when
   * the previous-frame match is off), masks {@code [objects, gh, gw]}, object ids {@code [objects]} (exact in fp16
   * up to 2048) and, with the flow prior, the frame's shrunk luma {@code [fh, fw]}; all read back from fp16.
   */
  static final class Previous {
    /** Null when the frame was segmented without the previous-frame match. */
    final float[] keys;
    final float[][] masks;
    final int[] ids;
    /** The previous frame's shrunk luma; null when it was segmented without the flow prior. */
    final MotionCompensation.Luma luma;

    private Previous(float[] keys, float[][] masks, int[] ids, MotionCompensation.Luma luma) {
      this.keys = keys;
      this.masks = masks;
      this.ids = ids;
      this.luma = luma;
    }

    /** The memory if it was written on this grid with these key sizes; else null (it cannot be matched). */
    static Previous decode(FrameMemory memory, KeyGrid grid) {
      if (memory == null || memory.tensors().size() < 3 || memory.tensors().size() > 4) {
        return null;
      }
      HalfTensor keys = memory.tensors().get(0);
      HalfTensor masks = memory.tensors().get(1);
      HalfTensor ids = memory.tensors().get(2);
      if (keys.rank() != 3 || keys.dim(0) != grid.height() || keys.dim(1) != grid.width()
          || (keys.dim(2) != grid.dim() && keys.dim(2) != 0)
          || masks.rank() != 3 || masks.dim(1) != grid.height() || masks.dim(2) != grid.width()
          || ids.rank() != 1 || ids.dim(0) != masks.dim(0)) {
        return null;
      }
      int objects = (int) ids.dim(0);
      int n = grid.positions();
      float[] all = masks.toFloats();
      float[][] perObject = new float[objects][];
      int[] idArray = new int[objects];
      for (int m = 0; m < objects; m++) {
        perObject[m] = Arrays.copyOfRange(all, m * n, (m + 1) * n);
        idArray[m] = Math.round(ids.floatAt(m));
      }
      MotionCompensation.Luma luma = memory.tensors().size() == 4
          ? MotionCompensation.lumaOf(memory.tensors().get(3)) : null;
      return new Previous(keys.dim(2) == 0 ? null : keys.toFloats(), perObject, idArray, luma);
    }

    float[] mask(int id) {
      for (int m = 0; m < ids.length; m++) {
        if (ids[m] == id) {
          return masks[m];
        }
      }
      return null;
    }
  }
}
