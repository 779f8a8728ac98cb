package dev.alphaflow.model.flow;

import static dev.alphaflow.model.flow.LearnedFlowTinyModels.STRIDE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.alphaflow.model.ModelCard;
import dev.alphaflow.model.ModelLoadException;
import dev.alphaflow.model.ModelRegistry;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.SharedSessions;
import dev.alphaflow.model.flow.LearnedFlowTinyModels.Variant;
import dev.alphaflow.model.image.RgbImage;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The learned-flow adapter on tiny generated models of the contract (see {@link LearnedFlowTinyModels}) against
 * values worked out independently: padding to multiples of the stride, cropping back, the iteration count and the
 * warm start reaching the model, and the load-time contract check naming what is wrong.
 */
class LearnedFlowModelTest {

  private static final SessionSettings ONE_THREAD = SessionSettings.builder().intraOpThreads(1).build();
  // 12x10 pads to 16x16 (2 px left/right, 3 top/3 bottom): a 2x2 grid of 8x8 cells.
  private static final int W = 12;
  private static final int H = 10;

  @TempDir
  Path dir;

  @AfterEach
  void noSessionLeaks() {
    assertThat(SharedSessions.openSessionCount()).isZero();
  }

  @Test
  void flowIsTheModelOutputOfThePaddedFramesCroppedBack() {
    RgbImage from = image((x, y) -> 10, (x, y) -> 10);
    RgbImage to = image((x, y) -> 10 + 20 * x, (x, y) -> 10 + 3 * y); // R grows along x, G along y
    try (LearnedFlowModel model = open(Variant.plain(), 0)) {
      FlowField flow = model.estimate(from, to);
      assertThat(flow.width()).isEqualTo(W);
      assertThat(flow.height()).isEqualTo(H);
      for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
          // Frame pixel (x, y) sits at (x + 2, y + 3) of the padded frame, in cell ((x + 2) / 8, (y + 3) / 8).
          int cx = (x + 2) / STRIDE;
          int cy = (y + 3) / STRIDE;
          assertThat(flow.dx(x, y)).as("dx at %d,%d", x, y).isCloseTo(8 * cellMean(cx, cy, 20, 0) / 255, offset(1e-4f));
          assertThat(flow.dy(x, y)).as("dy at %d,%d", x, y).isCloseTo(8 * cellMean(cx, cy, 0, 3) / 255, offset(1e-4f));
        }
      }
    }
  }

  @Test
  void iterationsAndWarmStartReachTheModel() {
    RgbImage same = image((x, y) -> 50, (x, y) -> 50);
    try (LearnedFlowModel model = open(Variant.full(), 3)) {
      assertThat(model.acceptsWarmStart()).isTrue();
      assertThat(model.iterations()).isEqualTo(3);
      LearnedFlowModel.Result cold = model.estimate(same, same, null);
      // Identical frames: only iters contributes, 0.5 * 3 per low-resolution cell, times 8 at full resolution.
      assertThat(cold.low().width()).isEqualTo(2);
      assertThat(cold.low().height()).isEqualTo(2);
      assertThat(cold.low().dx(1, 1)).isCloseTo(1.5f, offset(1e-6f));
      assertThat(cold.flow().dy(W - 1, H - 1)).isCloseTo(12f, offset(1e-5f));

      LearnedFlowModel.Result warm = model.estimate(same, same, cold.low());
      assertThat(warm.low().dx(0, 0)).isCloseTo(3f, offset(1e-6f)); // flow_init + 1.5
      assertThat(warm.flow().dx(0, 0)).isCloseTo(24f, offset(1e-5f));

      assertThatThrownBy(() -> model.estimate(same, same, FlowField.constant(3, 2, 0, 0)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("warm-start flow is 3x2")
          .hasMessageContaining("need 2x2");
    }
  }

  @Test
  void aModelWithAnItersInputNeedsAnIterationCount() {
    assertThatThrownBy(() -> open(Variant.full(), 0))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("has an 'iters' input: give a positive iteration count");
  }

  @Test
  void aFrameSizeMismatchAndUseAfterCloseFail() {
    LearnedFlowModel model = open(Variant.plain(), 0);
    RgbImage small = new RgbImage(4, 4, new byte[4 * 4 * 3]);
    assertThatThrownBy(() -> model.estimate(image((x, y) -> 0, (x, y) -> 0), small))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("12x10 and 4x4");
    model.close();
    model.close();
    assertThatThrownBy(() -> model.estimate(small, small)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void loadNamesEveryContractViolation() {
    Variant broken = new Variant(false, true, false, "img2", 3, "gain");
    assertThatThrownBy(() -> open(broken, 4))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("input 'image2' is missing")
        .hasMessageContaining("output 'flow' has shape [1,3,?,?], expected [1,2,?,?]")
        .hasMessageContaining("input 'flow_init' has shape [1,3,?,?], expected [1,2,?,?]")
        .hasMessageContaining("input 'flow_init' needs output 'flow_low'")
        .hasMessageContaining("input 'gain' is not part of the contract")
        .hasMessageContaining("4 iterations were asked for, but the model has no 'iters' input")
        .hasMessageContaining("docs/learned-flow-contract.md");
  }

  @Test
  void cardCarriesTheFileHash() {
    Path file = LearnedFlowTinyModels.model(dir.resolve("raft.onnx"), Variant.plain());
    ModelCard card = LearnedFlowModel.card("raft-things", file, "BSD-3-Clause");
    assertThat(card.sha256()).isEqualTo(ModelRegistry.sha256(file));
    assertThat(card.relativePath()).isEqualTo("raft.onnx");
    assertThat(card.license()).isEqualTo("BSD-3-Clause");
    assertThat(card.description()).contains("RAFT/GMA contract");
    assertThatThrownBy(() -> LearnedFlowModel.open(new ModelRegistry(dir), ONE_THREAD, card, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stride");
  }

  // ---------------------------------------------------------------- helpers

  private LearnedFlowModel open(Variant variant, int iterations) {
    Path file = LearnedFlowTinyModels.model(dir.resolve("flow-" + System.nanoTime() + ".onnx"), variant);
    return LearnedFlowModel.open(new ModelRegistry(dir), ONE_THREAD, LearnedFlowModel.card("tiny-flow", file, ""),
        STRIDE, iterations);
  }

  /**
   * The mean over padded cell (cx, cy) of {@code gx * x + gy * y} evaluated at the frame pixel each padded pixel
   * repeats (edge replication), written out independently of the adapter's padding code.
   */
  private static float cellMean(int cx, int cy, int gx, int gy) {
    double sum = 0;
    for (int py = cy * STRIDE; py < (cy + 1) * STRIDE; py++) {
      for (int px = cx * STRIDE; px < (cx + 1) * STRIDE; px++) {
        int x = Math.min(Math.max(px - 2, 0), W - 1);
        int y = Math.min(Math.max(py - 3, 0), H - 1);
        sum += gx * x + gy * y;
      }
    }
    return (float) (sum / (STRIDE * STRIDE));
  }

  private interface Value {
    int at(int x, int y);
  }

  /** An image with these red and green channels (blue 0): the tiny models read R into dx and G into dy. */
  private static RgbImage image(Value red, Value green) {
    byte[] rgb = new byte[W * H * 3];
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        rgb[3 * (y * W + x)] = (byte) red.at(x, y);
        rgb[3 * (y * W + x) + 1] = (byte) green.at(x, y);
      }
    }
    return new RgbImage(W, H, rgb);
  }
}
