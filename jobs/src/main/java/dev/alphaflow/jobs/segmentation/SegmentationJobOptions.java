package dev.alphaflow.jobs.segmentation;

import dev.alphaflow.jobs.InvalidOptionException;
import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.model.vos.TrackEvidence;
import dev.alphaflow.operators.instances.InstancesSpec;
import dev.alphaflow.operators.segmentation.SegmentationSpec;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;

import dev.alphaflow.model.vos.FeatureBankConfig;
import dev.alphaflow.model.vos.VosOptions;
import dev.alphaflow.operators.flow.FlowSpec;

/**
 * Options of the video object segmentation job ({@code alphaflow.vos.*}); Kafka, topics, model folder, ONNX Runtime
 * threads, decode limits and sequencer settings are shared by every job ({@code CommonOptions}). Unset
 * options keep {@link VosOptions#defaults()}, the configuration measured best (see BENCHMARKS.md).
 */
public final class SegmentationJobOptions {
    private SegmentationJobOptions() {}

    public static final ConfigOption<String> SEGMENTS_TOPIC = ConfigOptions.key("alphaflow.topics.segments")
            .stringType().defaultValue(KafkaDefaults.SEGMENTS_TOPIC)
            .withDescription("Topic the Segmentation records (video object masks) are written to.");

    public static final ConfigOption<Integer> BANK_BUDGET = ConfigOptions.key("alphaflow.vos.bank-budget")
            .intType().noDefaultValue()
            .withDescription("Most feature-bank entries per object; past it the least-frequently-used go. Like every "
                    + "alphaflow.vos.* bank option, it applies to banks restored from a savepoint too: a smaller "
                    + "budget takes effect at the next frame that absorbs.");

    public static final ConfigOption<Boolean> EVICTION = ConfigOptions.key("alphaflow.vos.eviction")
            .booleanType().noDefaultValue()
            .withDescription("Evict to stay within the budget (false: the bank grows without bound; for comparison only).");

    public static final ConfigOption<Float> THRES_CLOSE = ConfigOptions.key("alphaflow.vos.thres-close")
            .floatType().noDefaultValue()
            .withDescription("Cosine similarity above which a new key merges into its nearest bank entry.");

    public static final ConfigOption<Float> UPDATE_RATE = ConfigOptions.key("alphaflow.vos.update-rate")
            .floatType().noDefaultValue()
            .withDescription("Weight of the new feature when merging into a bank entry.");

    public static final ConfigOption<Integer> MEMORY_EVERY = ConfigOptions.key("alphaflow.vos.memory-every")
            .intType().noDefaultValue()
            .withDescription("Absorb every N-th frame into the long-term banks (the previous frame is always kept).");

    public static final ConfigOption<Boolean> REFINE = ConfigOptions.key("alphaflow.vos.refine")
            .booleanType().noDefaultValue()
            .withDescription("Refine uncertain pixels at full resolution (uncertain-region refinement).");

    public static final ConfigOption<Integer> COLOUR_BAND = ConfigOptions.key("alphaflow.vos.colour-band")
            .intType().noDefaultValue()
            .withDescription("Half-width in pixels of the band around each object's boundary that local colour "
                    + "models re-decide (0: off; default: the measured default, see BENCHMARKS.md).");

    public static final ConfigOption<String> FLOW_PRIOR = ConfigOptions.key("alphaflow.vos.flow-prior")
            .stringType().noDefaultValue()
            .withDescription("Move the previous-mask prior by optical flow before it is applied: a DIS preset "
                    + "(ultrafast, fast, medium) or off (the prior stays where the object was). Default: fast, the "
                    + "measured default (see BENCHMARKS.md, \"Flow-guided prior\").");

    public static final ConfigOption<Integer> FLOW_MAX_SIDE = ConfigOptions.key("alphaflow.vos.flow-max-side")
            .intType().defaultValue(427)
            .withDescription("With the flow prior on, the frame's luma is shrunk so that its longer side is at most "
                    + "this many pixels before the flow (0: full size); each stream keeps one such luma in state.");

