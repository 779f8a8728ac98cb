package dev.alphaflow.operators.instances;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;

import dev.alphaflow.model.ModelCard;
import dev.alphaflow.model.ModelCards;
import dev.alphaflow.model.ModelRegistry;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.instances.InstanceOptions;
import dev.alphaflow.model.instances.InstanceSegmenter;
import dev.alphaflow.model.instances.InstanceSegmenters;
import dev.alphaflow.model.instances.NmsKind;
import dev.alphaflow.operators.decode.DecodeLimits;

/**
 * What {@link InstancesFunction} runs: the instance-segmentation model (a card and the folder holding its file), how
 * its session is opened, and which instances are kept. Serializable, so it travels in the job graph; the model is
 * only opened on the task managers, where {@link #openSegmenter()} also checks the class filter against the model's
 * class names.
 *
 * <pre>{@code
 * InstancesSpec spec = InstancesSpec.builder()
 *     .modelDir("/models")                          // holds yolov8n-seg/yolov8n-seg_int8.onnx
 *     .card(ModelCards.YOLOV8N_SEG)                 // the default
 *     .instanceOptions(InstanceOptions.builder().scoreThreshold(0.4f).build())
 *     .classes(List.of("person", "sports ball"))    // names or ids; empty keeps every class
 *     .build();
 * }</pre>
 *
 * <p>The {@code alphaflow.instances.*} options below configure it from a Flink configuration
 * ({@link #fromConfig}).
 */
