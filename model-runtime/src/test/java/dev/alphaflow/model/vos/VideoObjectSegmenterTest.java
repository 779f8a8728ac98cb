package dev.alphaflow.model.vos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.alphaflow.model.ModelCard;
import dev.alphaflow.model.ModelLoadException;
import dev.alphaflow.model.ModelRegistry;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.SharedSessions;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.instances.BinaryMask;
import dev.alphaflow.model.instances.Instance;
import dev.alphaflow.model.tensor.HalfTensor;
import dev.alphaflow.model.testing.TinyFeatureModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The segmenter on a generated feature extractor with MobileNetV2's contract and a synthetic video (two coloured
 * squares moving over a textured background): prompts, multi-object label maps, determinism, restore from fp16
 * state, and the bank budget.
 */
class VideoObjectSegmenterTest {

  static final int W = 256;
  static final int H = 192;
  static final int SIDE = 48;

  @TempDir
  Path dir;

  private ModelRegistry registry;
  private ModelCard card;
  private VideoObjectSegmenter segmenter;

  @BeforeEach
  void open() {
    Path file = TinyFeatureModels.mobileNetV2FeaturesContract(dir.resolve("features-tiny.onnx"));
    registry = new ModelRegistry(dir);
    card = TinyFeatureModels.card(file);
    segmenter = open(options().build());
  }

  @AfterEach
  void close() {
    segmenter.close();
    assertThat(SharedSessions.openSessionCount()).isZero();
  }

  private VosOptions.Builder options() {
    return VosOptions.builder().featureModel(card).bank(VosOptions.defaultBank().toBuilder()
        .readoutKernel(ReadoutKernel.JAVA).build());
  }

  private VideoObjectSegmenter open(VosOptions options) {
    return VideoObjectSegmenter.open(registry, SessionSettings.builder().intraOpThreads(1).build(), options);
  }

  // ---- synthetic video ----------------------------------------------------------------------------------------

  /** Top-left corner of square {@code object} (1 red, 2 blue) on frame t: they drift 2 to 3 px per frame. */
  static int[] corner(int object, int t) {
    return object == 1 ? new int[] {32 + 3 * t, 40 + 2 * t} : new int[] {168 - 3 * t, 104};
  }

  static RgbImage frame(int t) {
    byte[] rgb = texturedBackground(W);
    paint(rgb, corner(2, t), 40, 60, 220);
    paint(rgb, corner(1, t), 220, 50, 40);
    return new RgbImage(W, H, rgb);
  }

  /** A grey-green noise texture {@code width x H}, the same on every call (so the background never moves). */
  private static byte[] texturedBackground(int width) {
    byte[] rgb = new byte[width * H * 3];
    Random random = new Random(7);
    for (int i = 0; i < width * H; i++) {
      int grey = 110 + random.nextInt(30);
      rgb[3 * i] = (byte) grey;
      rgb[3 * i + 1] = (byte) (grey + 10);
      rgb[3 * i + 2] = (byte) grey;
    }
    return rgb;
  }

  private static void paint(byte[] rgb, int[] corner, int r, int g, int b) {
    for (int y = corner[1]; y < corner[1] + SIDE; y++) {
      for (int x = corner[0]; x < corner[0] + SIDE; x++) {
        int i = y * W + x;
        rgb[3 * i] = (byte) r;
        rgb[3 * i + 1] = (byte) g;
        rgb[3 * i + 2] = (byte) b;
      }
    }
  }

  /** The visible pixels of square {@code object} on frame t (square 1 is painted over square 2). */
  static BinaryMask truth(int object, int t) {
    BinaryMask.Builder b = BinaryMask.builder(W, H);
    int[] c = corner(object, t);
    int[] other = corner(1, t);
    for (int y = c[1]; y < c[1] + SIDE; y++) {
      for (int x = c[0]; x < c[0] + SIDE; x++) {
        boolean covered = object == 2 && x >= other[0] && x < other[0] + SIDE && y >= other[1]
            && y < other[1] + SIDE;
        if (!covered) {
          b.set(x, y);
        }
      }
    }
    return b.build();
  }

  private static BinaryMask box(int x0, int y0, int x1, int y1) {
    return box(W, x0, y0, x1, y1);
  }

  /** The rectangle [x0, x1) x [y0, y1) on a {@code width x H} frame. */
  private static BinaryMask box(int width, int x0, int y0, int x1, int y1) {
    BinaryMask.Builder b = BinaryMask.builder(width, H);
    for (int y = y0; y < y1; y++) {
      for (int x = x0; x < x1; x++) {
        b.set(x, y);
      }
    }
    return b.build();
  }

  // ---- prompts --------------------------------------------------------------------------------------------------