    public static final ConfigOption<String> TRACK_START_CLASSES = ConfigOptions.key("alphaflow.vos.track.start-classes")
            .stringType().defaultValue("")
            .withDescription("Detect, then track: detections of these classes (comma-separated names of the instance "
                    + "model, e.g. 'person') start tracks by themselves, on the first frame and whenever a new one "
                    + "appears; empty: only prompts start tracks. Runs the alphaflow.instances.* model on every frame.");

    public static final ConfigOption<Float> TRACK_EVIDENCE_WEIGHT = ConfigOptions.key("alphaflow.vos.track.evidence-weight")
            .floatType().defaultValue(0f)
            .withDescription("Weight in [0, 1] of a matching detection's mask in a tracked object's probability on "
                    + "uncertain pixels; 0: detections never change tracked masks. Above 0 the instance model runs on "
                    + "every frame.");

    public static final ConfigOption<Float> TRACK_START_SCORE = ConfigOptions.key("alphaflow.vos.track.start-score")
            .floatType().defaultValue(0.5f)
            .withDescription("Lowest detection score that starts a track.");

    public static final ConfigOption<Float> TRACK_SUPPORT_SCORE = ConfigOptions.key("alphaflow.vos.track.support-score")
            .floatType().defaultValue(0.3f)
            .withDescription("Lowest detection score that informs a tracked object.");

    public static final ConfigOption<Float> TRACK_MATCH_IOU = ConfigOptions.key("alphaflow.vos.track.match-iou")
            .floatType().defaultValue(0.5f)
            .withDescription("Mask IoU at which a detection is the same object as a track (it then never starts a "
                    + "second track).");

    public static final ConfigOption<Integer> TRACK_MAX_OBJECTS = ConfigOptions.key("alphaflow.vos.track.max-objects")
            .intType().defaultValue(16)
            .withDescription("Detections start no track once a stream has this many objects (1..255).");

    public static final ConfigOption<Integer> TRACK_DROP_AFTER = ConfigOptions.key("alphaflow.vos.track.drop-after")
            .intType().defaultValue(SegmentationSpec.DEFAULT_DROP_STARTED_TRACKS_AFTER)
            .withDescription("A track that a detection started is dropped after this many frames without a matching "
                    + "detection (the object left); 0 keeps it until a REMOVE prompt. Prompted objects are never "
                    + "dropped.");

