package dev.alphaflow.model.rvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.alphaflow.model.tensor.HalfTensor;
import org.junit.jupiter.api.Test;

class RecurrentStateTest {

  @Test
  void initialIsFourUnitZeros() {
    RecurrentState initial = RecurrentState.initial();
    assertThat(initial.isInitial()).isTrue();
    for (int k = 1; k <= 4; k++) {
      assertThat(initial.r(k).shape()).containsExactly(1, 1, 1, 1);
    }
    assertThat(initial.byteSize()).isEqualTo(8);
    assertThat(RecurrentState.of(initial.tensors())).isEqualTo(initial).hasSameHashCodeAs(initial);
  }

  @Test
  void carriedStateIsNotInitial() {
    HalfTensor r = HalfTensor.fromFloats(new long[] {1, 2, 1, 1}, new float[] {0.5f, -0.5f});
    RecurrentState state = RecurrentState.of(r, r, r, r);
    assertThat(state.isInitial()).isFalse();
    assertThat(state.byteSize()).isEqualTo(16);
    assertThat(state.sameShapes(RecurrentState.initial())).isFalse();
    assertThat(state).isNotEqualTo(RecurrentState.initial());
  }

  @Test
  void validatesTensors() {
    HalfTensor batch2 = HalfTensor.zeros(2, 1, 1, 1);
    HalfTensor ok = HalfTensor.zeros(1, 1, 1, 1);
    assertThatThrownBy(() -> RecurrentState.of(batch2, ok, ok, ok)).hasMessageContaining("r1 must have shape [1,C,h,w]");
    assertThatThrownBy(() -> RecurrentState.of(java.util.List.of(ok, ok))).hasMessageContaining("4 recurrent states");
    assertThatThrownBy(() -> RecurrentState.initial().r(5)).isInstanceOf(IndexOutOfBoundsException.class);
  }
}
