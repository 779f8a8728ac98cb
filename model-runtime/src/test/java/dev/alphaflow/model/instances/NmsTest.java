package dev.alphaflow.model.instances;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Greedy class-aware NMS and SOLOv2 matrix NMS, checked against hand-worked numbers. */
class NmsTest {

  @Test
  void classAwareGreedyNms() {
    List<Box> boxes = List.of(
        new Box(0, 0, 10, 10), // kept
        new Box(1, 0, 11, 10), // IoU 90/110 = 0.82 with box 0, same class: dropped
        new Box(1, 0, 11, 10), // other class: kept
        new Box(20, 20, 30, 30), // far away: kept
        new Box(2, 0, 12, 10)); // IoU 80/120 = 0.67 with box 0; box 1 (0.82) is already gone: kept
    int[] classes = {0, 0, 1, 0, 0};
    assertThat(Nms.classAware(boxes, classes, 0.7f)).containsExactly(0, 2, 3, 4);
    assertThat(Nms.classAware(boxes, classes, 0.5f)).containsExactly(0, 2, 3);
    assertThat(Nms.classAware(List.of(), new int[0], 0.5f)).isEmpty();
  }

  /** Masks on a 10x1 strip: m0 = [0,4), m1 = [0,3), m2 = [6,10), m3 = [0,2), m4 = m0 in another class. */
  private static List<BinaryMask> strips() {
    return List.of(strip(0, 4), strip(0, 3), strip(6, 10), strip(0, 2), strip(0, 4));
  }

  private static BinaryMask strip(int from, int to) {
    BinaryMask.Builder b = BinaryMask.builder(10, 1);
    for (int x = from; x < to; x++) {
      b.set(x, 0);
    }
    return b.build();
  }

  @Test
  void matrixNmsGaussianDecay() {
    // IoU(0,1) = 3/4, IoU(0,3) = 2/4, IoU(1,3) = 2/3, m2 overlaps nothing. compensate = [0, 0.75, 0, 2/3].
    // decay1 = exp(-2 * 0.75^2) = exp(-1.125); decay3 = min(exp(-2 * 0.25), exp(-2 * (4/9 - 9/16)) > 1, 1)
    float[] decay = Nms.matrixDecay(strips(), new int[] {0, 0, 0, 0, 1}, MatrixNmsKernel.GAUSSIAN, 2f);
    assertThat(decay[0]).isEqualTo(1f);
    assertThat(decay[1]).isCloseTo((float) Math.exp(-1.125), within(1e-6f));
    assertThat(decay[2]).isEqualTo(1f);
    assertThat(decay[3]).isCloseTo((float) Math.exp(-0.5), within(1e-6f));
    assertThat(decay[4]).isEqualTo(1f);
  }

  @Test
  void matrixNmsLinearDecay() {
    // decay1 = (1 - 0.75) / 1; decay3 = min((1 - 0.5) / 1, (1 - 2/3) / (1 - 0.75) = 4/3, 1) = 0.5
    float[] decay = Nms.matrixDecay(strips(), new int[] {0, 0, 0, 0, 1}, MatrixNmsKernel.LINEAR, 2f);
    assertThat(decay).containsExactly(new float[] {1f, 0.25f, 1f, 0.5f, 1f}, within(1e-6f));
  }

  @Test
  void exactDuplicatesDecayToZeroWithoutDividingByZero() {
    List<BinaryMask> masks = List.of(strip(0, 4), strip(0, 4), strip(0, 4));
    float[] decay = Nms.matrixDecay(masks, new int[] {0, 0, 0}, MatrixNmsKernel.LINEAR, 2f);
    assertThat(decay).containsExactly(1f, 0f, 0f);
  }
}
