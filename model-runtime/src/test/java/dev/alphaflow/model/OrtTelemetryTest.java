package dev.alphaflow.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OrtTelemetryTest {

  @Test
  void theNativeEnvironmentOptsOutBeforeOnnxRuntimeStarts() {
    OrtRuntime.environment();
    // Surefire does not set the variable, so the value native code sees is the one OrtRuntime set.
    assertThat(System.getenv(OrtTelemetry.OPT_OUT_VARIABLE)).isNull();
    assertThat(OrtTelemetry.nativeValue()).isEqualTo("1");
  }
}
