package dev.alphaflow.model.instances;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** COCO RLE: column-major counts starting with zeros, pycocotools' string form, IoU on runs. */
class RleTest {

  /**
   * 3 rows x 4 columns:
   * <pre>
   * . # . #
   * . # # #
   * # . . #
   * </pre>
   * Column-major: col0 = 0 0 1, col1 = 1 1 0, col2 = 0 1 0, col3 = 1 1 1
   * -> 0 0 1 1 1 0 0 1 0 1 1 1 -> runs of zeros/ones: 2, 3, 2, 1, 1, 3.
   */
  static BinaryMask handMask() {
    return BinaryMask.fromBytes(4, 3, new byte[] {
        0, 1, 0, 1,
        0, 1, 1, 1,
        1, 0, 0, 1});
  }

  @Test
  void encodesColumnMajorStartingWithZeros() {
    Rle rle = Rle.encode(handMask());
    assertThat(rle.counts()).containsExactly(2, 3, 2, 1, 1, 3);
    assertThat(rle.height()).isEqualTo(3);
    assertThat(rle.width()).isEqualTo(4);
    assertThat(rle.area()).isEqualTo(7).isEqualTo(handMask().area());
    assertThat(rle.toJson()).isEqualTo("{\"size\":[3,4],\"counts\":[2,3,2,1,1,3]}");
    assertThat(rle.decode()).isEqualTo(handMask());
  }

  @Test
  void firstPixelSetGivesLeadingZeroRun() {
    BinaryMask full = BinaryMask.fromBytes(2, 2, new byte[] {1, 1, 1, 1});
    assertThat(Rle.encode(full).counts()).containsExactly(0, 4);
    assertThat(Rle.encode(BinaryMask.empty(2, 2)).counts()).containsExactly(4);
    assertThat(Rle.encode(full).decode()).isEqualTo(full);
  }

  @Test
  void randomMasksRoundTrip() {
    Random random = new Random(7);
    for (int t = 0; t < 50; t++) {
      int w = 1 + random.nextInt(40);
      int h = 1 + random.nextInt(40);
      byte[] values = new byte[w * h];
      double density = random.nextDouble();
      for (int i = 0; i < values.length; i++) {
        values[i] = (byte) (random.nextDouble() < density ? 1 : 0);
      }
      BinaryMask mask = BinaryMask.fromBytes(w, h, values);
      Rle rle = Rle.encode(mask);
      assertThat(rle.decode()).isEqualTo(mask);
      assertThat(rle.area()).isEqualTo(mask.area());
      assertThat(Rle.fromCompressedString(h, w, rle.toCompressedString())).isEqualTo(rle);
    }
  }

  @Test
  void iouOnRunsMatchesIouOnPixels() {
    BinaryMask a = handMask();
    // . . # #
    // . # # #
    // . . . #
    BinaryMask b = BinaryMask.fromBytes(4, 3, new byte[] {0, 0, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1});
    // a & b = (1,1), (2,1), (3,0), (3,1), (3,2) = 5; a | b = 7 + 6 - 5 = 8
    assertThat(Rle.encode(a).intersection(Rle.encode(b))).isEqualTo(5);
    assertThat(Rle.encode(a).iou(Rle.encode(b))).isEqualTo(5 / 8.0);
    assertThat(a.iou(b)).isEqualTo(5 / 8.0);

    Random random = new Random(11);
    for (int t = 0; t < 20; t++) {
      BinaryMask x = randomMask(random, 13, 9);
      BinaryMask y = randomMask(random, 13, 9);
      assertThat(Rle.encode(x).iou(Rle.encode(y))).isEqualTo(x.iou(y));
    }
    assertThat(Rle.encode(BinaryMask.empty(3, 3)).iou(Rle.encode(BinaryMask.empty(3, 3)))).isZero();
  }

  @Test
  void compressedStringMatchesPycocotoolsByHand() {
    // rleToString: each count (minus the one two back from the 4th on) in 5-bit groups, low first, '0' + group,
    // 0x20 = more groups follow, 0x10 of the last group = sign.
    assertThat(Rle.of(2, 3, new int[] {3, 2, 1}).toCompressedString()).isEqualTo("321");
    // counts 0, 5, 10, 2: the 4th is stored as 2 - 5 = -3 -> 0b11101 = 29 -> '0' + 29 = 'M'
    assertThat(Rle.of(1, 17, new int[] {0, 5, 10, 2}).toCompressedString()).isEqualTo("05:M");
    // 100 = 0b00011_00100: group 4 with "more" (4 | 32 = 36 -> 'T'), then 3 -> '3'
    assertThat(Rle.of(10, 10, new int[] {100}).toCompressedString()).isEqualTo("T3");
    assertThat(Rle.fromCompressedString(1, 17, "05:M").counts()).containsExactly(0, 5, 10, 2);
    assertThat(Rle.fromCompressedString(10, 10, "T3").counts()).containsExactly(100);
  }

  @Test
  void rejectsCountsThatDoNotFitTheSize() {
    assertThatThrownBy(() -> Rle.of(2, 2, new int[] {1, 2})).hasMessageContaining("sum to 3");
    assertThatThrownBy(() -> Rle.of(2, 2, new int[] {5, -1})).hasMessageContaining("non-negative");
    assertThatThrownBy(() -> Rle.fromCompressedString(2, 2, "T")).hasMessageContaining("ends inside");
  }

  private static BinaryMask randomMask(Random random, int w, int h) {
    byte[] values = new byte[w * h];
    for (int i = 0; i < values.length; i++) {
      values[i] = (byte) random.nextInt(2);
    }
    return BinaryMask.fromBytes(w, h, values);
  }
}
