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
    assertThat(s.spinning()).isEqualTo(ThreadSpinning.ALWAYS);
    assertThat(s.dynamicBlockBase()).isZero();
  }

  @Test
  void valueSemantics() {
    SessionSettings a = SessionSettings.builder().intraOpThreads(2).executionProvider(ExecutionProvider.CUDA).build();
    SessionSettings b = a.toBuilder().build();
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(a.toBuilder().gpuDeviceId(1).build());
    assertThat(a).isNotEqualTo(a.toBuilder().spinning(ThreadSpinning.NEVER).build());
    assertThat(a.toBuilder().spinning(ThreadSpinning.DURING_RUN).build().toBuilder().build().spinning())
        .isEqualTo(ThreadSpinning.DURING_RUN);
    assertThat(a).isNotEqualTo(a.toBuilder().dynamicBlockBase(4).build());
    assertThat(a.toBuilder().dynamicBlockBase(4).build().toBuilder().build().dynamicBlockBase()).isEqualTo(4);
    assertThat(a.toString()).contains("CUDA").contains("intraOpThreads=2");
  }

  @Test
  void coresOfTheMachineAreReadWhereTheSessionOpens() {
    SessionSettings s = SessionSettings.builder().intraOpThreads(SessionSettings.CORES_OF_THE_MACHINE).build();
    assertThat(s.intraOpThreads()).isZero();
    assertThat(s.resolvedIntraOpThreads()).isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors()));
    assertThat(SessionSettings.builder().intraOpThreads(3).build().resolvedIntraOpThreads()).isEqualTo(3);
  }

  @Test
  void validation() {
    assertThatThrownBy(() -> SessionSettings.builder().intraOpThreads(-1).build())
        .hasMessageContaining("intraOpThreads must be at least 1");
    assertThatThrownBy(() -> SessionSettings.builder().interOpThreads(0).build())
        .hasMessageContaining("interOpThreads");
    assertThatThrownBy(() -> SessionSettings.builder().dynamicBlockBase(-1).build())
        .hasMessageContaining("dynamicBlockBase must be >= 0");
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
  void spinningMapsToOrtConfigEntries() {
    assertThat(configEntries(ThreadSpinning.ALWAYS))
        .containsEntry("session.intra_op.allow_spinning", "1")
        .containsEntry("session.inter_op.allow_spinning", "1")
        .containsEntry("session.force_spinning_stop", "0");
    assertThat(configEntries(ThreadSpinning.DURING_RUN))
        .containsEntry("session.intra_op.allow_spinning", "1")
        .containsEntry("session.force_spinning_stop", "1");
    assertThat(configEntries(ThreadSpinning.NEVER))
        .containsEntry("session.intra_op.allow_spinning", "0")
        .containsEntry("session.inter_op.allow_spinning", "0");
  }

  @Test
  void dynamicBlockBaseIsPassedOnlyWhenSet() {
    try (OrtSession.SessionOptions off = SessionSettings.defaults().toSessionOptions(ModelCards.RVM_MOBILENETV3);
        OrtSession.SessionOptions on = SessionSettings.builder().dynamicBlockBase(4).build()
            .toSessionOptions(ModelCards.RVM_MOBILENETV3)) {
      assertThat(off.getConfigEntries()).doesNotContainKey("session.dynamic_block_base");
      assertThat(on.getConfigEntries()).containsEntry("session.dynamic_block_base", "4");
    }
  }

  private static java.util.Map<String, String> configEntries(ThreadSpinning spinning) {
    try (OrtSession.SessionOptions options = SessionSettings.builder().spinning(spinning).build()
        .toSessionOptions(ModelCards.RVM_MOBILENETV3)) {
      return new java.util.HashMap<>(options.getConfigEntries());
    }
  }

  @Test
  void parseSpinning() {
    assertThat(ThreadSpinning.parse("during-run")).isEqualTo(ThreadSpinning.DURING_RUN);
    assertThat(ThreadSpinning.parse(" NEVER ")).isEqualTo(ThreadSpinning.NEVER);
    assertThat(ThreadSpinning.DURING_RUN.optionName()).isEqualTo("during-run");
    assertThatThrownBy(() -> ThreadSpinning.parse("sometimes"))
        .hasMessageContaining("always, during-run, never");
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
