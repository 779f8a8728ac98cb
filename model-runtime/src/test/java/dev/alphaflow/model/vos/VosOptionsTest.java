package dev.alphaflow.model.vos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.alphaflow.model.ModelCards;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Defaults, validation messages and value semantics of {@link VosOptions}. */
class VosOptionsTest {

  @Test
  void defaultsAreTheMeasuredConfiguration() {
    VosOptions d = VosOptions.defaults();
    assertThat(d.featureModel()).isEqualTo(ModelCards.MOBILENETV2_FEATURES);
    assertThat(d.layers()).containsExactly(FeatureLayer.S8, FeatureLayer.S16);
    assertThat(d.gridLayer()).isEqualTo(FeatureLayer.S8);
    assertThat(d.keyDim()).isEqualTo(128);
    assertThat(d.bank().valueMerge()).isEqualTo(FeatureBankConfig.ValueMerge.WEIGHTED_AVERAGE);
    assertThat(d.bank().thresClose()).isEqualTo(0.95f);
    assertThat(d.bank().updateRate()).isEqualTo(0.1f);
    assertThat(d.bank().evictionEnabled()).isTrue();
    assertThat(d.keepPromptFrame()).isTrue();
    assertThat(d.refine()).isTrue();
    assertThat(d.colourBand()).isEqualTo(8);
    assertThat(d.colourWeight()).isEqualTo(1f);
    assertThat(d.priorStrength()).isPositive();
    assertThat(d.localRadius()).isZero();
  }

  @Test
  void layersAreSortedFinestFirst() {
    VosOptions o = VosOptions.builder().layers(List.of(FeatureLayer.S32, FeatureLayer.S8)).build();
    assertThat(o.layers()).containsExactly(FeatureLayer.S8, FeatureLayer.S32);
    assertThat(o.keyDim()).isEqualTo(32 + 320);
  }

  @Test
  void toBuilderRoundTripsAndEqualityIsByValue() {
    VosOptions o = VosOptions.builder().temperature(0.02f).memoryEvery(7).localRadius(3).refine(false)
        .colourBand(5).colourWeight(2f).priorFalloff(0.7f).bank(VosOptions.defaultBank().toBuilder().budget(99).build()).build();
    assertThat(o.toBuilder().build()).isEqualTo(o).hasSameHashCodeAs(o);
    assertThat(o).isNotEqualTo(VosOptions.defaults());
    assertThat(o.toString()).contains("temperature=0.02").contains("memoryEvery=7").contains("budget=99")
        .contains("colour=band 5 weight 2.0").contains("priorFalloff=0.7");
    assertThat(o.toBuilder().priorFalloff(0).build()).isNotEqualTo(o);
    assertThat(o.toBuilder().colourBand(0).build().toString()).contains("colour=off");
  }

  @Test
  void invalidValuesNameTheField() {
    assertInvalid(b -> b.layers(List.of()), "layers");
    assertInvalid(b -> b.layers(List.of(FeatureLayer.S8, FeatureLayer.S8)), "layers names S8 twice");
    assertInvalid(b -> b.coarseLayerWeight(0), "coarseLayerWeight");
    assertInvalid(b -> b.inputScale(5), "inputScale");
    assertInvalid(b -> b.temperature(0), "temperature");
    assertInvalid(b -> b.temperature(Float.NaN), "temperature");
    assertInvalid(b -> b.classBalance(-1), "classBalance");
    assertInvalid(b -> b.bank(FeatureBankConfig.defaults()), "valueMerge must be WEIGHTED_AVERAGE");
    assertInvalid(b -> b.memoryEvery(0), "memoryEvery");
    assertInvalid(b -> b.backgroundStride(0), "backgroundStride");
    assertInvalid(b -> b.boundaryBand(-1), "boundaryBand");
    assertInvalid(b -> b.absorbMargin(0.6f), "absorbMargin");
    assertInvalid(b -> b.localRadius(-1), "localRadius");
    assertInvalid(b -> b.localTemperature(2), "localTemperature");
    assertInvalid(b -> b.localWeight(1.5f), "localWeight");
    assertInvalid(b -> b.priorStrength(-0.1f), "priorStrength");
    assertInvalid(b -> b.priorDilation(65), "priorDilation");
    assertInvalid(b -> b.priorRadius(-1), "priorRadius");
    assertInvalid(b -> b.priorFalloff(-0.1f), "priorFalloff");
    assertInvalid(b -> b.priorFalloff(Float.NaN), "priorFalloff");
    assertInvalid(b -> b.uncertaintyThreshold(0), "uncertaintyThreshold");
    assertInvalid(b -> b.refineRadius(0), "refineRadius");
    assertInvalid(b -> b.refineEpsilon(0), "refineEpsilon");
    assertInvalid(b -> b.colourBand(-1), "colourBand");
    assertInvalid(b -> b.colourBand(65), "colourBand");
    assertInvalid(b -> b.colourWeight(0), "colourWeight");
    assertThatThrownBy(() -> VosOptions.builder().featureModel(null)).hasMessageContaining("featureModel");
  }

  private static void assertInvalid(UnaryOperator<VosOptions.Builder> change, String message) {
    assertThatThrownBy(() -> change.apply(VosOptions.builder()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
