package dev.alphaflow.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.Test;

/** Defaults, validation and equality of session settings; provider parsing. */
class SessionSettingsTest {

  @Test
  void defaults() {
    SessionSettings s = SessionSettings.defaults();
    assertThat(s.intraOpThreads()).isEqualTo(Math.min(Runtime.getRuntime().availableProcessors(), 4));
    assertThat(s.interOpThreads()).isEqualTo(1);
    assertThat(s.optimizationLevel()).isEqualTo(OptimizationLevel.ALL);
    assertThat(s.executionProvider()).isEqualTo(ExecutionProvider.CPU);
    assertThat(s.allowCpuFallback()).isFalse();
    assertThat(s.gpuDeviceId()).isZero();
  }

  @Test
  void valueSemantics() {
    SessionSettings a = SessionSettings.builder().intraOpThreads(2).executionProvider(ExecutionProvider.CUDA).build();
    SessionSettings b = a.toBuilder().build();
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(a.toBuilder().gpuDeviceId(1).build());
    assertThat(a.toString()).contains("CUDA").contains("intraOpThreads=2");
  }

  @Test
  void validation() {
    assertThatThrownBy(() -> SessionSettings.builder().intraOpThreads(0).build())
        .hasMessageContaining("intraOpThreads must be at least 1");
    assertThatThrownBy(() -> SessionSettings.builder().interOpThreads(0).build())
        .hasMessageContaining("interOpThreads");
    assertThatThrownBy(() -> SessionSettings.builder().gpuDeviceId(-1).build())
        .hasMessageContaining("gpuDeviceId");
  }

  @Test
  void cpuOptionsBuild() {
    try (OrtSession.SessionOptions options = SessionSettings.defaults().toSessionOptions(ModelCards.RVM_MOBILENETV3)) {
      assertThat(options).isNotNull();
    }
  }

  @Test
  void parseProvider() {
    assertThat(ExecutionProvider.parse("cpu")).isEqualTo(ExecutionProvider.CPU);
    assertThat(ExecutionProvider.parse(" CUDA ")).isEqualTo(ExecutionProvider.CUDA);
    assertThat(ExecutionProvider.parse("TensorRT")).isEqualTo(ExecutionProvider.TENSORRT);
    assertThat(ExecutionProvider.parse("tensor_rt")).isEqualTo(ExecutionProvider.TENSORRT);
    assertThatThrownBy(() -> ExecutionProvider.parse("rocm"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'rocm'")
        .hasMessageContaining("cpu, cuda, tensorrt");
  }

  @Test
  void optimizationLevelsMapToOrt() {
    assertThat(OptimizationLevel.NONE.toOrt()).isEqualTo(OrtSession.SessionOptions.OptLevel.NO_OPT);
    assertThat(OptimizationLevel.ALL.toOrt()).isEqualTo(OrtSession.SessionOptions.OptLevel.ALL_OPT);
  }
}
