package dev.alphaflow.model.instances;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InstanceOptionsTest {

  @Test
  void defaultsAndClassFilter() {
    InstanceOptions defaults = InstanceOptions.defaults();
    assertThat(defaults.scoreThreshold()).isEqualTo(0.25f);
    assertThat(defaults.nms()).isEqualTo(NmsKind.CLASS_AWARE_NMS);
    assertThat(defaults.keepsClass(17, "horse")).isTrue();

    InstanceOptions people = InstanceOptions.builder().classNames(Set.of(" Person")).classIds(Set.of(32)).build();
    assertThat(people.keepsClass(0, "person")).isTrue();
    assertThat(people.keepsClass(32, "sports ball")).isTrue();
    assertThat(people.keepsClass(2, "car")).isFalse();
    assertThat(people.classNames()).containsExactly("person");
  }

  @Test
  void serializableAndCopyable() throws Exception {
    InstanceOptions options = InstanceOptions.builder().nms(NmsKind.MATRIX_NMS).matrixKernel(MatrixNmsKernel.LINEAR)
        .classIds(Set.of(0, 1)).maxInstances(5).build();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(options);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertThat(in.readObject()).isEqualTo(options);
    }
    assertThat(options.toBuilder().build()).isEqualTo(options).hasSameHashCodeAs(options);
    assertThat(options.toString()).contains("MATRIX_NMS", "LINEAR");
  }

  @Test
  void rejectsBadValuesWithAHint() {
    assertThatThrownBy(() -> InstanceOptions.builder().scoreThreshold(1.5f).build())
        .hasMessageContaining("scoreThreshold must be in [0, 1)");
    assertThatThrownBy(() -> InstanceOptions.builder().maxInstances(0).build()).hasMessageContaining("maxInstances");
    assertThatThrownBy(() -> InstanceOptions.builder().maxInstances(50).maxCandidates(10).build())
        .hasMessageContaining("maxCandidates (10) must be at least maxInstances (50)");
    assertThatThrownBy(() -> InstanceOptions.builder().iouThreshold(0f).build()).hasMessageContaining("iouThreshold");
    assertThatThrownBy(() -> InstanceOptions.builder().matrixSigma(Float.NaN).build())
        .hasMessageContaining("matrixSigma");
    assertThatThrownBy(() -> InstanceOptions.builder().maskThreshold(1f).build()).hasMessageContaining("maskThreshold");
    assertThatThrownBy(() -> InstanceOptions.builder().classIds(Set.of(-1)).build()).hasMessageContaining("classIds");
  }
}
