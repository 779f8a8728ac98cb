package dev.alphaflow.model.instances;

import dev.alphaflow.model.ModelCard;
import dev.alphaflow.model.ModelLoadException;
import dev.alphaflow.model.ModelRegistry;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.SharedSession;
import dev.alphaflow.model.SharedSessions;
import dev.alphaflow.model.TensorSpec;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Picks the decoder for a model from its outputs: the card's listed outputs, else the model file's own.
 *
 * <pre>{@code
 * try (InstanceSegmenter segmenter = InstanceSegmenters.open(registry, ModelCards.YOLOV8N_SEG,
 *     SessionSettings.defaults(), InstanceOptions.defaults())) {
 *   List<Instance> instances = segmenter.segment(frame);
 * }
 * }</pre>
 */
public final class InstanceSegmenters {

  private InstanceSegmenters() {}

  /** The instance-segmentation export contracts this module decodes. */
  public enum Kind {
    /** {@link YoloSegDecoder}: outputs {@code output0}, {@code output1}. */
    YOLO_SEG(Set.of(YoloSegDecoder.DETECTIONS, YoloSegDecoder.PROTOTYPES)),
    /** {@link SparseInstDecoder}: outputs {@code masks}, {@code scores}, {@code objectness}. */
    SPARSEINST(Set.of(SparseInstDecoder.MASKS, SparseInstDecoder.SCORES, SparseInstDecoder.OBJECTNESS)),
    /** {@link CondInstDecoder}: outputs {@code params}, {@code mask_feats}, {@code locations}, ... */
    CONDINST(Set.of(CondInstDecoder.PARAMS, CondInstDecoder.MASK_FEATS, CondInstDecoder.LOCATIONS,
        CondInstDecoder.SCORES, CondInstDecoder.CLASSES, CondInstDecoder.BOXES));

    private final Set<String> outputs;

    Kind(Set<String> outputs) {
      this.outputs = outputs;
    }

    /** The output names that identify this contract. */
    public Set<String> outputs() {
      return outputs;
    }
  }

  /** The contract whose outputs these are; fails naming every contract when none fits. */
  public static Kind kindOf(String modelId, Collection<String> outputNames) {
    for (Kind kind : List.of(Kind.CONDINST, Kind.SPARSEINST, Kind.YOLO_SEG)) {
      if (outputNames.containsAll(kind.outputs())) {
        return kind;
      }
    }
    StringBuilder known = new StringBuilder();
    for (Kind kind : Kind.values()) {
      known.append(known.length() == 0 ? "" : "; ").append(kind).append(" needs ").append(kind.outputs());
    }
    throw new ModelLoadException("model " + modelId + " is no instance-segmentation model this module knows: its "
        + "outputs are " + outputNames + " (" + known + ")");
  }

  /** A decoder on a session the caller keeps owning, chosen by the card's outputs (else the model's). */
  public static InstanceSegmenter create(SharedSession session, InstanceOptions options) {
    return create(session, options, false);
  }

  /** Acquires a shared session for the card and returns the decoder for it, which releases the session on close. */
  public static InstanceSegmenter open(ModelRegistry registry, ModelCard card, SessionSettings settings,
      InstanceOptions options) {
    SharedSession session = SharedSessions.acquire(registry, card, settings);
    try {
      return create(session, options, true);
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
  }

  private static InstanceSegmenter create(SharedSession session, InstanceOptions options, boolean owns) {
    ModelCard card = session.card();
    Collection<String> outputs = card.outputs().isEmpty()
        ? session.session().getOutputNames()
        : card.outputs().stream().map(TensorSpec::name).toList();
    return switch (kindOf(card.id(), outputs)) {
      case YOLO_SEG -> new YoloSegDecoder(session, options, owns);
      case SPARSEINST -> new SparseInstDecoder(session, options, owns);
      case CONDINST -> new CondInstDecoder(session, options, CondInstDecoder.DEFAULT_RELATIVE_COORD_SCALE, owns);
    };
  }
}
