package dev.alphaflow.model.instances;

import dev.alphaflow.model.onnx.OnnxGraphBuilder;
import dev.alphaflow.model.onnx.OnnxModelWriter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.alphaflow.model.ModelCard;
import dev.alphaflow.model.ModelLoadException;
import dev.alphaflow.model.ModelRegistry;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.SharedSession;
import dev.alphaflow.model.SharedSessions;
import dev.alphaflow.model.image.RgbImage;


import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three decoders on generated models of their contracts, against masks worked out by hand. */
class TinyContractDecodersTest {

  private static final SessionSettings ONE_THREAD = SessionSettings.builder().intraOpThreads(1).build();

  @TempDir
  Path dir;

  @AfterEach
  void noSessionLeaks() {
    assertThat(SharedSessions.openSessionCount()).isZero();
  }

  private InstanceSegmenter open(Path model, InstanceOptions options) {
    ModelCard card = InstanceTinyModels.card(model);
    return InstanceSegmenters.open(new ModelRegistry(dir), card, ONE_THREAD, options);
  }

  /** A frame where {@code red(x, y)} pixels have R = 255 and {@code green(x, y)} ones G = 255; the rest black. */
  private static RgbImage frame(int w, int h, BiPredicate<Integer, Integer> red, BiPredicate<Integer, Integer> green) {
    byte[] rgb = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = (y * w + x) * 3;
        rgb[i] = (byte) (red.test(x, y) ? 255 : 0);
        rgb[i + 1] = (byte) (green.test(x, y) ? 255 : 0);
      }
    }
    return new RgbImage(w, h, rgb);
  }

  /** Rows of '#' (set) and '.' pixels. */
  private static String render(BinaryMask mask) {
    StringBuilder s = new StringBuilder();
    for (int y = 0; y < mask.height(); y++) {
      for (int x = 0; x < mask.width(); x++) {
        s.append(mask.get(x, y) ? '#' : '.');
      }
      s.append('\n');
    }
    return s.toString();
  }

  private static String rows(String... rows) {
    return String.join("\n", rows) + "\n";
  }

  private static float sigmoid(double x) {
    return (float) (1 / (1 + Math.exp(-x)));
  }

  // ---------------------------------------------------------------- YOLO-seg contract

  @Test
  void yoloContractBoxesAndMasksComeBackThroughTheLetterbox() {
    Path model = InstanceTinyModels.yoloSeg(dir.resolve("yolo-tiny.onnx"));
    RgbImage frame = frame(64, 32, (x, y) -> false, (x, y) -> false);
    for (NmsKind kind : NmsKind.values()) {
      try (InstanceSegmenter yolo = open(model, InstanceOptions.builder().nms(kind).build())) {
        assertThat(yolo).isInstanceOf(YoloSegDecoder.class);
        List<Instance> instances = yolo.segment(frame);
        // 64x32 -> 32x16 at scale 0.5, 8 rows of padding on top: input [4,12,12,20] -> frame [8,8,24,24].
        // Anchor 1 duplicates anchor 0 (box IoU 0.78; identical 2x2-cell prototype masks, so matrix NMS decays it
        // to 0.8 * exp(-2) = 0.11 < 0.25). Anchor 2 is another class.
        assertThat(instances).as(kind.toString()).hasSize(2);
        Instance first = instances.get(0);
        assertThat(first.classId()).isZero();
        assertThat(first.label()).isEqualTo("class_0");
        assertThat(first.score()).isEqualTo(0.9f);
        assertThat(first.box()).isEqualTo(new Box(8, 8, 24, 24));
        assertThat(first.area()).isEqualTo(16 * 16);
        assertThat(first.mask().areaInside(8, 8, 24, 24)).isEqualTo(16 * 16);
        Instance second = instances.get(1);
        assertThat(second.classId()).isEqualTo(1);
        assertThat(second.score()).isEqualTo(0.6f);
        assertThat(second.box()).isEqualTo(new Box(8, 8, 24, 24));
        assertThat(second.mask().isEmpty()).isTrue(); // coefficient -1: logit -1 everywhere
      }
    }
  }

  @Test
  void yoloContractFiltersByScoreClassAndCount() {
    Path model = InstanceTinyModels.yoloSeg(dir.resolve("yolo-tiny.onnx"));
    RgbImage frame = frame(64, 32, (x, y) -> false, (x, y) -> false);
    try (InstanceSegmenter yolo = open(model, InstanceOptions.builder().classIds(Set.of(1)).build())) {
      assertThat(yolo.segment(frame)).extracting(Instance::classId).containsExactly(1);
    }
    try (InstanceSegmenter yolo = open(model, InstanceOptions.builder().scoreThreshold(0.7f).build())) {
      assertThat(yolo.segment(frame)).extracting(Instance::score).containsExactly(0.9f);
    }
    // No suppression below IoU 1: the duplicate comes back, second.
    try (InstanceSegmenter yolo = open(model, InstanceOptions.builder().iouThreshold(1f).maxInstances(2).build())) {
      assertThat(yolo.segment(frame)).extracting(Instance::score).containsExactly(0.9f, 0.8f);
    }
  }

  // ---------------------------------------------------------------- SparseInst contract

  @Test
  void sparseInstScoresAreRescoredAndMasksFollowTheInput() {
    Path model = InstanceTinyModels.sparseInst(dir.resolve("sparseinst-tiny.onnx"));
    // Red in columns 0-1, green in row 0.
    RgbImage frame = frame(4, 4, (x, y) -> x < 2, (x, y) -> y == 0);
    try (InstanceSegmenter sparse = open(model, InstanceOptions.defaults())) {
      assertThat(sparse).isInstanceOf(SparseInstDecoder.class);
      List<Instance> instances = sparse.segment(frame);
      assertThat(instances).hasSize(2);

      // Instance 0: class 1 (logits 0, 2, -1), score sqrt(sigmoid(2) * sigmoid(1)) = sqrt(0.8808 * 0.7311) = 0.8025.
      Instance a = instances.get(0);
      assertThat(a.classId()).isEqualTo(1);
      assertThat(a.label()).isEqualTo("class_1");
      assertThat(a.score()).isCloseTo((float) Math.sqrt(sigmoid(2) * sigmoid(1)), within(1e-6f))
          .isCloseTo(0.8025f, within(1e-4f));
      assertThat(render(a.mask())).isEqualTo(rows("##..", "##..", "##..", "##.."));
      assertThat(a.box()).isEqualTo(new Box(0, 0, 2, 4));

      // Instance 1: class 0 (logits 3, 0, 0), score sqrt(sigmoid(3) * sigmoid(-2)) = sqrt(0.9526 * 0.1192) = 0.3370.
      Instance b = instances.get(1);
      assertThat(b.classId()).isZero();
      assertThat(b.score()).isCloseTo((float) Math.sqrt(sigmoid(3) * sigmoid(-2)), within(1e-6f))
          .isCloseTo(0.3370f, within(1e-4f));
      assertThat(render(b.mask())).isEqualTo(rows("####", "....", "....", "...."));
      assertThat(b.box()).isEqualTo(new Box(0, 0, 4, 1));
    }
    try (InstanceSegmenter sparse = open(model, InstanceOptions.builder().scoreThreshold(0.5f).build())) {
      assertThat(sparse.segment(frame)).extracting(Instance::classId).containsExactly(1);
    }
    try (InstanceSegmenter sparse = open(model, InstanceOptions.builder().classIds(Set.of(0)).build())) {
      assertThat(sparse.segment(frame)).extracting(Instance::classId).containsExactly(0);
    }
    // Nothing red: instance 0's mask is empty, so it is no instance.
    try (InstanceSegmenter sparse = open(model, InstanceOptions.defaults())) {
      assertThat(sparse.segment(frame(4, 4, (x, y) -> false, (x, y) -> y == 0)))
          .extracting(Instance::classId).containsExactly(0);
    }
  }

  @Test
  void sparseInstLowResolutionMasksAreUpsampledBilinearly() {
    Path model = InstanceTinyModels.sparseInstHalfResolution(dir.resolve("sparseinst-half.onnx"));
    // 16x16 frame, red in columns 0-3. Resized to the 8x8 input: columns 0-1 are red (each averages two frame
    // columns). Mask logits = AveragePool2x2(10 * (R - 0.5)): grid column 0 is +5, columns 1-3 are -5.
    // Frame column x samples the 4x4 grid at g = (x + 0.5) / 4 - 0.5:
    //   x=0: -0.375 -> clamped to 0 -> +5;   x=1: -0.125 -> +5;
    //   x=2: 0.125 -> 0.875 * 5 - 0.125 * 5 = +3.75;   x=3: 0.375 -> 0.625 * 5 - 0.375 * 5 = +1.25;
    //   x=4: 0.625 -> -1.25;  further right: more negative.
    RgbImage frame = frame(16, 16, (x, y) -> x < 4, (x, y) -> false);
    try (InstanceSegmenter sparse = open(model, InstanceOptions.defaults())) {
      List<Instance> instances = sparse.segment(frame);
      assertThat(instances).hasSize(1);
      Instance only = instances.get(0);
      assertThat(only.label()).isEqualTo("class_0");
      assertThat(only.score()).isCloseTo(sigmoid(2), within(1e-6f));
      assertThat(only.box()).isEqualTo(new Box(0, 0, 4, 16));
      assertThat(only.area()).isEqualTo(4 * 16);
    }
  }

  // ---------------------------------------------------------------- CondInst contract

  @Test
  void condInstDynamicMaskHeadsGiveTheHandWorkedMasks() {
    Path model = InstanceTinyModels.condInst(dir.resolve("condinst-tiny.onnx"));
    // Red in column 0: mask_feats = 1 there, 0 elsewhere.
    RgbImage frame = frame(4, 4, (x, y) -> x == 0, (x, y) -> false);
    for (NmsKind kind : NmsKind.values()) {
      ModelCard card = InstanceTinyModels.card(model);
      try (SharedSession session = SharedSessions.acquire(new ModelRegistry(dir), card, ONE_THREAD);
           CondInstDecoder cond = new CondInstDecoder(session, InstanceOptions.builder().nms(kind).build(), 1f)) {
        List<Instance> instances = cond.segment(frame);
        // C is under the 0.25 threshold; D duplicates A (same box: box NMS; same mask: matrix decay
        // 0.7 * exp(-2) = 0.09).
        assertThat(instances).as(kind.toString()).extracting(Instance::score).containsExactly(0.9f, 0.8f);

        // A: relu(relu((x - 1) / 1)) - 0.5 > 0  <=>  x >= 2.
        Instance a = instances.get(0);
        assertThat(a.classId()).isZero();
        assertThat(a.label()).isEqualTo("person");
        assertThat(a.box()).isEqualTo(new Box(2, 0, 4, 4));
        assertThat(render(a.mask())).isEqualTo(rows("..##", "..##", "..##", "..##"));

        // B: relu(relu(R + (y - 0) - 0.5)) - 1 > 0  <=>  R + y > 1.5: y >= 1 in the red column, y >= 2 elsewhere.
        Instance b = instances.get(1);
        assertThat(b.classId()).isEqualTo(1);
        assertThat(b.label()).isEqualTo("bicycle");
        assertThat(b.box()).isEqualTo(new Box(0, 1, 4, 4));
        assertThat(render(b.mask())).isEqualTo(rows("....", "#...", "####", "####"));
      }
    }
  }

  @Test
  void condInstRelativeCoordinatesAreScaled() {
    Path model = InstanceTinyModels.condInst(dir.resolve("condinst-tiny.onnx"));
    RgbImage frame = frame(4, 4, (x, y) -> x == 0, (x, y) -> false);
    ModelCard card = InstanceTinyModels.card(model);
    try (SharedSession session = SharedSessions.acquire(new ModelRegistry(dir), card, ONE_THREAD);
         CondInstDecoder cond = new CondInstDecoder(session, InstanceOptions.builder().iouThreshold(1f).build(), 2f)) {
      List<Instance> instances = cond.segment(frame);
      // IoU threshold 1: D (box identical to A's, IoU exactly 1) is not suppressed.
      assertThat(instances).extracting(Instance::score).containsExactly(0.9f, 0.8f, 0.7f);
      // A: (x - 1) / 2 > 0.5  <=>  x > 2.   D: (x - 1.2) / 2 > 0.5  <=>  x > 2.2.
      assertThat(render(instances.get(0).mask())).isEqualTo(rows("...#", "...#", "...#", "...#"));
      assertThat(instances.get(2).mask()).isEqualTo(instances.get(0).mask());
      // B: R + y / 2 > 1.5: y > 1 in the red column, y > 3 (never) elsewhere.
      assertThat(render(instances.get(1).mask())).isEqualTo(rows("....", "....", "#...", "#..."));
    }
  }

  // ---------------------------------------------------------------- choosing and contract violations

  @Test
  void kindIsChosenFromTheOutputsAndUnknownModelsAreRejected() {
    assertThat(InstanceSegmenters.kindOf("m", List.of("output0", "output1")))
        .isEqualTo(InstanceSegmenters.Kind.YOLO_SEG);
    assertThat(InstanceSegmenters.kindOf("m", List.of("masks", "scores", "objectness")))
        .isEqualTo(InstanceSegmenters.Kind.SPARSEINST);
    assertThatThrownBy(() -> InstanceSegmenters.kindOf("m", List.of("pha", "fgr")))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("outputs are [pha, fgr]")
        .hasMessageContaining("SPARSEINST needs");

    // A model with SparseInst's output names but the wrong ranks fails at load, naming what is wrong.
    Path broken = new OnnxGraphBuilder("broken")
        .input("images", OnnxModelWriter.FLOAT, "1,3,H,W")
        .node("Identity", "images", "masks")
        .node("Identity", "images", "scores")
        .node("Identity", "images", "objectness")
        .output("masks", OnnxModelWriter.FLOAT, "1,3,H,W")
        .output("scores", OnnxModelWriter.FLOAT, "1,3,H,W")
        .output("objectness", OnnxModelWriter.FLOAT, "1,3,H,W")
        .writeTo(dir.resolve("broken.onnx"));
    assertThatThrownBy(() -> open(broken, InstanceOptions.defaults()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("does not follow the SparseInst contract")
        .hasMessageContaining("output 'scores' has rank 4")
        .hasMessageContaining("output 'objectness' has rank 4");
  }

  @Test
  void closedSegmenterRefusesFramesAndReleasesItsSession() {
    Path model = InstanceTinyModels.sparseInst(dir.resolve("sparseinst-tiny.onnx"));
    InstanceSegmenter sparse = open(model, InstanceOptions.defaults());
    assertThat(SharedSessions.openSessionCount()).isEqualTo(1);
    sparse.close();
    sparse.close();
    assertThat(SharedSessions.openSessionCount()).isZero();
    assertThatThrownBy(() -> sparse.segment(frame(4, 4, (x, y) -> true, (x, y) -> true)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }
}
