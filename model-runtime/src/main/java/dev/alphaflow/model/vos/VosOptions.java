package dev.alphaflow.model.vos;

import dev.alphaflow.model.ModelCard;
import dev.alphaflow.model.ModelCards;
import dev.alphaflow.model.flow.DisPreset;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link VideoObjectSegmenter} matches, remembers and refines. {@link #defaults()} is the configuration that
 * measured best on the ten shared DAVIS 2016 sequences, run forwards and backwards; {@code VosEvaluation} in the test
 * sources measures it and the ablation behind every default (it writes {@code target/vos-evaluation.md}).
 *
 * <pre>{@code
 * VosOptions options = VosOptions.builder()
 *     .bank(VosOptions.defaultBank().toBuilder().budget(1024).build())   // less memory and time per object
 *     .refine(false)                                                     // faster, rougher boundaries
 *     .build();
 * }</pre>
 */
public final class VosOptions implements Serializable {

  private static final long serialVersionUID = 1L;

  private final ModelCard featureModel;
  private final List<FeatureLayer> layers;
  private final float coarseLayerWeight;
  private final float inputScale;
  private final float temperature;
  private final float classBalance;
  private final FeatureBankConfig bank;
  private final int memoryEvery;
  private final boolean keepPromptFrame;
  private final int backgroundStride;
  private final int boundaryBand;
  private final float absorbMargin;
  private final int localRadius;
  private final float localTemperature;
  private final float localWeight;
  private final float priorStrength;
  private final int priorDilation;
  private final int priorRadius;
  private final float priorFalloff;
  private final DisPreset flowPreset;
  private final int flowMaxSide;
  private final boolean refine;
  private final float uncertaintyThreshold;
  private final int refineRadius;
  private final float refineEpsilon;
  private final int colourBand;
  private final float colourWeight;

  private VosOptions(Builder b) {
    this.featureModel = b.featureModel;
    this.layers = List.copyOf(b.layers);
    this.coarseLayerWeight = b.coarseLayerWeight;
    this.inputScale = b.inputScale;
    this.temperature = b.temperature;
    this.classBalance = b.classBalance;
    this.bank = b.bank;
    this.memoryEvery = b.memoryEvery;
    this.keepPromptFrame = b.keepPromptFrame;
    this.backgroundStride = b.backgroundStride;
    this.boundaryBand = b.boundaryBand;
    this.absorbMargin = b.absorbMargin;
    this.localRadius = b.localRadius;
    this.localTemperature = b.localTemperature;
    this.localWeight = b.localWeight;
    this.priorStrength = b.priorStrength;
    this.priorDilation = b.priorDilation;
    this.priorRadius = b.priorRadius;
    this.priorFalloff = b.priorFalloff;
    this.flowPreset = b.flowPreset;
    this.flowMaxSide = b.flowMaxSide;
    this.refine = b.refine;
    this.uncertaintyThreshold = b.uncertaintyThreshold;
    this.refineRadius = b.refineRadius;
    this.refineEpsilon = b.refineEpsilon;
    this.colourBand = b.colourBand;
    this.colourWeight = b.colourWeight;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The measured best configuration (see the class comment). */
  public static VosOptions defaults() {
    return builder().build();
  }

  /**
   * The bank settings the defaults use: soft-mask values ({@code WEIGHTED_AVERAGE}), AFB-URR's {@code thres_close}
   * 0.95 and {@code update_rate} 0.1, and a budget of 2048 entries per object.
   */
  public static FeatureBankConfig defaultBank() {
    return FeatureBankConfig.builder()
        .budget(Builder.DEFAULT_BUDGET)
        .thresClose(0.95f)
        .updateRate(0.1f)
        .valueMerge(FeatureBankConfig.ValueMerge.WEIGHTED_AVERAGE)
        .build();
  }

  public Builder toBuilder() {
    return new Builder()
        .featureModel(featureModel)
        .layers(layers)
        .coarseLayerWeight(coarseLayerWeight)
        .inputScale(inputScale)
        .temperature(temperature)
        .classBalance(classBalance)
        .bank(bank)
        .memoryEvery(memoryEvery)
        .keepPromptFrame(keepPromptFrame)
        .backgroundStride(backgroundStride)
        .boundaryBand(boundaryBand)
        .absorbMargin(absorbMargin)
        .localRadius(localRadius)
        .localTemperature(localTemperature)
        .localWeight(localWeight)
        .priorStrength(priorStrength)
        .priorDilation(priorDilation)
        .priorRadius(priorRadius)
        .priorFalloff(priorFalloff)
        .flowPreset(flowPreset)
        .flowMaxSide(flowMaxSide)
        .refine(refine)
        .uncertaintyThreshold(uncertaintyThreshold)
        .refineRadius(refineRadius)
        .refineEpsilon(refineEpsilon)
        .colourBand(colourBand)
        .colourWeight(colourWeight);
  }

  public ModelCard featureModel() {
    return featureModel;
  }

  /** The layers concatenated into a key, finest first; the finest one sets the key grid. */
  public List<FeatureLayer> layers() {
    return layers;
  }

  /** The finest layer: its grid is the key (and memory) grid. */
  public FeatureLayer gridLayer() {
    return layers.get(0);
  }

  public float coarseLayerWeight() {
    return coarseLayerWeight;
  }

  public float inputScale() {
    return inputScale;
  }

  public float temperature() {
    return temperature;
  }

  public float classBalance() {
    return classBalance;
  }

  public FeatureBankConfig bank() {
    return bank;
  }

  public int memoryEvery() {
    return memoryEvery;
  }

  public boolean keepPromptFrame() {
    return keepPromptFrame;
  }

  public int backgroundStride() {
    return backgroundStride;
  }

  public int boundaryBand() {
    return boundaryBand;
  }

  public float absorbMargin() {
    return absorbMargin;
  }

  public int localRadius() {
    return localRadius;
  }

  public float localTemperature() {
    return localTemperature;
  }

  public float localWeight() {
    return localWeight;
  }

  public float priorStrength() {
    return priorStrength;
  }

  public int priorDilation() {
    return priorDilation;
  }

  public int priorRadius() {
    return priorRadius;
  }

  /** Log-odds the prior loses per key-grid cell beyond its blur; see {@link Builder#priorFalloff}. */
  public float priorFalloff() {
    return priorFalloff;
  }

  /** The DIS preset of the flow that moves the previous mask onto the frame before it is a prior; null = no flow. */
  public DisPreset flowPreset() {
    return flowPreset;
  }

  /** Whether the previous-mask prior is motion-compensated by optical flow ({@link #flowPreset()} set). */
  public boolean flowPrior() {
    return flowPreset != null;
  }

  /** The flow runs on the frame's luma shrunk so that its longer side is at most this many pixels (0 = full size). */
  public int flowMaxSide() {
    return flowMaxSide;
  }

  public boolean refine() {
    return refine;
  }

  public float uncertaintyThreshold() {
    return uncertaintyThreshold;
  }

  public int refineRadius() {
    return refineRadius;
  }

  public float refineEpsilon() {
    return refineEpsilon;
  }

  /** Half-width in pixels of the band around the label boundary that local colour models re-decide; 0 = off. */
  public int colourBand() {
    return colourBand;
  }

  /** Exponent of the local colour likelihood (see {@link Builder#colourWeight}). */
  public float colourWeight() {
    return colourWeight;
  }

  /** Key length: the channels of every layer. */
  public int keyDim() {
    int d = 0;
    for (FeatureLayer layer : layers) {
      d += layer.channels();
    }
    return d;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VosOptions other
        && featureModel.equals(other.featureModel)
        && layers.equals(other.layers)
        && coarseLayerWeight == other.coarseLayerWeight
        && inputScale == other.inputScale
        && temperature == other.temperature
        && classBalance == other.classBalance
        && bank.equals(other.bank)
        && memoryEvery == other.memoryEvery
        && keepPromptFrame == other.keepPromptFrame
        && backgroundStride == other.backgroundStride
        && boundaryBand == other.boundaryBand
        && absorbMargin == other.absorbMargin
        && localRadius == other.localRadius
        && localTemperature == other.localTemperature
        && localWeight == other.localWeight
        && priorStrength == other.priorStrength
        && priorDilation == other.priorDilation
        && priorRadius == other.priorRadius
        && priorFalloff == other.priorFalloff
        && flowPreset == other.flowPreset
        && flowMaxSide == other.flowMaxSide
        && refine == other.refine
        && uncertaintyThreshold == other.uncertaintyThreshold
        && refineRadius == other.refineRadius
        && refineEpsilon == other.refineEpsilon
        && colourBand == other.colourBand
        && colourWeight == other.colourWeight;
  }

  @Override
  public int hashCode() {
    return Objects.hash(featureModel, layers, coarseLayerWeight, inputScale, temperature, classBalance, bank,
        memoryEvery, keepPromptFrame, backgroundStride, boundaryBand, absorbMargin, localRadius, localTemperature,
        localWeight, priorStrength, priorDilation, priorRadius, priorFalloff, flowPreset, flowMaxSide, refine,
        uncertaintyThreshold, refineRadius, refineEpsilon, colourBand, colourWeight);
  }

  @Override
  public String toString() {
    return "VosOptions{model=" + featureModel.id() + ", layers=" + layers + ", coarseLayerWeight="
        + coarseLayerWeight + ", inputScale=" + inputScale + ", temperature=" + temperature + ", classBalance="
        + classBalance + ", bank=" + bank + ", memoryEvery=" + memoryEvery + ", keepPromptFrame="
        + keepPromptFrame + ", backgroundStride=" + backgroundStride + ", boundaryBand=" + boundaryBand
        + ", absorbMargin=" + absorbMargin + ", localRadius=" + localRadius
        + (localRadius > 0 ? ", localTemperature=" + localTemperature + ", localWeight=" + localWeight : "")
        + ", priorStrength=" + priorStrength + ", priorDilation=" + priorDilation + ", priorRadius=" + priorRadius
        + ", priorFalloff=" + priorFalloff
        + ", flow=" + (flowPreset == null ? "off" : flowPreset + " max side " + flowMaxSide)
        + ", refine=" + refine + (refine ? ", uncertaintyThreshold=" + uncertaintyThreshold + ", refineRadius="
            + refineRadius + ", refineEpsilon=" + refineEpsilon : "")
        + ", colour=" + (colourBand == 0 ? "off" : "band " + colourBand + " weight " + colourWeight) + "}";
  }

  /** Builder for {@link VosOptions}; every setting has a default (the measured best). */
  public static final class Builder {
    static final int DEFAULT_BUDGET = 2048;

    private ModelCard featureModel = ModelCards.MOBILENETV2_FEATURES;
    private List<FeatureLayer> layers = List.of(FeatureLayer.S8, FeatureLayer.S16);
    private float coarseLayerWeight = 1f;
    private float inputScale = 1f;
    private float temperature = 0.03f;
    private float classBalance = 1f;
    private FeatureBankConfig bank = defaultBank();
    private int memoryEvery = 10;
    private boolean keepPromptFrame = true;
    private int backgroundStride = 3;
    private int boundaryBand = 1;
    private float absorbMargin = 0f;
    private int localRadius = 0;
    private float localTemperature = 0.03f;
    private float localWeight = 0.3f;
    private float priorStrength = 1f;
    private int priorDilation = 0;
    private int priorRadius = 3;
    private float priorFalloff = 0.2f;
    private DisPreset flowPreset = DisPreset.FAST;
    private int flowMaxSide = 427;
    private boolean refine = true;
    private float uncertaintyThreshold = 0.05f;
    private int refineRadius = 4;
    private float refineEpsilon = 0.001f;
    private int colourBand = 8;
    private float colourWeight = 1f;

    private Builder() {}

    /**
     * The feature extractor (default {@code ModelCards.MOBILENETV2_FEATURES}). It must take {@code input} [N, 3, H, W]
     * (RGB/255 normalized with the ImageNet mean and std) and give the {@link FeatureLayer} outputs that
     * {@link #layers} names.
     */
    public Builder featureModel(ModelCard featureModel) {
      this.featureModel = Objects.requireNonNull(featureModel, "featureModel");
      return this;
    }

    /**
     * The feature maps a key is made of (default S8 + S16): each is resampled to the grid of the finest,
     * L2-normalized per position so that each layer counts by its weight and not by its magnitude, and concatenated.
     * Any order; duplicates are an error. Stride 8 alone matches well while the appearance holds but loses a
     * turning, blurred dancer; stride 4 is finer but four times the positions (16 times the read cost).
     */
    public Builder layers(List<FeatureLayer> layers) {
      Objects.requireNonNull(layers, "layers");
      this.layers = new ArrayList<>(layers);
      return this;
    }

    /** Weight of each layer coarser than the grid layer relative to the grid layer, in (0, 10] (default 1). */
    public Builder coarseLayerWeight(float weight) {
      this.coarseLayerWeight = weight;
      return this;
    }

    /**
     * Factor the frame is resized by before the feature extractor, in [0.25, 4] (default 1): above 1 the key grid
     * gets finer (and every read costs the square of it more).
     */
    public Builder inputScale(float inputScale) {
      this.inputScale = inputScale;
      return this;
    }

    /**
     * Softmax temperature of the bank read, on cosine similarity, in (0, 1] (default 0.03): lower is sharper, closer
     * to nearest-neighbour label propagation. The keys are scaled so that the bank's 1/sqrt(keyDim) scaling gives
     * exactly {@code cos / temperature}.
     */
    public Builder temperature(float temperature) {
      this.temperature = temperature;
      return this;
    }

    /**
     * How much of the bank's own class prior is divided out of its read, in [0, 2] (default 1 = all). A softmax
     * read over a bank whose entries are 95 % background is a kernel density estimate with a 95 % background prior:
     * a query on the object that resembles both loses to the many background entries. With balance b the read's
     * logit gets {@code -b * logit(pi)}, pi = the mean value in the bank, which leaves the likelihood ratio; the
     * spatial prior (see {@link #priorStrength}) then says where the object can be.
     */
    public Builder classBalance(float classBalance) {
      this.classBalance = classBalance;
      return this;
    }

    /**
     * The long-term memory of each object (default {@link VosOptions#defaultBank()}). Values are soft masks, so the
     * value merge must be {@link FeatureBankConfig.ValueMerge#WEIGHTED_AVERAGE}. The segmenter runs every bank with
     * this config, including banks restored from a checkpoint that were saved with another.
     */
    public Builder bank(FeatureBankConfig bank) {
      this.bank = Objects.requireNonNull(bank, "bank");
      return this;
    }

    /**
     * Every how many frames the banks absorb the frame (default 10), counted by frame index; prompt frames always.
     * Each absorb adds the segmenter's own, possibly wrong, masks: too often and errors reinforce themselves (the
     * MobileNetV2 keys of consecutive frames rarely pass thres_close, so little merges), too rarely and a new view
     * of the object is missing. With the prior unmoved, 20 was the safer cadence; with the flow prior's better masks
     * every 10 wins forwards, backwards and on every 2nd and 3rd frame (BENCHMARKS.md, "Flow-guided prior").
     * {@code Integer.MAX_VALUE} keeps the prompt frame only.
     */
    public Builder memoryEvery(int memoryEvery) {
      this.memoryEvery = memoryEvery;
      return this;
    }

    /**
     * Whether the prompt frame's entries are kept through eviction (default true; see
     * {@link FeatureBank#absorb(long, float[], float[], int, boolean)}): the prompt mask is the only label known to
     * be right, and LFU eviction otherwise drops it while the object shows another side.
     */
    public Builder keepPromptFrame(boolean keepPromptFrame) {
      this.keepPromptFrame = keepPromptFrame;
      return this;
    }

    /**
     * Background cells farther than {@link #boundaryBand} from the object go into the bank only on every
     * {@code stride}-th row and column (default 3; 1 keeps all). Far background is repetitive: a ninth of it
     * describes it as well, the read gets cheaper, and the object's entries are less outnumbered.
     */
    public Builder backgroundStride(int backgroundStride) {
      this.backgroundStride = backgroundStride;
      return this;
    }

    /** Cells within this many grid cells of the object are always absorbed, in 0..16 (default 1). */
    public Builder boundaryBand(int boundaryBand) {
      this.boundaryBand = boundaryBand;
      return this;
    }

    /**
     * Which cells the banks absorb by their mask value, in [0, 0.5] (default 0): a cell goes in when its value (the
     * share of its pixels in the object) is within the margin of 0 or 1. 0 keeps pure cells only, so the bank never
     * learns a key that mixes object and background; 0.5 absorbs every cell (AFB-URR).
     */
    public Builder absorbMargin(float absorbMargin) {
      this.absorbMargin = absorbMargin;
      return this;
    }

    /**
     * Radius in key-grid cells of a window in which each position is also matched against the previous frame
     * ({@link LocalAttention}; default 0 = off). It follows appearance changes frame by frame, but it also
     * propagates its own errors (a background cell it once took for the object keeps matching itself), and on the
     * DAVIS sequences it lowered J&amp;F.
     */
    public Builder localRadius(int localRadius) {
      this.localRadius = localRadius;
      return this;
    }

    /** Softmax temperature of the previous-frame match, on cosine similarity, in (0, 1] (default 0.03). */
    public Builder localTemperature(float localTemperature) {
      this.localTemperature = localTemperature;
      return this;
    }

    /**
     * Weight in [0, 1] of the previous-frame match against the bank read when {@link #localRadius} is on (default
     * 0.3): the estimate is {@code (1 - w) * bank + w * local}.
     */
    public Builder localWeight(float localWeight) {
      this.localWeight = localWeight;
      return this;
    }

    /**
     * Strength of the previous mask as a spatial prior, RGMP's use of the previous mask (default 1; 0 = off): the
     * object's logit gets {@code strength * logit(prior)}, where the prior is the previous mask (on the key grid)
     * dilated by {@link #priorDilation}, box-blurred by {@link #priorRadius} cells and kept within [0.02, 0.98].
     * Inside the old mask it pushes towards the object, far from it against: look-alikes elsewhere in the frame
     * (another person in the audience) stay background.
     */
    public Builder priorStrength(float priorStrength) {
      this.priorStrength = priorStrength;
      return this;
    }

    /** Dilation of the previous mask, in key-grid cells, before the blur, 0..64 (default 0). */
    public Builder priorDilation(int priorDilation) {
      this.priorDilation = priorDilation;
      return this;
    }

    /** Box-blur radius of the prior in key-grid cells, 0..64 (default 3): how far the object may move. */
    public Builder priorRadius(int priorRadius) {
      this.priorRadius = priorRadius;
      return this;
    }

    /**
     * How fast the prior keeps falling beyond its blur, in log-odds per key-grid cell, 0..10 (default 0.2; 0 = the
     * flat floor of [0.02, 0.98] everywhere beyond the blur). A cell {@code d} cells (chessboard distance) from the
     * previous mask, {@code d > priorDilation + priorRadius}, has its prior's logit lowered by
     * {@code falloff * (d - priorDilation - priorRadius)}: a look-alike across the frame (a parked scooter, the next
     * car) needs much stronger evidence than one just beyond the blur, which a fast object may still reach. An object
     * whose previous mask is empty has no distance and no falloff, so it can be found again anywhere.
     */
    public Builder priorFalloff(float priorFalloff) {
      this.priorFalloff = priorFalloff;
      return this;
    }

    /**
     * Motion-compensates the previous-mask prior (the motion-compensated RGMP idea): OpenCV DIS flow with this preset
     * from the previous frame to this one moves the previous mask onto the frame (forward splatting on the key grid)
     * before it is blurred into the prior, so a fast-moving object's prior sits where it is now, not where it was.
     * Default {@code FAST} (ULTRAFAST and MEDIUM measured the same on the shared sequences, see BENCHMARKS.md,
     * "Flow-guided prior"); null = off, the prior stays where the object was.
     */
    public Builder flowPreset(DisPreset flowPreset) {
      this.flowPreset = flowPreset;
      return this;
    }

    /**
     * Longer side in pixels, 0 or 16..8192 (default 427, half of 854), to which the frame's luma is shrunk before the
     * flow: speed, and the size of the luma kept in the frame memory (0 = the frame's own size).
     */
    public Builder flowMaxSide(int flowMaxSide) {
      this.flowMaxSide = flowMaxSide;
      return this;
    }

    /**
     * Whether uncertain pixels are refined at full resolution (default true): where AFB-URR's uncertainty
     * {@code exp(1 - top1/top2)} exceeds {@link #uncertaintyThreshold}, the class probabilities are replaced by
     * their {@link GuidedFilter guided filter} with the frame as the guide, which moves boundaries coming up from
     * the 8-pixel grid onto image edges.
     */
    public Builder refine(boolean refine) {
      this.refine = refine;
      return this;
    }

    /**
     * Uncertainty in (0, 1] above which a pixel is refined (default 0.05, that is top1/top2 below about 4: 0.8/0.2
     * is 0.05, 0.6/0.4 is 0.61).
     */
    public Builder uncertaintyThreshold(float uncertaintyThreshold) {
      this.uncertaintyThreshold = uncertaintyThreshold;
      return this;
    }

    /** Window radius in frame pixels of the refining guided filter, 1..64 (default 4). */
    public Builder refineRadius(int refineRadius) {
      this.refineRadius = refineRadius;
      return this;
    }

    /**
     * Regularisation of the guided filter, in (0, 1] (default 0.001, on luminance in [0, 1]): windows whose
     * luminance variance is well above it follow the image's edges, flatter ones are only smoothed.
     */
    public Builder refineEpsilon(float refineEpsilon) {
      this.refineEpsilon = refineEpsilon;
      return this;
    }

    /**
     * Half-width in pixels of the band around the label boundary that local colour models re-decide before the
     * guided-filter refinement (default 8; 0 = off; {@link LocalColourModels}): the grid's upsampled masks are
     * blurred and trail moving objects, the frame's colours near the boundary are sharp. In [0, 64]. Measured on the
     * ten shared DAVIS sequences: 5 px too narrow, 12 no better than 8 (BENCHMARKS.md).
     */
    public Builder colourBand(int colourBand) {
      this.colourBand = colourBand;
      return this;
    }

    /** Exponent of the local colour likelihood against the segmenter's probabilities, in (0, 4] (default 1). */
    public Builder colourWeight(float colourWeight) {
      this.colourWeight = colourWeight;
      return this;
    }

    public VosOptions build() {
      if (layers.isEmpty()) {
        throw new IllegalArgumentException("layers must name at least one feature layer, e.g. [S8, S16]");
      }
      EnumSet<FeatureLayer> seen = EnumSet.noneOf(FeatureLayer.class);
      for (FeatureLayer layer : layers) {
        Objects.requireNonNull(layer, "layers holds null");
        if (!seen.add(layer)) {
          throw new IllegalArgumentException("layers names " + layer + " twice: " + layers);
        }
      }
      layers = new ArrayList<>(seen); // finest first
      if (!(coarseLayerWeight > 0f && coarseLayerWeight <= 10f)) {
        throw new IllegalArgumentException("coarseLayerWeight must be in (0, 10], got " + coarseLayerWeight);
      }
      if (!(inputScale >= 0.25f && inputScale <= 4f)) {
        throw new IllegalArgumentException("inputScale must be in [0.25, 4], got " + inputScale);
      }
      if (!(temperature > 0f && temperature <= 1f)) {
        throw new IllegalArgumentException("temperature must be in (0, 1], got " + temperature
            + " (cosine similarities are divided by it)");
      }
      if (!(classBalance >= 0f && classBalance <= 2f)) {
        throw new IllegalArgumentException("classBalance must be in [0, 2] (0 = off), got " + classBalance);
      }
      if (bank.valueMerge() != FeatureBankConfig.ValueMerge.WEIGHTED_AVERAGE) {
        throw new IllegalArgumentException("bank valueMerge must be WEIGHTED_AVERAGE: the values are one-channel "
            + "soft masks, which " + bank.valueMerge() + " would never update");
      }
      if (memoryEvery < 1) {
        throw new IllegalArgumentException("memoryEvery must be at least 1 (frames between bank updates), got "
            + memoryEvery);
      }
      if (backgroundStride < 1 || backgroundStride > 16) {
        throw new IllegalArgumentException("backgroundStride must be in 1..16 (1 = every background cell), got "
            + backgroundStride);
      }
      if (boundaryBand < 0 || boundaryBand > 16) {
        throw new IllegalArgumentException("boundaryBand must be in 0..16 key-grid cells, got " + boundaryBand);
      }
      if (!(absorbMargin >= 0f && absorbMargin <= 0.5f)) {
        throw new IllegalArgumentException("absorbMargin must be in [0, 0.5] (0.5 = every cell), got "
            + absorbMargin);
      }
      if (localRadius < 0 || localRadius > 32) {
        throw new IllegalArgumentException("localRadius must be in 0..32 key-grid cells (0 = off), got "
            + localRadius);
      }
      if (!(localTemperature > 0f && localTemperature <= 1f)) {
        throw new IllegalArgumentException("localTemperature must be in (0, 1], got " + localTemperature);
      }
      if (!(localWeight >= 0f && localWeight <= 1f)) {
        throw new IllegalArgumentException("localWeight must be in [0, 1], got " + localWeight);
      }
      if (!(priorStrength >= 0f && priorStrength <= 10f)) {
        throw new IllegalArgumentException("priorStrength must be in [0, 10] (0 = off), got " + priorStrength);
      }
      if (priorDilation < 0 || priorDilation > 64) {
        throw new IllegalArgumentException("priorDilation must be in 0..64 key-grid cells, got " + priorDilation);
      }
      if (priorRadius < 0 || priorRadius > 64) {
        throw new IllegalArgumentException("priorRadius must be in 0..64 key-grid cells, got " + priorRadius);
      }
      if (!(priorFalloff >= 0f && priorFalloff <= 10f)) {
        throw new IllegalArgumentException("priorFalloff must be in [0, 10] log-odds per key-grid cell (0 = off), got "
            + priorFalloff);
      }
      if (flowMaxSide != 0 && (flowMaxSide < 16 || flowMaxSide > 8192)) {
        throw new IllegalArgumentException("flowMaxSide must be 0 (full size) or in 16..8192 pixels, got "
            + flowMaxSide);
      }
      if (!(uncertaintyThreshold > 0f && uncertaintyThreshold <= 1f)) {
        throw new IllegalArgumentException("uncertaintyThreshold must be in (0, 1], got " + uncertaintyThreshold);
      }
      if (refineRadius < 1 || refineRadius > 64) {
        throw new IllegalArgumentException("refineRadius must be in 1..64 pixels, got " + refineRadius);
      }
      if (!(refineEpsilon > 0f && refineEpsilon <= 1f)) {
        throw new IllegalArgumentException("refineEpsilon must be in (0, 1], got " + refineEpsilon);
      }
      if (colourBand < 0 || colourBand > 64) {
        throw new IllegalArgumentException("colourBand must be in [0, 64], got " + colourBand);
      }
      if (!(colourWeight > 0f && colourWeight <= 4f)) {
        throw new IllegalArgumentException("colourWeight must be in (0, 4], got " + colourWeight);
      }
      return new VosOptions(this);
    }
  }
}
