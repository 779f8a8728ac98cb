package dev.alphaflow.model.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ForwardBackwardCheckTest {

  private static final int W = 20;
  private static final int H = 12;

  @Test
  void consistentShiftIsVisibleExceptWhereItLeavesTheFrame() {
    boolean[] occluded = ForwardBackwardCheck.DEFAULT.occluded(
        FlowField.constant(W, H, 3, 2), FlowField.constant(W, H, -3, -2));
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        boolean leaves = x + 3 > W - 1 || y + 2 > H - 1;
        assertThat(occluded[y * W + x]).as("(%s, %s)", x, y).isEqualTo(leaves);
      }
    }
  }

  @Test
  void inconsistentBackwardFlowMarksThePixelsThatLandOnIt() {
    // Frame a moves 3 px right; in frame b a still occluder covers columns 10..13, whose backward flow is zero.
    float[] backward = FlowField.constant(W, H, -3, 0).data();
    for (int y = 0; y < H; y++) {
      for (int x = 10; x <= 13; x++) {
        backward[y * W + x] = 0;
      }
    }
    boolean[] occluded = ForwardBackwardCheck.DEFAULT.occluded(
        FlowField.constant(W, H, 3, 0), new FlowField(W, H, backward));
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        boolean landsOnOccluder = x + 3 >= 10 && x + 3 <= 13;
        boolean leaves = x + 3 > W - 1;
        assertThat(occluded[y * W + x]).as("(%s, %s)", x, y).isEqualTo(landsOnOccluder || leaves);
      }
    }
  }

  @Test
  void toleranceGrowsWithTheMotion() {
    // A 0.9 px round-trip error: occluded for slow motion (0.81 > 0.5 + 0.01 * 2) but not for 5 px motion
    // (0.81 < 0.5 + 0.01 * (25 + 16.81)).
    assertThat(ForwardBackwardCheck.DEFAULT.occluded(
        FlowField.constant(W, H, 0.1f, 0), FlowField.constant(W, H, 0.8f, 0))[0]).isTrue();
    assertThat(ForwardBackwardCheck.DEFAULT.occluded(
        FlowField.constant(W, H, 5, 0), FlowField.constant(W, H, -4.1f, 0))[0]).isFalse();
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> new ForwardBackwardCheck(-1, 0.5f)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ForwardBackwardCheck.DEFAULT.occluded(
        FlowField.constant(W, H, 0, 0), FlowField.constant(W + 1, H, 0, 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("20x12");
  }
}
