package dev.alphaflow.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.alphaflow.model.image.RgbImage;
import org.junit.jupiter.api.Test;

class ObjectCompositeTest {

  @Test
  void topObjectCoversTheBaseObjectAndKeepsItsPixels() {
    // 4x1 frames: top object on pixels 1-2, base object on pixels 2-3
    RgbImage top = new RgbImage(4, 1, new byte[] {1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4});
    RgbImage base = new RgbImage(4, 1, new byte[] {9, 9, 9, 8, 8, 8, 7, 7, 7, 6, 6, 6});
    ObjectComposite.Frame f = ObjectComposite.compose(top, new boolean[] {false, true, true, false}, base,
        new boolean[] {false, false, true, true});
    assertThat(f.image().rgb()).containsExactly(9, 9, 9, 2, 2, 2, 3, 3, 3, 6, 6, 6);
    assertThat(f.labels()).containsExactly(0, 1, 1, 2);
    assertThat(f.mask(ObjectComposite.BASE)).containsExactly(false, false, false, true);
    assertThat(base.rgb()[3]).as("base untouched").isEqualTo((byte) 8);
  }

  @Test
  void framesOfAnotherSizeAreRejected() {
    RgbImage a = new RgbImage(2, 1, new byte[6]);
    RgbImage b = new RgbImage(1, 2, new byte[6]);
    assertThatThrownBy(() -> ObjectComposite.compose(a, new boolean[2], b, new boolean[2]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one size");
  }
}
