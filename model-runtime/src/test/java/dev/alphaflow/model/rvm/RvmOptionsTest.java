package dev.alphaflow.model.rvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RvmOptionsTest {

  @Test
  void automaticRatioBringsTheLongSideTo512() {
    RvmOptions options = RvmOptions.defaults();
    assertThat(options.downsampleRatio()).isNull();
    assertThat(options.ratioFor(1920, 1080)).isEqualTo(512f / 1920);
    assertThat(options.ratioFor(480, 854)).isEqualTo(512f / 854);
    assertThat(options.ratioFor(320, 240)).isEqualTo(1f);
  }

  @Test
  void fixedRatioWins() {
    RvmOptions options = RvmOptions.builder().downsampleRatio(0.25f).build();
    assertThat(options.ratioFor(1920, 1080)).isEqualTo(0.25f);
    assertThat(options).isEqualTo(RvmOptions.builder().downsampleRatio(0.25f).build());
    assertThat(options).isNotEqualTo(RvmOptions.defaults());
  }

  @Test
  void validation() {
    assertThatThrownBy(() -> RvmOptions.builder().downsampleRatio(0f).build()).hasMessageContaining("(0, 1]");
    assertThatThrownBy(() -> RvmOptions.builder().downsampleRatio(1.5f).build()).hasMessageContaining("(0, 1]");
    assertThatThrownBy(() -> RvmOptions.builder().maxDownsampledLongSide(0).build())
        .hasMessageContaining("maxDownsampledLongSide");
  }

  @Test
  void alpha8RoundsAndClamps() {
    RvmResult result = new RvmResult(new float[] {0f, 1f, 0.5f, -0.2f, 1.3f, 0.002f, Float.NaN}, 7, 1, null,
        RecurrentState.initial(), 0, 0);
    assertThat(result.alpha8()).containsExactly(0, (byte) 255, (byte) 128, 0, (byte) 255, 1, 0);
  }
}
