package dev.alphaflow.model.vos;

import dev.alphaflow.model.instances.BinaryMask;
import java.util.Objects;

/**
 * A user's instruction for one object on one frame: {@link Action#ADD} starts the object from a mask (or, for a known
 * object, replaces its memory with the new mask: a correction); {@link Action#REMOVE} forgets it.
 *
 * @param objectId 1..{@value #MAX_OBJECT_ID}: the object's index in DAVIS palette PNGs
 * @param mask the object's pixels at frame size for ADD; null for REMOVE
 */
public record VosPrompt(int objectId, Action action, BinaryMask mask) {

  /** Largest object id: masks are exported as 8-bit indexed PNGs where 0 is the background. */
  public static final int MAX_OBJECT_ID = 255;

  public enum Action { ADD, REMOVE }

  public VosPrompt {
    Objects.requireNonNull(action, "action");
  }

  public static VosPrompt add(int objectId, BinaryMask mask) {
    return new VosPrompt(objectId, Action.ADD, Objects.requireNonNull(mask, "mask"));
  }

  public static VosPrompt remove(int objectId) {
    return new VosPrompt(objectId, Action.REMOVE, null);
  }
}
