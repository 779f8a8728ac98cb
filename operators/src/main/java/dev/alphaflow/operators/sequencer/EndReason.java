package dev.alphaflow.operators.sequencer;

/** Why a stream ended. */
public enum EndReason {
    /** The producer sent {@code Control.END}. */
    END_OF_STREAM,
    /** No frame arrived for the configured idle timeout. */
    IDLE_TIMEOUT
}
