package dev.alphaflow.operators.decode;

import java.util.Arrays;
import java.util.Objects;

import dev.alphaflow.schemas.ObjectPrompt;
import dev.alphaflow.schemas.PromptAction;

/**
 * A segmentation prompt as it arrived with a frame (see the {@code prompts} field of the Frame schema): still
 * encoded, because whether it is valid depends on the stream's segmentation memory (removing an unknown object), which
 * only the segmentation operator knows. A Flink POJO.
 */
public class FramePrompt {

    public int objectId;
    public PromptAction action = PromptAction.ADD;
    /** 8-bit grayscale PNG of the frame's size, non-zero = object; null for REMOVE. */
    public byte[] maskPng;
    public String label;

    public FramePrompt() {}

    public static FramePrompt of(ObjectPrompt prompt) {
        FramePrompt p = new FramePrompt();
        p.objectId = prompt.getObjectId();
        p.action = prompt.getAction() == null ? PromptAction.ADD : prompt.getAction();
        if (prompt.getMask() != null) {
            java.nio.ByteBuffer buffer = prompt.getMask().duplicate();
            p.maskPng = new byte[buffer.remaining()];
            buffer.get(p.maskPng);
        }
        p.label = prompt.getLabel();
        return p;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FramePrompt other
                && objectId == other.objectId
                && action == other.action
                && Arrays.equals(maskPng, other.maskPng)
                && Objects.equals(label, other.label);
    }

    @Override
    public int hashCode() {
        return Objects.hash(objectId, action, label);
    }

    @Override
    public String toString() {
        return "FramePrompt{" + action + " object " + objectId + (label == null ? "" : " '" + label + "'")
                + (maskPng == null ? "" : ", mask " + maskPng.length + " B") + "}";
    }
}