public final class InstancesSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final ConfigOption<String> MODEL_ID = ConfigOptions.key("alphaflow.instances.model-id")
            .stringType().defaultValue(ModelCards.YOLOV8N_SEG.id())
            .withDescription("Model card id of the instance-segmentation model (its decoder is chosen by the card's outputs).");

    public static final ConfigOption<String> CLASSES = ConfigOptions.key("alphaflow.instances.classes")
            .stringType().defaultValue("")
            .withDescription("Classes to keep, comma-separated names (case-insensitive, e.g. 'person,sports ball') or "
                    + "class ids; empty keeps every class. Checked against the model's class names at start.");

    public static final ConfigOption<Float> SCORE_THRESHOLD = ConfigOptions.key("alphaflow.instances.score-threshold")
            .floatType().defaultValue(0.25f)
            .withDescription("Minimum instance score in [0, 1).");

    public static final ConfigOption<String> NMS = ConfigOptions.key("alphaflow.instances.nms")
            .stringType().defaultValue("nms")
            .withDescription("Duplicate suppression: 'nms' (class-aware NMS on boxes) or 'matrix' (SOLOv2 matrix NMS on masks).");

    public static final ConfigOption<Float> IOU_THRESHOLD = ConfigOptions.key("alphaflow.instances.iou-threshold")
            .floatType().defaultValue(0.7f)
            .withDescription("Class-aware NMS: a box overlapping a better one of its class by more than this IoU is dropped.");

    public static final ConfigOption<Integer> MAX_INSTANCES = ConfigOptions.key("alphaflow.instances.max-instances")
            .intType().defaultValue(100)
            .withDescription("At most this many instances per frame, the best-scored ones.");

    /** Dead letters keep at most this much of the frame by default (as {@code alphaflow.decode.max-dead-letter-payload}). */
    public static final int DEFAULT_MAX_DEAD_LETTER_PAYLOAD_BYTES = 1 << 20;

    private final String modelDir;
    private final ModelCard card;
    private final SessionSettings sessionSettings;
    private final InstanceOptions instanceOptions;
    private final int maxDeadLetterPayloadBytes;

    private InstancesSpec(Builder b) {
        this.modelDir = b.modelDir;
        this.card = b.card;
        this.sessionSettings = b.sessionSettings;
        this.instanceOptions = b.classes == null
                ? b.instanceOptions
                : withClasses(b.instanceOptions, b.classes);
        this.maxDeadLetterPayloadBytes = b.maxDeadLetterPayloadBytes;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A spec from the {@code alphaflow.instances.*} options (the card from {@link #MODEL_ID} among the built-in
     * cards) and {@code alphaflow.decode.max-dead-letter-payload}; model folder and session settings come from the
     * caller, as the matting job's.
     */
    public static InstancesSpec fromConfig(ReadableConfig config, String modelDir, SessionSettings sessionSettings) {
        InstanceOptions options = InstanceOptions.builder()
                .scoreThreshold(config.get(SCORE_THRESHOLD))
                .nms(parseNms(config.get(NMS)))
                .iouThreshold(config.get(IOU_THRESHOLD))
                .maxInstances(config.get(MAX_INSTANCES))
                .maxCandidates(Math.max(300, config.get(MAX_INSTANCES)))
                .build();
        return builder()
                .modelDir(modelDir)
                .card(ModelCards.byId(config.get(MODEL_ID)))
                .sessionSettings(sessionSettings)
                .instanceOptions(options)
                .classes(parseClasses(config.get(CLASSES)))
                .maxDeadLetterPayloadBytes(DecodeLimits.fromConfig(config).maxDeadLetterPayloadBytes())
                .build();
    }

    /** {@code nms} / {@code matrix} (or the {@link NmsKind} names), case-insensitive. */
    public static NmsKind parseNms(String value) {
        String v = Objects.requireNonNull(value, "nms").trim().toLowerCase(Locale.ROOT).replace('-', '_');
        return switch (v) {
            case "nms", "class_aware_nms", "class_aware" -> NmsKind.CLASS_AWARE_NMS;
            case "matrix", "matrix_nms" -> NmsKind.MATRIX_NMS;
            default -> throw new IllegalArgumentException(NMS.key() + " must be 'nms' (class-aware NMS) or 'matrix' "
                    + "(matrix NMS), got '" + value + "'");
        };
    }

    /** Splits a class list on commas (or semicolons); blank entries are ignored. */
    public static List<String> parseClasses(String value) {
        List<String> classes = new ArrayList<>();
        if (value == null) {
            return classes;
        }
        for (String token : value.split("[,;]")) {
            if (!token.isBlank()) {
                classes.add(token.trim());
            }
        }
        return classes;
    }

    /** The options with their class filter replaced by these names and ids (an all-digit entry is an id). */
    static InstanceOptions withClasses(InstanceOptions options, List<String> classes) {
        Set<Integer> ids = new TreeSet<>();
        Set<String> names = new LinkedHashSet<>();
        for (String c : classes) {
            String token = Objects.requireNonNull(c, "classes holds null").trim();
            if (token.isEmpty()) {
                continue;
            }
            if (token.chars().allMatch(Character::isDigit)) {
                try {
                    ids.add(Integer.parseInt(token));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(CLASSES.key() + ": class id " + token + " is out of range");
                }
            } else {
                names.add(token);
            }
        }
        return options.toBuilder().classIds(ids).classNames(names).build();
    }

    /**
     * Checks that every class the options keep exists in the model: each name (case-insensitive) among
     * {@code labels}, each id below their count. An empty {@code labels} (a model that names its classes only when it
     * runs) checks nothing.
     *
     * @throws IllegalArgumentException naming every unknown class and the model's classes
     */
    public static void checkClasses(InstanceOptions options, List<String> labels, String modelId) {
        if (labels.isEmpty()) {
            return;
        }
        Set<String> known = new LinkedHashSet<>();
        for (String label : labels) {
            known.add(label.trim().toLowerCase(Locale.ROOT));
        }
        List<String> unknown = new ArrayList<>();
        for (String name : new TreeSet<>(options.classNames())) {
            if (!known.contains(name)) {
                unknown.add("'" + name + "'");
            }
        }
        for (int id : new TreeSet<>(options.classIds())) {
            if (id >= labels.size()) {
                unknown.add("id " + id);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(CLASSES.key() + ": unknown class" + (unknown.size() > 1 ? "es " : " ")
                    + String.join(", ", unknown) + " for model " + modelId + "; its " + labels.size()
                    + " classes (ids 0.." + (labels.size() - 1) + ") are: " + String.join(", ", labels));
        }
    }

    /** The folder the card's relative path is resolved against, on the task managers. */
    public String modelDir() {
        return modelDir;
    }

    public ModelCard card() {
        return card;
    }

    public SessionSettings sessionSettings() {
        return sessionSettings;
    }

    /** Score threshold, class filter, suppression and instance count. */
    public InstanceOptions instanceOptions() {
        return instanceOptions;
    }

    /** How much of a frame an INFERENCE_FAILED dead letter keeps. */
    public int maxDeadLetterPayloadBytes() {
        return maxDeadLetterPayloadBytes;
    }

    /**
     * Opens the model: a segmenter that holds this JVM's shared session for the card and releases it on close.
     *
     * @throws IllegalArgumentException when the class filter names a class the model does not have
     */
    public InstanceSegmenter openSegmenter() {
        InstanceSegmenter segmenter = InstanceSegmenters.open(new ModelRegistry(Path.of(modelDir)), card,
                sessionSettings, instanceOptions);
        try {
            checkClasses(instanceOptions, segmenter.labels(), card.id());
            return segmenter;
        } catch (RuntimeException e) {
            segmenter.close();
            throw e;
        }
    }

    /** Opens and closes the model once: fails now, on the client, for what would fail every task at start. */
    public void check() {
        openSegmenter().close();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InstancesSpec other
                && modelDir.equals(other.modelDir)
                && card.equals(other.card)
                && sessionSettings.equals(other.sessionSettings)
                && instanceOptions.equals(other.instanceOptions)
                && maxDeadLetterPayloadBytes == other.maxDeadLetterPayloadBytes;
    }

    @Override
    public int hashCode() {
        return Objects.hash(modelDir, card, sessionSettings, instanceOptions, maxDeadLetterPayloadBytes);
    }

    @Override
    public String toString() {
        return "InstancesSpec{model=" + card.id() + " in " + modelDir + ", " + sessionSettings + ", " + instanceOptions
                + "}";
    }

    /** Builder for {@link InstancesSpec}; only the model directory is required. */
    public static final class Builder {
        private String modelDir;
        private ModelCard card = ModelCards.YOLOV8N_SEG;
        private SessionSettings sessionSettings = SessionSettings.defaults();
        private InstanceOptions instanceOptions = InstanceOptions.defaults();
        private List<String> classes;
        private int maxDeadLetterPayloadBytes = DEFAULT_MAX_DEAD_LETTER_PAYLOAD_BYTES;

        private Builder() {}

        /** The folder that holds the card's file (for the built-in card: {@code yolov8n-seg/yolov8n-seg_int8.onnx}). */
        public Builder modelDir(String modelDir) {
            this.modelDir = Objects.requireNonNull(modelDir, "modelDir");
            return this;
        }

        public Builder modelDir(Path modelDir) {
            return modelDir(Objects.requireNonNull(modelDir, "modelDir").toAbsolutePath().toString());
        }

        /** The model; default {@link ModelCards#YOLOV8N_SEG}. Any YOLO-seg, SparseInst or CondInst export works. */
        public Builder card(ModelCard card) {
            this.card = Objects.requireNonNull(card, "card");
            return this;
        }

        /** Threads, optimization level, execution provider; default {@link SessionSettings#defaults()}. */
        public Builder sessionSettings(SessionSettings sessionSettings) {
            this.sessionSettings = Objects.requireNonNull(sessionSettings, "sessionSettings");
            return this;
        }

        /** Score threshold, suppression, counts and class filter; default {@link InstanceOptions#defaults()}. */
        public Builder instanceOptions(InstanceOptions instanceOptions) {
            this.instanceOptions = Objects.requireNonNull(instanceOptions, "instanceOptions");
            return this;
        }

        /**
         * Classes to keep, as names or ids (an all-digit entry is an id); replaces the class filter of
         * {@link #instanceOptions}. Empty keeps every class.
         */
        public Builder classes(List<String> classes) {
            this.classes = List.copyOf(Objects.requireNonNull(classes, "classes"));
            return this;
        }

        /** How much of a frame an INFERENCE_FAILED dead letter keeps (default 1 MiB). */
        public Builder maxDeadLetterPayloadBytes(int bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("maxDeadLetterPayloadBytes must be >= 0, got " + bytes);
            }
            this.maxDeadLetterPayloadBytes = bytes;
            return this;
        }

        public InstancesSpec build() {
            if (modelDir == null || modelDir.isBlank()) {
                throw new IllegalArgumentException("modelDir is not set: point it at the folder that holds "
                        + card.relativePath() + " on the task managers (e.g. --model-dir /models)");
            }
            return new InstancesSpec(this);
        }
    }
}
