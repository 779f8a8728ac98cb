package dev.alphaflow.model.instances;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BinaryMaskTest {

  @Test
  void setGetAreaBoxAndBytes() {
    BinaryMask mask = BinaryMask.builder(70, 3).set(1, 0).set(69, 2).set(65, 1).build();
    assertThat(mask.area()).isEqualTo(3);
    assertThat(mask.get(1, 0)).isTrue();
    assertThat(mask.get(69, 2)).isTrue();
    assertThat(mask.get(0, 0)).isFalse();
    assertThat(mask.boundingBox()).isEqualTo(new Box(1, 0, 70, 3));
    assertThat(mask.areaInside(0, 0, 66, 3)).isEqualTo(2);
    byte[] bytes = mask.toBytes((byte) 255);
    assertThat(bytes[1]).isEqualTo((byte) 255);
    assertThat(BinaryMask.fromBytes(70, 3, bytes)).isEqualTo(mask).hasSameHashCodeAs(mask);
    assertThat(BinaryMask.empty(4, 4).boundingBox()).isNull();
  }

  @Test
  void iouAndValidation() {
    BinaryMask a = BinaryMask.fromBytes(2, 2, new byte[] {1, 1, 0, 0});
    BinaryMask b = BinaryMask.fromBytes(2, 2, new byte[] {0, 1, 0, 1});
    assertThat(a.intersection(b)).isEqualTo(1);
    assertThat(a.iou(b)).isEqualTo(1 / 3.0);
    assertThatThrownBy(() -> a.iou(BinaryMask.empty(3, 2))).hasMessageContaining("sizes differ");
    assertThatThrownBy(() -> BinaryMask.fromBytes(2, 2, new byte[3])).hasMessageContaining("needs 4");
    assertThatThrownBy(() -> BinaryMask.builder(0, 2)).hasMessageContaining("positive");
  }

  @Test
  void boxIouAndClip() {
    Box a = new Box(0, 0, 4, 4);
    assertThat(a.iou(new Box(2, 0, 6, 4))).isEqualTo(8f / 24f);
    assertThat(a.iou(new Box(5, 5, 6, 6))).isZero();
    assertThat(Box.ofCenter(8, 16, 8, 8)).isEqualTo(new Box(4, 12, 12, 20));
    assertThat(new Box(-3, 2, 50, 9).clip(10, 8)).isEqualTo(new Box(0, 2, 10, 8));
    assertThatThrownBy(() -> new Box(3, 0, 2, 1)).hasMessageContaining("out of order");
  }
}
