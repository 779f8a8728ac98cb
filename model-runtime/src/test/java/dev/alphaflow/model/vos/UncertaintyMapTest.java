package dev.alphaflow.model.vos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import org.junit.jupiter.api.Test;

class UncertaintyMapTest {

  @Test
  void handComputedValues() {
    // pixels:            tie      0.6/0.4   0.9/0.1   three classes (top 0.5, 0.3)   certain
    float[] background = {0.5f, 0.4f, 0.1f, 0.2f, 0f};
    float[] objectA = {0.5f, 0.6f, 0.9f, 0.5f, 1f};
    float[] objectB = {0f, 0f, 0f, 0.3f, 0f};

    float[] u = UncertaintyMap.compute(new float[][] {background, objectA, objectB});

    assertThat(u[0]).isCloseTo(1f, offset(1e-6f));                                 // exp(1 - 1)
    assertThat(u[1]).isCloseTo((float) Math.exp(-0.5), offset(1e-6f));             // exp(1 - 1.5)
    assertThat(u[2]).isCloseTo((float) Math.exp(-8), offset(1e-7f));               // exp(1 - 9)
    assertThat(u[3]).isCloseTo((float) Math.exp(1 - 0.5 / 0.3), offset(1e-6f));    // 0.513
    assertThat(u[4]).isZero();                                                     // exp(1 - 1e8)
  }

  @Test
  void worksOnSoftAggregation() {
    SoftAggregation.Result result = SoftAggregation.aggregate(new int[] {5}, new float[][] {{0.5f, 0.99f}});
    float[] u = UncertaintyMap.compute(result);
    assertThat(u[0]).isCloseTo(1f, offset(1e-5f)); // background and object tie at 0.5
    assertThat(u[1]).isLessThan(1e-3f);
  }

  @Test
  void pixelsAboveThreshold() {
    assertThat(UncertaintyMap.above(new float[] {0.1f, 0.9f, 0.5f, 0.51f, 1f}, 0.5f)).containsExactly(1, 3, 4);
    assertThat(UncertaintyMap.above(new float[] {0.1f}, 0.5f)).isEmpty();
  }

  @Test
  void needsTwoClassesOfEqualSize() {
    assertThatThrownBy(() -> UncertaintyMap.compute(new float[][] {{1f}}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 2 classes");
    assertThatThrownBy(() -> UncertaintyMap.compute(new float[][] {{1f}, {0f, 1f}}))
        .hasMessageContaining("class 1 has 2 pixels");
  }
}
