package dev.alphaflow.operators.segmentation;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Objects;

import dev.alphaflow.model.ModelRegistry;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.vos.VideoObjectSegmenter;
import dev.alphaflow.model.vos.VosOptions;

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
 *     .build();
 * }</pre>
 */
public final class SegmentationSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String modelDir;
    private final SessionSettings sessionSettings;
    private final VosOptions vosOptions;

    private SegmentationSpec(Builder b) {
        this.modelDir = b.modelDir;
        this.sessionSettings = b.sessionSettings;
        this.vosOptions = b.vosOptions;
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

    /** Opens the segmenter; it holds this JVM's shared sessions and releases them on close. */
    public VideoObjectSegmenter openSegmenter() {
        return VideoObjectSegmenter.open(new ModelRegistry(Path.of(modelDir)), sessionSettings, vosOptions);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SegmentationSpec other
                && modelDir.equals(other.modelDir)
                && sessionSettings.equals(other.sessionSettings)
                && vosOptions.equals(other.vosOptions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(modelDir, sessionSettings, vosOptions);
    }

    @Override
    public String toString() {
        return "SegmentationSpec{models in " + modelDir + ", " + sessionSettings + ", " + vosOptions + "}";
    }

    /** Builder for {@link SegmentationSpec}; only the model directory is required. */
    public static final class Builder {
        private String modelDir;
        private SessionSettings sessionSettings = SessionSettings.defaults();
        private VosOptions vosOptions = VosOptions.defaults();

        private Builder() {}

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

        public SegmentationSpec build() {
            if (modelDir == null || modelDir.isBlank()) {
                throw new IllegalArgumentException("modelDir is not set: point it at the folder that holds "
                        + "mobilenetv2/mobilenetv2_int8_features.onnx on the task managers (e.g. --model-dir /models)");
            }
            return new SegmentationSpec(this);
        }
    }
}