    /**
     * Checks the values of the {@code alphaflow.vos.*} options that are set, naming the option: bad values fail
     * before anything starts.
     */
    public static void check(ReadableConfig conf) {
        conf.getOptional(BANK_BUDGET).ifPresent(n -> InvalidOptionException.check(n >= 1, BANK_BUDGET,
                "must be at least 1, got %d", n));
        conf.getOptional(THRES_CLOSE).ifPresent(t -> InvalidOptionException.check(t > 0 && t <= 1, THRES_CLOSE,
                "must be in (0, 1], got %s", t));
        conf.getOptional(UPDATE_RATE).ifPresent(r -> InvalidOptionException.check(r >= 0 && r <= 1, UPDATE_RATE,
                "must be in [0, 1], got %s", r));
        conf.getOptional(MEMORY_EVERY).ifPresent(n -> InvalidOptionException.check(n >= 1, MEMORY_EVERY,
                "must be at least 1, got %d", n));
        int flowMaxSide = conf.get(FLOW_MAX_SIDE);
        InvalidOptionException.check(flowMaxSide == 0 || (flowMaxSide >= 16 && flowMaxSide <= 8192), FLOW_MAX_SIDE,
                "must be 0 (full size) or in 16..8192 pixels, got %d", flowMaxSide);
        float weight = conf.get(TRACK_EVIDENCE_WEIGHT);
        InvalidOptionException.check(weight >= 0 && weight <= 1, TRACK_EVIDENCE_WEIGHT, "must be in [0, 1], got %s",
                weight);
        for (ConfigOption<Float> score : java.util.List.of(TRACK_START_SCORE, TRACK_SUPPORT_SCORE, TRACK_MATCH_IOU)) {
            float v = conf.get(score);
            InvalidOptionException.check(v >= 0 && v <= 1, score, "must be in [0, 1], got %s", v);
        }
        int maxObjects = conf.get(TRACK_MAX_OBJECTS);
        InvalidOptionException.check(maxObjects >= 1 && maxObjects <= 255, TRACK_MAX_OBJECTS,
                "must be in 1..255, got %d", maxObjects);
        InvalidOptionException.check(conf.get(TRACK_DROP_AFTER) >= 0, TRACK_DROP_AFTER,
                "must be 0 (never) or more, got %d", conf.get(TRACK_DROP_AFTER));
        conf.getOptional(COLOUR_BAND).ifPresent(band -> InvalidOptionException.check(band >= 0 && band <= 64,
                COLOUR_BAND, "must be in 0..64 pixels (0: off), got %d", band));
        try {
            vosOptions(conf);
        } catch (InvalidOptionException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException("alphaflow.vos.*", e.getMessage());
        }
    }

    /**
     * How detections act on tracks, when {@link #TRACK_START_CLASSES} or {@link #TRACK_EVIDENCE_WEIGHT} turns
     * tracking on; empty otherwise.
     */
    public static Optional<TrackEvidence.Options> tracking(ReadableConfig conf) {
        Set<String> startClasses = new LinkedHashSet<>(InstancesSpec.parseClasses(conf.get(TRACK_START_CLASSES)));
        float weight = conf.get(TRACK_EVIDENCE_WEIGHT);
        if (startClasses.isEmpty() && weight == 0f) {
            return Optional.empty();
        }
        try {
            return Optional.of(new TrackEvidence.Options(startClasses, conf.get(TRACK_START_SCORE),
                    conf.get(TRACK_SUPPORT_SCORE), conf.get(TRACK_MATCH_IOU), conf.get(TRACK_MAX_OBJECTS), weight));
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException("alphaflow.vos.track.*", e.getMessage());
        }
    }

    /** The segmenter options: the defaults with whatever {@code conf} sets. */
    public static VosOptions vosOptions(ReadableConfig conf) {
        VosOptions defaults = VosOptions.defaults();
        FeatureBankConfig.Builder bank = defaults.bank().toBuilder();
        conf.getOptional(BANK_BUDGET).ifPresent(bank::budget);
        conf.getOptional(EVICTION).ifPresent(bank::evictionEnabled);
        conf.getOptional(THRES_CLOSE).ifPresent(bank::thresClose);
        conf.getOptional(UPDATE_RATE).ifPresent(bank::updateRate);
        VosOptions.Builder options = defaults.toBuilder().bank(bank.build());
        conf.getOptional(MEMORY_EVERY).ifPresent(options::memoryEvery);
        conf.getOptional(REFINE).ifPresent(options::refine);
        conf.getOptional(COLOUR_BAND).ifPresent(options::colourBand);
        String flow = conf.getOptional(FLOW_PRIOR).map(String::trim).orElse(null);
        if (flow != null && flow.equalsIgnoreCase("off")) {
            options.flowPreset(null);
        } else if (flow != null) {
            try {
                options.flowPreset(FlowSpec.parsePreset(flow));
            } catch (IllegalArgumentException e) {
                throw new InvalidOptionException(FLOW_PRIOR, "must be off or a DIS preset (ultrafast, fast, medium), "
                        + "got '" + flow + "'");
            }
        }
        options.flowMaxSide(conf.get(FLOW_MAX_SIDE));
        return options.build();
    }
}
