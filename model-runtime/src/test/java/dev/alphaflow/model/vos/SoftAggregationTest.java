package dev.alphaflow.model.vos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SoftAggregationTest {

  @Test
  void handComputedCases() {
    // pixel 0: one object at 0.5: odds 1, background 0.5 -> odds 1: 0.5 / 0.5
    // pixel 1: 0.8: odds 4, background 0.2 -> odds 0.25: 4 / 4.25
    SoftAggregation.Result one = SoftAggregation.aggregate(new int[] {3}, new float[][] {{0.5f, 0.8f}});
    assertThat(one.object(3)[0]).isCloseTo(0.5f, offset(1e-6f));
    assertThat(one.background()[0]).isCloseTo(0.5f, offset(1e-6f));
    assertThat(one.object(3)[1]).isCloseTo(4f / 4.25f, offset(1e-6f));
    assertThat(one.background()[1]).isCloseTo(0.25f / 4.25f, offset(1e-6f));

    // two objects 0.6 and 0.3: odds 1.5 and 3/7; background 0.4 * 0.7 = 0.28 -> odds 0.28 / 0.72
    SoftAggregation.Result two = SoftAggregation.aggregate(new int[] {42, 7}, new float[][] {{0.6f}, {0.3f}});
    double z = 1.5 + 3.0 / 7 + 0.28 / 0.72;
    assertThat(two.object(42)[0]).isCloseTo((float) (1.5 / z), offset(1e-6f));
    assertThat(two.object(7)[0]).isCloseTo((float) (3.0 / 7 / z), offset(1e-6f));
    assertThat(two.background()[0]).isCloseTo((float) (0.28 / 0.72 / z), offset(1e-6f));
  }

  @Test
  void keepsIdOrderAndSumsToOneWithBackground() {
    Random random = new Random(1);
    int[] ids = {90, -4, 17};
    float[][] p = new float[3][500];
    for (float[] map : p) {
      for (int i = 0; i < map.length; i++) {
        map[i] = random.nextInt(10) == 0 ? (random.nextBoolean() ? 0f : 1f) : random.nextFloat(); // hits the clamp
      }
    }
    SoftAggregation.Result result = SoftAggregation.aggregate(ids, p);

    assertThat(result.objectIds()).containsExactly(90, -4, 17);
    assertThat(result.objectAt(1)).isSameAs(result.object(-4));
    assertThat(result.classes()).hasNumberOfRows(4);
    assertThat(result.classes()[0]).isSameAs(result.background());
    for (int i = 0; i < 500; i++) {
      double sum = result.background()[i];
      for (int m = 0; m < 3; m++) {
        float value = result.objectAt(m)[i];
        assertThat(value).isBetween(0f, 1f);
        sum += value;
      }
      assertThat(sum).as("pixel %d", i).isCloseTo(1.0, offset(1e-6));
      assertThat(result.background()[i]).isBetween(0f, 1f);
    }
  }

  @Test
  void moreConfidentObjectWinsTheSharedPixel() {
    SoftAggregation.Result result = SoftAggregation.aggregate(new int[] {1, 2}, new float[][] {{0.9f}, {0.7f}});
    assertThat(result.object(1)[0]).isGreaterThan(result.object(2)[0]);
    assertThat(result.background()[0]).isLessThan(0.05f);
  }

  @Test
  void noObjectsIsAllBackground() {
    SoftAggregation.Result result = SoftAggregation.aggregate(new int[0], new float[0][]);
    assertThat(result.objectCount()).isZero();
    assertThat(result.pixelCount()).isZero();
  }

  @Test
  void rejectsBadInput() {
    assertThatThrownBy(() -> SoftAggregation.aggregate(new int[] {1, 1}, new float[][] {{0f}, {0f}}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("object id 1 appears twice");
    assertThatThrownBy(() -> SoftAggregation.aggregate(new int[] {1, 2}, new float[][] {{0f}, {0f, 1f}}))
        .hasMessageContaining("same pixels");
    assertThatThrownBy(() -> SoftAggregation.aggregate(new int[] {1}, new float[][] {{Float.NaN}}))
        .hasMessageContaining("expected [0, 1]");
    assertThatThrownBy(() -> SoftAggregation.aggregate(new int[] {1}, new float[][] {{0.5f}}).object(9))
        .hasMessageContaining("no object 9");
  }
}
