package dev.alphaflow.model.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The benchmark's readers and EPE on one real pair: DIS MEDIUM on RubberWhale beats zero flow by far. */
class FlowBenchmarkTest {

  @Test
  void disOnRubberWhaleIsFarBetterThanZeroFlow() throws Exception {
    FlowBenchmark.Pair p = FlowBenchmark.pairs().get(2);
    assertThat(p.sequence()).isEqualTo("RubberWhale");
    FlowField gt = FlowBenchmark.readFlo(p.gt());
    assertThat(gt.width()).isEqualTo(584);
    assertThat(gt.height()).isEqualTo(388);
    double zero = FlowBenchmark.epe(FlowField.constant(584, 388, 0, 0), gt, null).valid();
    try (DisFlowEstimator dis = new DisFlowEstimator(DisPreset.MEDIUM)) {
      double epe = FlowBenchmark.epe(dis.estimate(FlowBenchmark.readRgb(p.a()), FlowBenchmark.readRgb(p.b())), gt,
          null).valid();
      assertThat(epe).as("EPE of DIS vs zero flow %s", zero).isLessThan(0.5 * zero).isLessThan(1.0);
    }
  }

  @Test
  void sintelInvalidMaskIsRead() throws Exception {
    FlowBenchmark.Pair p = FlowBenchmark.pairs().get(3);
    boolean[] invalid = FlowBenchmark.readMask(p.invalid());
    assertThat(invalid).hasSize(1024 * 436);
    assertThat(Path.of(p.gt().toString())).exists();
  }
}
