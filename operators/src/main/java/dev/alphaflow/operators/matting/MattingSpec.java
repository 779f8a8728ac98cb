package dev.alphaflow.operators.matting;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Objects;

import dev.alphaflow.model.ModelCard;
import dev.alphaflow.model.ModelCards;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.ModelRegistry;
import dev.alphaflow.model.rvm.RvmMatter;
import dev.alphaflow.model.rvm.RvmOptions;

/**
 * What {@link MattingFunction} runs: the model (a card and the directory holding its file), how its session is
 * opened, and how RVM is driven. Serializable, so it travels in the job graph; the model is only opened on the task
 * managers.
 *
 * <pre>{@code
 * MattingSpec spec = MattingSpec.builder()
 *     .modelDir("/models")                      // holds rvm/rvm_mobilenetv3_fp32.onnx
 *     .card(ModelCards.RVM_MOBILENETV3)         // the default
 *     .sessionSettings(SessionSettings.builder().intraOpThreads(4).build())
 *     .rvmOptions(RvmOptions.builder().withForeground(true).build())
 *     .build();
 * }</pre>
 */
public final class MattingSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String modelDir;
    private final ModelCard card;
    private final SessionSettings sessionSettings;
    private final RvmOptions rvmOptions;

    private MattingSpec(Builder b) {
        this.modelDir = b.modelDir;
        this.card = b.card;
        this.sessionSettings = b.sessionSettings;
        this.rvmOptions = b.rvmOptions;
    }

    public static Builder builder() {
        return new Builder();
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

    /** Opens the model: a matter that holds this JVM's shared session for the card and releases it on close. */
    public RvmMatter openMatter() {
        return RvmMatter.open(new ModelRegistry(Path.of(modelDir)), card, sessionSettings, rvmOptions);
    }

    public RvmOptions rvmOptions() {
        return rvmOptions;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MattingSpec other
                && modelDir.equals(other.modelDir)
                && card.equals(other.card)
                && sessionSettings.equals(other.sessionSettings)
                && rvmOptions.equals(other.rvmOptions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(modelDir, card, sessionSettings, rvmOptions);
    }

    @Override
    public String toString() {
        return "MattingSpec{model=" + card.id() + " in " + modelDir + ", " + sessionSettings + ", " + rvmOptions + "}";
    }

    /** Builder for {@link MattingSpec}; only the model directory is required. */
    public static final class Builder {
        private String modelDir;
        private ModelCard card = ModelCards.RVM_MOBILENETV3;
        private SessionSettings sessionSettings = SessionSettings.defaults();
        private RvmOptions rvmOptions = RvmOptions.defaults();

        private Builder() {}

        /** The folder that holds the card's file (for the built-in card: {@code rvm/rvm_mobilenetv3_fp32.onnx}). */
        public Builder modelDir(String modelDir) {
            this.modelDir = Objects.requireNonNull(modelDir, "modelDir");
            return this;
        }

        public Builder modelDir(Path modelDir) {
            return modelDir(Objects.requireNonNull(modelDir, "modelDir").toAbsolutePath().toString());
        }

        /** The model; default {@link ModelCards#RVM_MOBILENETV3}. Any model with RVM's inputs and outputs works. */
        public Builder card(ModelCard card) {
            this.card = Objects.requireNonNull(card, "card");
            return this;
        }

        /** Threads, optimization level, execution provider; default {@link SessionSettings#defaults()}. */
        public Builder sessionSettings(SessionSettings sessionSettings) {
            this.sessionSettings = Objects.requireNonNull(sessionSettings, "sessionSettings");
            return this;
        }

        /** Downsample ratio and foreground output; default {@link RvmOptions#defaults()}. */
        public Builder rvmOptions(RvmOptions rvmOptions) {
            this.rvmOptions = Objects.requireNonNull(rvmOptions, "rvmOptions");
            return this;
        }

        public MattingSpec build() {
            sanityCheck();
            return new MattingSpec(this);
        }

        private void sanityCheck() {
            if (modelDir == null || modelDir.isBlank()) {
                throw new IllegalArgumentException("modelDir is not set: point it at the folder that holds "
                        + card.relativePath() + " on the task managers (e.g. --model-dir /models)");
            }
        }
    }
}
