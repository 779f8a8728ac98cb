package dev.alphaflow.model.vos.learned;

import dev.alphaflow.model.ModelCard;
import java.io.Serializable;
import java.util.Objects;

/**
 * The three model cards of a learned video-object-segmentation model (see {@link LearnedVosModel} for the contract)
 * and the stride of its key/value grid. Serializable, so it can travel in a Flink job graph like a single card.
 *
 * <p>The stride is declared here because exports usually leave H and W symbolic, and then nothing in the model
 * says how far it downsamples. A model exported at one fixed size does say it: {@link #strideFromShapes} reads it
 * from the key encoder's {@code image} and {@code key} shapes at load.
 *
 * @param stride key/value grid stride s (the key is H/s x W/s); 0 = read it from the key encoder's fixed shapes
 */
public record LearnedVosCards(ModelCard keyEncoder, ModelCard valueEncoder, ModelCard decoder, int stride)
    implements Serializable {

  /** Conventional card id of the key encoder. */
  public static final String KEY_ENCODER_ID = "vos-key-encoder";
  /** Conventional card id of the value encoder. */
  public static final String VALUE_ENCODER_ID = "vos-value-encoder";
  /** Conventional card id of the decoder. */
  public static final String DECODER_ID = "vos-decoder";

  public LearnedVosCards {
    Objects.requireNonNull(keyEncoder, "keyEncoder");
    Objects.requireNonNull(valueEncoder, "valueEncoder");
    Objects.requireNonNull(decoder, "decoder");
    if (stride < 0) {
      throw new IllegalArgumentException("stride must be positive (or 0 to read it from fixed shapes), got " + stride);
    }
  }

  /** Cards with a declared stride; where the models fix their spatial sizes, they must agree with it. */
  public static LearnedVosCards of(ModelCard keyEncoder, ModelCard valueEncoder, ModelCard decoder, int stride) {
    if (stride < 1) {
      throw new IllegalArgumentException("stride must be at least 1, got " + stride);
    }
    return new LearnedVosCards(keyEncoder, valueEncoder, decoder, stride);
  }

  /** Cards whose stride is H / h of the key encoder's fixed {@code image} [1,3,H,W] and {@code key} [1,Ck,h,w]. */
  public static LearnedVosCards strideFromShapes(ModelCard keyEncoder, ModelCard valueEncoder, ModelCard decoder) {
    return new LearnedVosCards(keyEncoder, valueEncoder, decoder, 0);
  }

  /** Whether the stride is declared (else it is read from the model's shapes at load). */
  public boolean strideDeclared() {
    return stride > 0;
  }
}
