package dev.alphaflow.operators.segmentation;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Objects;

import dev.alphaflow.model.ModelRegistry;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.instances.InstanceSegmenter;
import dev.alphaflow.model.vos.TrackEvidence;
import dev.alphaflow.model.vos.VideoObjectSegmenter;
import dev.alphaflow.model.vos.VosOptions;
import dev.alphaflow.operators.instances.InstancesSpec;

/**
 * What {@link SegmentationFunction} runs: the folder holding the feature-extractor model, how its session is opened,
 * and the segmenter's options. Serializable, so it travels in the job graph; the model is only opened on the task
 * managers.
 *
 * <pre>{@code
 * SegmentationSpec spec = SegmentationSpec.builder()
 *     .modelDir("/models")                                  // holds mobilenetv2/mobilenetv2_int8_features.onnx
 *     .sessionSettings(SessionSettings.builder().intraOpThreads(2).build())
 *     .vosOptions(VosOptions.defaults())
 *     // optional "detect, then track": person detections start tracks and inform tracked masks
 *     .tracking(InstancesSpec.builder().modelDir("/models").build(),
 *         new TrackEvidence.Options(Set.of("person"), 0.5f, 0.3f, 0.5f, 16, 0.5f))
 *     .build();
 * }</pre>
 */
public final class SegmentationSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Two seconds at 25 fps: a person walking out of view is gone, a missed detection or two is not. */
    public static final int DEFAULT_DROP_STARTED_TRACKS_AFTER = 50;

    private final String modelDir;
    private final SessionSettings sessionSettings;
    private final VosOptions vosOptions;
    private final InstancesSpec detector;
    private final TrackEvidence.Options tracking;
    private final int dropStartedTracksAfter;

    private SegmentationSpec(Builder b) {
        this.modelDir = b.modelDir;
        this.sessionSettings = b.sessionSettings;
        this.vosOptions = b.vosOptions;
        this.detector = b.detector;
        this.tracking = b.tracking;
        this.dropStartedTracksAfter = b.dropStartedTracksAfter;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The folder the models' relative paths are resolved against, on the task managers. */
    public String modelDir() {
        return modelDir;
    }

    public SessionSettings sessionSettings() {
        return sessionSettings;
    }

    public VosOptions vosOptions() {
        return vosOptions;
    }

    /** The instance segmenter whose detections start tracks and inform them; null when tracking is off. */
    public InstancesSpec detector() {
        return detector;
    }

    /** How detections act on the tracks ({@link TrackEvidence.Options#NONE} when tracking is off). */
    public TrackEvidence.Options tracking() {
        return tracking;
    }

    /**
     * Frames after which a track that a detection started is dropped when no detection has supported it since;
     * 0 keeps such tracks until a REMOVE prompt.
     */
    public int dropStartedTracksAfter() {
        return dropStartedTracksAfter;
    }

    /** True when every frame is also run through {@link #detector()}. */
    public boolean tracksDetections() {
        return detector != null;
    }

    /**
     * Opens the detector and checks that it knows every class that starts tracks.
     *
     * @throws IllegalStateException when tracking is off
     * @throws IllegalArgumentException when a start class is not one of the model's classes
     */
    public InstanceSegmenter openDetector() {
        if (detector == null) {
            throw new IllegalStateException("tracking is off: no detector in this spec");
        }
        InstanceSegmenter segmenter = detector.openSegmenter();
        try {
            for (String name : tracking.startClasses()) {
                if (!segmenter.labels().contains(name)) {
                    throw new IllegalArgumentException("track start class '" + name + "' is not a class of model "
                            + detector.card().id() + "; its classes are " + segmenter.labels());
                }
            }
            return segmenter;
        } catch (RuntimeException e) {
            segmenter.close();
            throw e;
        }
    }

    /** Opens the segmenter; it holds this JVM's shared sessions and releases them on close. */
    public VideoObjectSegmenter openSegmenter() {
        return VideoObjectSegmenter.open(new ModelRegistry(Path.of(modelDir)), sessionSettings, vosOptions);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SegmentationSpec other
                && modelDir.equals(other.modelDir)
                && sessionSettings.equals(other.sessionSettings)
                && vosOptions.equals(other.vosOptions)
                && Objects.equals(detector, other.detector)
                && tracking.equals(other.tracking)
                && dropStartedTracksAfter == other.dropStartedTracksAfter;
    }

    @Override
    public int hashCode() {
        return Objects.hash(modelDir, sessionSettings, vosOptions, detector, tracking, dropStartedTracksAfter);
    }

    @Override
    public String toString() {
        return "SegmentationSpec{models in " + modelDir + ", " + sessionSettings + ", " + vosOptions
                + (detector == null ? "" : ", tracking " + tracking + " with " + detector
                        + ", started tracks dropped after " + dropStartedTracksAfter + " unsupported frames") + "}";
    }

    /** Builder for {@link SegmentationSpec}; only the model directory is required. */
    public static final class Builder {
        private String modelDir;
        private SessionSettings sessionSettings = SessionSettings.defaults();
        private VosOptions vosOptions = VosOptions.defaults();
        private InstancesSpec detector;
        private TrackEvidence.Options tracking = TrackEvidence.Options.NONE;
        private int dropStartedTracksAfter = DEFAULT_DROP_STARTED_TRACKS_AFTER;

        private Builder() {}

        /**
         * Runs {@code detector} on every frame: its detections start tracks of {@code tracking.startClasses()} and
         * inform tracked objects' masks ({@code tracking.supportWeight()}); see {@link TrackEvidence}.
         */
        public Builder tracking(InstancesSpec detector, TrackEvidence.Options tracking) {
            this.detector = Objects.requireNonNull(detector, "detector");
            this.tracking = Objects.requireNonNull(tracking, "tracking");
            return this;
        }

        public Builder modelDir(String modelDir) {
            this.modelDir = Objects.requireNonNull(modelDir, "modelDir");
            return this;
        }

        public Builder modelDir(Path modelDir) {
            return modelDir(Objects.requireNonNull(modelDir, "modelDir").toAbsolutePath().toString());
        }

        public Builder sessionSettings(SessionSettings sessionSettings) {
            this.sessionSettings = Objects.requireNonNull(sessionSettings, "sessionSettings");
            return this;
        }

        public Builder vosOptions(VosOptions vosOptions) {
            this.vosOptions = Objects.requireNonNull(vosOptions, "vosOptions");
            return this;
        }

        /** See {@link SegmentationSpec#dropStartedTracksAfter()}; 0 never drops. */
        public Builder dropStartedTracksAfter(int frames) {
            if (frames < 0) {
                throw new IllegalArgumentException("dropStartedTracksAfter must be >= 0 frames, got " + frames);
            }
            this.dropStartedTracksAfter = frames;
            return this;
        }

        public SegmentationSpec build() {
            if (modelDir == null || modelDir.isBlank()) {
                throw new IllegalArgumentException("modelDir is not set: point it at the folder that holds "
                        + "mobilenetv2/mobilenetv2_int8_features.onnx on the task managers (e.g. --model-dir /models)");
            }
            return new SegmentationSpec(this);
        }
    }
}