  /** The Java kernel, failing with an exception on the {@code failOn}-th attend call from now (0: never). */
  static final class FailingReadout implements AttentionReadout {
    private final AttentionReadout java = AttentionReadout.java();
    private int callsLeft;

    void failOnCall(int fromNow) {
      callsLeft = fromNow;
    }

    @Override
    public void attend(float[] queries, int queryCount, float[] keys, float[] values, int entryCount, int keyDim,
        int valueDim, float hitThreshold, float[] out, int[] hits) {
      if (callsLeft > 0 && --callsLeft == 0) {
        throw new IllegalStateException("injected readout failure");
      }
      java.attend(queries, queryCount, keys, values, entryCount, keyDim, valueDim, hitThreshold, out, hits);
    }

    @Override
    public ReadoutKernel kernel() {
      return ReadoutKernel.JAVA;
    }

    @Override
    public void close() {
      java.close();
    }
  }

  private static Map<Integer, List<HalfTensor>> bankContents(VosMemory memory) {
    Map<Integer, List<HalfTensor>> contents = new TreeMap<>();
    memory.banks().forEach((id, bank) -> contents.put(id, bank.toHalfTensors()));
    return contents;
  }

  @Test
  void aFrameThatFailsAfterTheBanksWereReadLeavesTheMemoryAsItWas() {
    FailingReadout readout = new FailingReadout();
    try (VideoObjectSegmenter s = VideoObjectSegmenter.open(registry, SessionSettings.builder().intraOpThreads(1)
        .build(), options().build(), readout)) {
      VosMemory memory = new VosMemory();
      s.segment(frame(0), 0, memory, List.of(VosPrompt.add(1, truth(1, 0)), VosPrompt.add(2, truth(2, 0))));
      s.segment(frame(1), 1, memory, List.of());
      Map<Integer, FeatureBank> banksBefore = new TreeMap<>(memory.banks());
      Map<Integer, List<HalfTensor>> contentsBefore = bankContents(memory);
      FrameMemory previousBefore = memory.previous();

      readout.failOnCall(2); // object 1's bank is read (its usage would count), object 2's read fails
      assertThatThrownBy(() -> s.segment(frame(2), 2, memory, List.of())).hasMessageContaining("injected");

      assertThat(memory.banks()).isEqualTo(banksBefore);
      assertThat(bankContents(memory)).as("entries, birth frames and usage counts").isEqualTo(contentsBefore);
      assertThat(memory.previous()).isSameAs(previousBefore);

      // the same frame, run again, reads and counts as it would have the first time
      s.segment(frame(2), 2, memory, List.of());
      assertThat(bankContents(memory).get(1)).as("a successful read counts usage").isNotEqualTo(contentsBefore.get(1));
    }
  }

  @Test
  void storedBanksRunWithTheOptionsBankConfig() {
    VosMemory memory = new VosMemory();
    segmenter.segment(frame(0), 0, memory, List.of(VosPrompt.add(1, truth(1, 0))));
    FeatureBankConfig stored = memory.banks().get(1).config().toBuilder().budget(7).thresClose(0.5f).build();
    // a bank as a checkpoint of a job with other options restores it
    memory.banks().put(1, FeatureBank.fromHalfTensors(memory.banks().get(1).toHalfTensors(), stored));

    segmenter.segment(frame(20), 20, memory, List.of()); // on the absorb cadence

    FeatureBank bank = memory.banks().get(1);
    assertThat(bank.config()).isEqualTo(segmenter.options().bank());
    assertThat(bank.size()).as("entries beyond the stored budget of 7 stay").isGreaterThan(7);
  }

  @Test
  void checkPromptNamesEachProblem() {
    VosMemory memory = new VosMemory();
    BinaryMask mask = truth(1, 0);

    assertThat(VideoObjectSegmenter.checkPrompt(VosPrompt.add(1, mask), memory, W, H)).isEmpty();
    assertThat(VideoObjectSegmenter.checkPrompt(VosPrompt.add(1, mask), memory, W + 1, H)).hasValueSatisfying(
        s -> assertThat(s).contains("256x192").contains("257x192"));
    assertThat(VideoObjectSegmenter.checkPrompt(VosPrompt.add(1, BinaryMask.empty(W, H)), memory, W, H))
        .hasValueSatisfying(s -> assertThat(s).contains("empty"));
    assertThat(VideoObjectSegmenter.checkPrompt(VosPrompt.add(0, mask), memory, W, H))
        .hasValueSatisfying(s -> assertThat(s).contains("object id 0").contains("1..255"));
    assertThat(VideoObjectSegmenter.checkPrompt(VosPrompt.add(256, mask), memory, W, H))
        .hasValueSatisfying(s -> assertThat(s).contains("object id 256"));
    assertThat(VideoObjectSegmenter.checkPrompt(VosPrompt.remove(3), memory, W, H))
        .hasValueSatisfying(s -> assertThat(s).contains("REMOVE of object 3").contains("not tracked"));
    assertThat(VideoObjectSegmenter.checkPrompt(new VosPrompt(4, VosPrompt.Action.ADD, null), memory, W, H))
        .hasValueSatisfying(s -> assertThat(s).contains("ADD of object 4 has no mask"));

    segmenter.segment(frame(0), 0, memory, List.of(VosPrompt.add(3, mask)));
    assertThat(VideoObjectSegmenter.checkPrompt(VosPrompt.remove(3), memory, W, H)).isEmpty();
  }

