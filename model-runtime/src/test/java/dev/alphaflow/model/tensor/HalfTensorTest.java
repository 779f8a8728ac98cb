package dev.alphaflow.model.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

class HalfTensorTest {

  @Test
  void roundTripsValuesThroughFp16() {
    float[] values = {0f, 0.5f, -2f, 1f / 3, 1000.25f, 1e-3f};
    HalfTensor t = HalfTensor.fromFloats(new long[] {1, 2, 3}, values);
    assertThat(t.shape()).containsExactly(1, 2, 3);
    assertThat(t.size()).isEqualTo(6);
    assertThat(t.byteSize()).isEqualTo(12);
    float[] back = t.toFloats();
    for (int i = 0; i < values.length; i++) {
      assertThat(back[i]).isEqualTo(Fp16.toFloat(Fp16.fromFloat(values[i])));
      // fp16 keeps 11 significant bits for normal values
      assertThat(back[i]).isCloseTo(values[i], org.assertj.core.data.Percentage.withPercentage(0.05 + 1e-3));
    }
  }

  @Test
  void equalityIsOverShapeAndData() {
    HalfTensor a = HalfTensor.fromFloats(new long[] {2, 2}, new float[] {1, 2, 3, 4});
    HalfTensor b = HalfTensor.ofBits(new long[] {2, 2}, a.toBits());
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(HalfTensor.fromFloats(new long[] {4}, new float[] {1, 2, 3, 4}));
    assertThat(a).isNotEqualTo(HalfTensor.fromFloats(new long[] {2, 2}, new float[] {1, 2, 3, 5}));
  }

  @Test
  void isImmutable() {
    short[] bits = {1, 2};
    long[] shape = {2};
    HalfTensor t = HalfTensor.ofBits(shape, bits);
    bits[0] = 99;
    shape[0] = 7;
    t.shape()[0] = 5;
    t.toBits()[1] = 42;
    assertThat(t.bitsAt(0)).isEqualTo((short) 1);
    assertThat(t.bitsAt(1)).isEqualTo((short) 2);
    assertThat(t.dim(0)).isEqualTo(2);
    assertThat(t.bits().isReadOnly()).isTrue();
  }

  @Test
  void rejectsMismatchedShapes() {
    assertThatThrownBy(() -> HalfTensor.fromFloats(new long[] {2, 3}, new float[5]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[2, 3]")
        .hasMessageContaining("6 elements but 5");
    assertThatThrownBy(() -> HalfTensor.zeros(-1, 2)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void zerosAndSerialization() throws Exception {
    HalfTensor zeros = HalfTensor.zeros(1, 1, 1, 1);
    assertThat(zeros.isAllZero()).isTrue();
    HalfTensor t = HalfTensor.fromFloats(new long[] {3}, new float[] {1, -1, 0.25f});
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(t);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertThat(in.readObject()).isEqualTo(t);
    }
  }
}