  @Test
  void invalidPromptIsRejectedWithoutChangingMemory() {
    VosMemory memory = new VosMemory();
    segmenter.segment(frame(0), 0, memory, List.of(VosPrompt.add(1, truth(1, 0))));
    FrameMemory before = memory.previous();

    assertThatThrownBy(() -> segmenter.segment(frame(1), 1, memory,
        List.of(VosPrompt.add(2, truth(2, 1)), VosPrompt.remove(9))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("prompt 1 on frame 1")
        .hasMessageContaining("REMOVE of object 9");
    assertThat(memory.objectIds()).containsExactly(1);
    assertThat(memory.previous()).isSameAs(before);
  }

  @Test
  void promptedObjectIsItsMaskAndIsTrackedAfterwards() {
    VosMemory memory = new VosMemory();
    VosResult first = segmenter.segment(frame(0), 0, memory, List.of(VosPrompt.add(1, truth(1, 0))));

    assertThat(first.objects()).hasSize(1);
    assertThat(first.objects().get(0).mask()).isEqualTo(truth(1, 0));
    assertThat(first.objects().get(0).score()).isEqualTo(1f);
    assertThat(memory.objectIds()).containsExactly(1);
    assertThat(memory.previous().frameIndex()).isZero();
    assertThat(first.timingsMicros()).containsKeys("features", "keys", "memory", "total");

    for (int t = 1; t <= 6; t++) {
      VosResult result = segmenter.segment(frame(t), t, memory, List.of());
      SegmentedMask object = result.objects().get(0);
      assertThat(object.objectId()).isEqualTo(1);
      assertThat(object.mask().iou(truth(1, t))).as("IoU on frame %d", t).isGreaterThan(0.8);
      assertThat(object.score()).isBetween(0.5f, 1f);
      assertThat(result.timingsMicros()).containsKeys("readout", "aggregate", "labels");
    }
  }

  /**
   * A 384x192 frame with the textured background, the tracked red square at x 16..63 and, from frame 1 on, a
   * look-alike red square at x 304..351, 30 key-grid cells away.
   */
  private static RgbImage frameWithLookAlike(boolean lookAlike) {
    int w = 384;
    byte[] rgb = texturedBackground(w);
    for (int y = 72; y < 72 + SIDE; y++) {
      for (int x = 16; x < 16 + SIDE; x++) {
        rgb[3 * (y * w + x)] = (byte) 220;
        rgb[3 * (y * w + x) + 1] = 50;
        rgb[3 * (y * w + x) + 2] = 40;
        if (lookAlike) {
          int i = y * w + x + 288;
          rgb[3 * i] = (byte) 220;
          rgb[3 * i + 1] = 50;
          rgb[3 * i + 2] = 40;
        }
      }
    }
    return new RgbImage(w, H, rgb);
  }

  /** Pixels of object 1 on the look-alike's square after a prompt on the plain frame, with {@code falloff}. */
  private int[] lookAlikeAndObjectPixels(float falloff) {
    try (VideoObjectSegmenter s = open(options().priorFalloff(falloff).build())) {
      BinaryMask prompt = box(384, 16, 72, 16 + SIDE, 72 + SIDE);
      VosMemory memory = new VosMemory();
      s.segment(frameWithLookAlike(false), 0, memory, List.of(VosPrompt.add(1, prompt)));
      int lookAlike = 0;
      int object = 0;
      for (int t = 1; t <= 3; t++) {
        byte[] labels = s.segment(frameWithLookAlike(true), t, memory, List.of()).labels();
        for (int y = 72; y < 72 + SIDE; y++) {
          for (int x = 16; x < 16 + SIDE; x++) {
            object += labels[y * 384 + x] == 1 ? 1 : 0;
            lookAlike += labels[y * 384 + x + 288] == 1 ? 1 : 0;
          }
        }
      }
      return new int[] {lookAlike, object};
    }
  }

  @Test
  void aLookAlikeFarFromThePreviousMaskStaysBackground() {
    int square = 3 * SIDE * SIDE; // three frames
    int[] flat = lookAlikeAndObjectPixels(0f);
    int[] falling = lookAlikeAndObjectPixels(VosOptions.defaults().priorFalloff());
    // with the flat prior floor alone the identical square across the frame is taken for the object
    assertThat(flat[0]).as("look-alike pixels labelled with falloff 0").isGreaterThan(square / 2);
    // the prior's falloff leaves it background and still finds the object where it was
    assertThat(falling[0]).as("look-alike pixels labelled with the default falloff").isLessThan(square / 20);
    assertThat(falling[1]).as("object pixels labelled").isGreaterThan(square * 9 / 10);
  }

  @Test
  void aFastObjectLeavesALookAlikeBehindAndOnlyTheFlowPriorLetsItGo() {
    // The red square moves 40 px (5 key-grid cells) per frame away from an identical, unprompted square that sat 16 px
    // to its left on the prompt frame. Unmoved, the prior still covers the look-alike, which is taken for the
    // object; moved by the flow, it follows the object.
    int square = 4 * SIDE * SIDE; // four frames
    int[] moved = fastSquarePixels(40, true);
    int[] unmoved = fastSquarePixels(40, false);
    assertThat(moved[0]).as("object pixels labelled, flow prior").isGreaterThan(square * 9 / 10);
    assertThat(moved[1]).as("other pixels labelled, flow prior").isLessThan(square / 20);
    assertThat(unmoved[1]).as("other pixels labelled, prior unmoved").isGreaterThan(square / 2);
  }

  static final int FAST_W = 512;
  static final int LOOK_ALIKE_X = 16;
  static final int FAST_START_X = 80;

  /** A textured frame with the red square at {@code x0} and its look-alike at {@link #LOOK_ALIKE_X}, rows 72..119. */
  private static RgbImage frameWithSquareAt(int x0) {
    byte[] rgb = texturedBackground(FAST_W);
    for (int y = 72; y < 72 + SIDE; y++) {
      for (int x = x0; x < x0 + SIDE; x++) {
        rgb[3 * (y * FAST_W + x)] = (byte) 220;
        rgb[3 * (y * FAST_W + x) + 1] = 50;
        rgb[3 * (y * FAST_W + x) + 2] = 40;
      }
      for (int x = LOOK_ALIKE_X; x < LOOK_ALIKE_X + SIDE; x++) {
        rgb[3 * (y * FAST_W + x)] = (byte) 220;
        rgb[3 * (y * FAST_W + x) + 1] = 50;
        rgb[3 * (y * FAST_W + x) + 2] = 40;
      }
    }
    return new RgbImage(FAST_W, H, rgb);
  }

  /** Object-1 pixels on the square and elsewhere over four frames, the square moving {@code speed} px per frame. */
  private int[] fastSquarePixels(int speed, boolean flow) {
    VosOptions.Builder b = options();
    if (!flow) {
      b.flowPreset(null);
    }
    try (VideoObjectSegmenter s = open(b.build())) {
      BinaryMask prompt = box(FAST_W, FAST_START_X, 72, FAST_START_X + SIDE, 72 + SIDE);
      VosMemory memory = new VosMemory();
      s.segment(frameWithSquareAt(FAST_START_X), 0, memory, List.of(VosPrompt.add(1, prompt)));
      int on = 0;
      int off = 0;
      for (int t = 1; t <= 4; t++) {
        int x0 = FAST_START_X + speed * t;
        byte[] labels = s.segment(frameWithSquareAt(x0), t, memory, List.of()).labels();
        for (int y = 0; y < H; y++) {
          for (int x = 0; x < FAST_W; x++) {
            boolean inside = y >= 72 && y < 72 + SIDE && x >= x0 && x < x0 + SIDE;
            if (labels[y * FAST_W + x] == 1) {
              if (inside) {
                on++;
              } else {
                off++;
              }
            }
          }
        }
      }
      return new int[] {on, off};
    }
  }

  @Test
  void addRemoveAndReplaceFollowThePrompts() {
    VosMemory memory = new VosMemory();
    segmenter.segment(frame(0), 0, memory, List.of(VosPrompt.add(1, truth(1, 0))));
    segmenter.segment(frame(1), 1, memory, List.of());
    // a second object joins on frame 2 and is its prompt there
    VosResult added = segmenter.segment(frame(2), 2, memory, List.of(VosPrompt.add(7, truth(2, 2))));
    assertThat(added.objects()).extracting(SegmentedMask::objectId).containsExactly(1, 7);
    assertThat(added.objects().get(1).mask()).isEqualTo(truth(2, 2));
    assertThat(memory.objectIds()).containsExactly(1, 7);

    VosResult both = segmenter.segment(frame(3), 3, memory, List.of());
    assertThat(both.objects().get(0).mask().iou(truth(1, 3))).isGreaterThan(0.7);
    assertThat(both.objects().get(1).mask().iou(truth(2, 3))).isGreaterThan(0.7);

    // REMOVE forgets object 1: no bank, no mask, no label
    VosResult removed = segmenter.segment(frame(4), 4, memory, List.of(VosPrompt.remove(1)));
    assertThat(memory.objectIds()).containsExactly(7);
    assertThat(removed.objects()).extracting(SegmentedMask::objectId).containsExactly(7);
    for (byte label : removed.labels()) {
      assertThat(label & 0xff).isIn(0, 7);
    }

    // ADD of a known id replaces its memory: a new bank holding only this frame, and the output is the prompt.
    // The correction says object 7 is the red square now.
    FeatureBank oldBank = memory.banks().get(7);
    BinaryMask correction = truth(1, 5);
    VosResult replaced = segmenter.segment(frame(5), 5, memory, List.of(VosPrompt.add(7, correction)));
    assertThat(replaced.objects().get(0).mask()).isEqualTo(correction);
    FeatureBank newBank = memory.banks().get(7);
    assertThat(newBank).isNotSameAs(oldBank);
    for (int i = 0; i < newBank.size(); i++) {
      assertThat(newBank.birthFrame(i)).isEqualTo(5);
    }
    // the next frame follows the corrected object, not the old square
    VosResult next = segmenter.segment(frame(6), 6, memory, List.of());
    assertThat(next.objects().get(0).mask().iou(truth(1, 6))).isGreaterThan(0.8);
    assertThat(next.objects().get(0).mask().intersection(truth(2, 6))).isZero();

    // removing the last object empties the memory
    VosResult none = segmenter.segment(frame(7), 7, memory, List.of(VosPrompt.remove(7)));
    assertThat(none.objects()).isEmpty();
    assertThat(none.labels()).containsOnly((byte) 0);
    assertThat(memory.isEmpty()).isTrue();
  }

  @Test
  void laterPromptForTheSameIdWinsAndOverlappingPromptsKeepOneLabelPerPixel() {
    VosMemory memory = new VosMemory();
    BinaryMask a = box(0, 0, 64, 64);
    BinaryMask b = box(32, 32, 96, 96);
    VosResult result = segmenter.segment(frame(0), 0, memory,
        List.of(VosPrompt.add(1, truth(1, 0)), VosPrompt.add(2, a), VosPrompt.add(1, b)));

    assertThat(result.objects()).extracting(SegmentedMask::objectId).containsExactly(1, 2);
    assertThat(result.objects().get(0).mask()).isEqualTo(b); // the later ADD of object 1
    assertLabelMapConsistent(result);
  }

  @Test
  void multiObjectLabelMapIsConsistentAndIdsStable() {
    VosMemory memory = new VosMemory();
    segmenter.segment(frame(0), 0, memory, List.of(VosPrompt.add(200, truth(2, 0)), VosPrompt.add(5,
        truth(1, 0))));
    for (int t = 1; t <= 8; t++) {
      VosResult result = segmenter.segment(frame(t), t, memory, List.of());
      assertThat(result.objects()).extracting(SegmentedMask::objectId).containsExactly(5, 200);
      assertLabelMapConsistent(result);
      assertThat(result.objects().get(0).mask().iou(truth(1, t))).as("object 5, frame %d", t).isGreaterThan(0.7);
      assertThat(result.objects().get(1).mask().iou(truth(2, t))).as("object 200, frame %d", t)
          .isGreaterThan(0.7);
    }
  }

  /** Each pixel belongs to at most one object, and each object's mask is exactly its pixels in the label map. */
  private static void assertLabelMapConsistent(VosResult result) {
    byte[] labels = result.labels();
    long labelled = 0;
    for (SegmentedMask object : result.objects()) {
      BinaryMask mask = object.mask();
      for (int i = 0; i < labels.length; i++) {
        assertThat(mask.get(i)).isEqualTo((labels[i] & 0xff) == object.objectId());
      }
      labelled += mask.area();
    }
    long nonZero = 0;
    for (byte label : labels) {
      nonZero += label != 0 ? 1 : 0;
    }
    assertThat(labelled).isEqualTo(nonZero); // masks are disjoint and no pixel has an unknown id
  }

  // ---- determinism and restore ----------------------------------------------------------------------------------

  @Test
  void sameInputGivesIdenticalOutput() {
    List<byte[]> a = run(new VosMemory(), 0, 6);
    List<byte[]> b = run(new VosMemory(), 0, 6);
    for (int t = 0; t < a.size(); t++) {
      assertThat(b.get(t)).as("frame %d", t).isEqualTo(a.get(t));
    }
  }

  @Test
  void memoryRestoredFromFp16ContinuesBitIdentically() {
    for (ReadoutKernel kernel : ReadoutKernel.values()) {
      VosOptions options = options().bank(VosOptions.defaultBank().toBuilder().readoutKernel(kernel).build())
          .memoryEvery(2).build();
      try (VideoObjectSegmenter s = open(options)) {
        VosMemory uninterrupted = new VosMemory();
        List<byte[]> expected = run(s, uninterrupted, 0, 10);

        VosMemory live = new VosMemory();
        run(s, live, 0, 5);
        VosMemory restored = roundTrip(live, options.bank());
        List<byte[]> continued = run(s, restored, 5, 10);
        for (int t = 5; t < 10; t++) {
          assertThat(continued.get(t - 5)).as("%s frame %d", kernel, t).isEqualTo(expected.get(t));
        }
        assertThat(restored.banks().get(1).keys()).isEqualTo(uninterrupted.banks().get(1).keys());
        assertThat(restored.banks().get(2).values()).isEqualTo(uninterrupted.banks().get(2).values());
      }
    }
  }

  @Test
  void withTheFlowPriorTheMemoryKeepsTheLumaAndARestoredStreamContinuesBitIdentically() {
    VosOptions options = options().flowPreset(dev.alphaflow.model.flow.DisPreset.FAST).flowMaxSide(128)
        .memoryEvery(2).build();
    try (VideoObjectSegmenter s = open(options)) {
      VosMemory uninterrupted = new VosMemory();
      List<byte[]> expected = run(s, uninterrupted, 0, 10);
      HalfTensor luma = uninterrupted.previous().tensors().get(3);
      assertThat(luma.shape()).containsExactly(96, 128); // 256x192 shrunk to a longer side of 128
      assertThat(s.segment(frame(10), 10, uninterrupted, List.of()).timingsMicros()).containsKey("flow");

      VosMemory live = new VosMemory();
      run(s, live, 0, 5);
      List<byte[]> continued = run(s, roundTrip(live, options.bank()), 5, 10);
      for (int t = 5; t < 10; t++) {
        assertThat(continued.get(t - 5)).as("frame %d", t).isEqualTo(expected.get(t));
      }
    }
    // a memory written without the flow prior (three tensors) is read by a segmenter with it, and the other way
    try (VideoObjectSegmenter noFlow = open(options().flowPreset(null).build())) {
      VosMemory withoutFlow = new VosMemory();
      run(noFlow, withoutFlow, 0, 3);
      assertThat(withoutFlow.previous().tensors()).hasSize(3);
      try (VideoObjectSegmenter s = open(options)) {
        assertThat(s.segment(frame(3), 3, withoutFlow, List.of()).objects()).isNotEmpty();
        assertThat(withoutFlow.previous().tensors()).hasSize(4);
      }
      assertThat(noFlow.segment(frame(4), 4, withoutFlow, List.of()).objects()).isNotEmpty();
    }
  }

  /** A fresh memory from the fp16 snapshots, as a checkpoint restore builds it. */
  private static VosMemory roundTrip(VosMemory memory, FeatureBankConfig config) {
    TreeMap<Integer, FeatureBank> banks = new TreeMap<>();
    for (Map.Entry<Integer, FeatureBank> e : memory.banks().entrySet()) {
      List<HalfTensor> copies = new ArrayList<>();
      for (HalfTensor t : e.getValue().toHalfTensors()) {
        copies.add(HalfTensor.ofBits(t.shape(), t.toBits()));
      }
      banks.put(e.getKey(), FeatureBank.fromHalfTensors(copies, config));
    }
    FrameMemory previous = memory.previous();
    List<HalfTensor> tensors = new ArrayList<>();
    for (HalfTensor t : previous.tensors()) {
      tensors.add(HalfTensor.ofBits(t.shape(), t.toBits()));
    }
    return new VosMemory(banks, new FrameMemory(previous.frameIndex(), tensors));
  }

  private List<byte[]> run(VosMemory memory, int from, int to) {
    return run(segmenter, memory, from, to);
  }

  /** Frames [from, to); frame 0 prompts both squares, frame 3 adds a third object. */
  private static List<byte[]> run(VideoObjectSegmenter s, VosMemory memory, int from, int to) {
    List<byte[]> labels = new ArrayList<>();
    for (int t = from; t < to; t++) {
      List<VosPrompt> prompts = t == 0 ? List.of(VosPrompt.add(1, truth(1, 0)), VosPrompt.add(2, truth(2, 0)))
          : t == 3 ? List.of(VosPrompt.add(3, box(192, 0, 256, 48))) : List.of();
      labels.add(s.segment(frame(t), t, memory, prompts).labels());
    }
    return labels;
  }

  // ---- memory -------------------------------------------------------------------------------------------------

  @Test
  void bankNeverExceedsItsBudgetAndKeepsThePromptFrame() {
    int budget = 200;
    VosOptions options = options().bank(VosOptions.defaultBank().toBuilder().budget(budget)
        .thresClose(1f) // never merge, so that every frame appends and the bank has to evict
        .readoutKernel(ReadoutKernel.JAVA).build()).memoryEvery(1).build();
    try (VideoObjectSegmenter s = open(options)) {
      VosMemory memory = new VosMemory();
      s.segment(frame(0), 0, memory, List.of(VosPrompt.add(1, truth(1, 0))));
      int promptEntries = memory.banks().get(1).size();
      assertThat(promptEntries).isPositive().isLessThan(budget);
      int later = 0;
      for (int t = 1; t < 12; t++) {
        s.segment(frame(t), t, memory, List.of());
        FeatureBank bank = memory.banks().get(1);
        assertThat(bank.size()).as("frame %d", t).isLessThanOrEqualTo(budget);
        int fromPrompt = 0;
        for (int i = 0; i < bank.size(); i++) {
          fromPrompt += bank.birthFrame(i) == 0 ? 1 : 0;
        }
        assertThat(fromPrompt).as("prompt-frame entries on frame %d", t).isEqualTo(promptEntries);
        later = bank.size() - fromPrompt;
      }
      assertThat(memory.banks().get(1).size()).isEqualTo(budget); // full: later frames were evicted in turn
      assertThat(later).isPositive();
    }
  }

  @Test
  void memoryFromOtherOptionsIsRejected() {
    VosMemory memory = new VosMemory();
    memory.banks().put(1, new FeatureBank(16, 1, VosOptions.defaultBank()));
    assertThatThrownBy(() -> segmenter.segment(frame(0), 0, memory, List.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("keys of size 16")
        .hasMessageContaining("keys of size 128");
  }

  @Test
  void noObjectsMeansNoWork() {
    VosMemory memory = new VosMemory();
    VosResult result = segmenter.segment(frame(0), 0, memory, List.of());
    assertThat(result.objects()).isEmpty();
    assertThat(result.labels()).hasSize(W * H).containsOnly((byte) 0);
    assertThat(result.timingsMicros()).containsOnlyKeys("total");
    assertThat(memory.isEmpty()).isTrue();
  }

  // ---- detect, then track ---------------------------------------------------------------------------------------

  private static Instance detection(String label, float score, BinaryMask mask) {
    return new Instance(label.equals("person") ? 0 : 16, label, score, mask.boundingBox(), mask);
  }

  private static TrackEvidence.Detections detections(float supportWeight, Instance... instances) {
    return new TrackEvidence.Detections(List.of(instances),
        new TrackEvidence.Options(java.util.Set.of("person"), 0.5f, 0.3f, 0.5f, 16, supportWeight));
  }

  @Test
  void detectionsStartTracksOnceAndNewObjectsLater() {
    VosMemory memory = new VosMemory();
    VosResult first = segmenter.segment(frame(0), 0, memory, List.of(), detections(0f,
        detection("person", 0.9f, truth(1, 0)), detection("person", 0.8f, truth(2, 0)),
        detection("dog", 0.95f, box(200, 10, 240, 50)), detection("person", 0.4f, box(0, 150, 30, 190))));

    assertThat(first.started()).containsExactly(Map.entry(1, "person"), Map.entry(2, "person"));
    assertThat(first.objects()).extracting(SegmentedMask::objectId).containsExactly(1, 2);
    assertThat(first.objects().get(0).mask()).isEqualTo(truth(1, 0));
    assertThat(first.objects().get(1).mask()).isEqualTo(truth(2, 0));
    assertThat(first.objects()).extracting(SegmentedMask::score).containsExactly(0.9f, 0.8f);
    assertThat(memory.objectIds()).containsExactly(1, 2);

    for (int t = 1; t <= 4; t++) {
      VosResult result = segmenter.segment(frame(t), t, memory, List.of(), detections(0f,
          detection("person", 0.9f, truth(1, t)), detection("person", 0.8f, truth(2, t))));
      assertThat(result.started()).as("frame %d: matched detections start nothing", t).isEmpty();
      assertThat(result.objects()).extracting(SegmentedMask::objectId).containsExactly(1, 2);
      assertThat(result.objects().get(0).mask().iou(truth(1, t))).as("object 1 on frame %d", t).isGreaterThan(0.7);
      assertThat(result.objects().get(1).mask().iou(truth(2, t))).as("object 2 on frame %d", t).isGreaterThan(0.7);
    }
    BinaryMask newcomer = box(200, 10, 240, 50);
    VosResult later = segmenter.segment(frame(5), 5, memory, List.of(), detections(0f,
        detection("person", 0.9f, truth(1, 5)), detection("person", 0.7f, newcomer)));
    assertThat(later.started()).containsExactly(Map.entry(3, "person"));
    assertThat(later.objects()).extracting(SegmentedMask::objectId).containsExactly(1, 2, 3);
    assertThat(later.objects().get(2).mask().iou(newcomer)).isGreaterThan(0.95);
  }

  @Test
  void detectionsThatStartNothingLeaveAnEmptyStreamEmpty() {
    VosMemory memory = new VosMemory();
    VosResult result = segmenter.segment(frame(0), 0, memory, List.of(), detections(0.5f,
        detection("dog", 0.95f, truth(1, 0)), detection("person", 0.3f, truth(2, 0))));
    assertThat(result.objects()).isEmpty();
    assertThat(result.started()).isEmpty();
    assertThat(memory.isEmpty()).isTrue();
  }

  @Test
  void evidenceOnlyActsWithAWeightAndPullsTowardsTheDetection() {
    List<Double> plain = new ArrayList<>();
    List<Double> weightZero = new ArrayList<>();
    List<Double> weightOne = new ArrayList<>();
    List<byte[]> plainLabels = new ArrayList<>();
    List<byte[]> zeroLabels = new ArrayList<>();
    VosMemory a = new VosMemory();
    VosMemory b = new VosMemory();
    VosMemory c = new VosMemory();
    for (int t = 0; t <= 6; t++) {
      List<VosPrompt> prompt = t == 0 ? List.of(VosPrompt.add(1, truth(1, 0))) : List.of();
      VosResult ra = segmenter.segment(frame(t), t, a, prompt);
      VosResult rb = segmenter.segment(frame(t), t, b, prompt, detections(0f, detection("person", 0.9f, truth(1, t))));
      VosResult rc = segmenter.segment(frame(t), t, c, prompt, detections(1f, detection("person", 0.9f, truth(1, t))));
      assertThat(rb.started()).isEmpty();
      assertThat(rc.started()).isEmpty();
      plain.add(ra.objects().get(0).mask().iou(truth(1, t)));
      weightZero.add(rb.objects().get(0).mask().iou(truth(1, t)));
      weightOne.add(rc.objects().get(0).mask().iou(truth(1, t)));
      plainLabels.add(ra.labels());
      zeroLabels.add(rb.labels());
      if (t > 0) {
        assertThat(rc.timingsMicros()).containsKey("evidence");
      }
    }
    assertThat(zeroLabels).as("weight 0: the same label maps as without detections")
        .usingElementComparator(java.util.Arrays::compare).containsExactlyElementsOf(plainLabels);
    assertThat(weightZero).isEqualTo(plain);
    double plainMean = plain.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double fusedMean = weightOne.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    assertThat(fusedMean).as("the exact mask as evidence does not hurt").isGreaterThanOrEqualTo(plainMean);
  }

  // ---- opening --------------------------------------------------------------------------------------------------

  @Test
  void openChecksTheModelHasTheLayersTheOptionsName() {
    Path file = TinyFeatureModels.withFirstOutputs(dir.resolve("features-s4-s8.onnx"), 2);
    ModelCard noContract = ModelCard.forFile("features-s4-s8", file); // no I/O contract on the card
    assertThatThrownBy(() -> open(options().featureModel(noContract).build()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("features-s4-s8")
        .hasMessageContaining("no output 'feat_s16'");
    // the same model is fine for stride-8 keys alone
    try (VideoObjectSegmenter s = open(options().featureModel(noContract).layers(List.of(FeatureLayer.S8))
        .build())) {
      assertThat(s.modelId()).isEqualTo("features-s4-s8");
    }
  }

  @Test
  void openFailsClearlyWhenTheCardDoesNotMatchTheFile() {
    ModelCard wrongHash = card.toBuilder().sha256("0".repeat(64)).build();
    assertThatThrownBy(() -> open(options().featureModel(wrongHash).build()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("sha256 mismatch");
  }

  @Test
  void modelIdAndClose() {
    assertThat(segmenter.modelId()).isEqualTo("mobilenetv2-features-tiny");
    segmenter.close();
    segmenter.close(); // idempotent
    assertThatThrownBy(() -> segmenter.segment(frame(0), 0, new VosMemory(), List.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void checkPromptOnAnEmptyPromptList() {
    assertThat(VideoObjectSegmenter.checkPrompt(null, new VosMemory(), W, H)).isEqualTo(
        Optional.of("the prompt is null"));
  }
}
