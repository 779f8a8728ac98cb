package dev.alphaflow.model.rvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.alphaflow.model.InferenceException;
import dev.alphaflow.model.ModelCard;
import dev.alphaflow.model.ModelRegistry;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.SharedSession;
import dev.alphaflow.model.SharedSessions;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.testing.TinyModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RvmMatter on a generated model with RVM's contract: state handling, determinism, batching. */
class RvmMatterTest {

  @TempDir
  Path dir;

  private SharedSession session;
  private RvmMatter matter;

  @BeforeEach
  void open() {
    Path file = TinyModels.rvmContract(dir.resolve("rvm-tiny.onnx"));
    ModelCard card = TinyModels.rvmCard(file);
    session = SharedSessions.acquire(new ModelRegistry(dir), card, SessionSettings.defaults());
    matter = new RvmMatter(session, RvmOptions.builder().downsampleRatio(0.5f).withForeground(true).build());
  }

  @AfterEach
  void close() {
    matter.close();
    session.close();
    assertThat(SharedSessions.openSessionCount()).isZero();
  }

  @Test
  void firstFrameGivesAlphaForegroundAndStateOfRvmShapes() {
    RgbImage frame = randomFrame(64, 48, 1);
    RvmResult result = matter.infer(frame, RecurrentState.initial());

    assertThat(result.width()).isEqualTo(64);
    assertThat(result.height()).isEqualTo(48);
    assertThat(result.alpha()).hasSize(64 * 48);
    for (float a : result.alpha()) {
      assertThat(a).isBetween(0f, 1f);
    }
    // fgr = src in the tiny model, so the foreground is the frame itself.
    assertThat(result.foregroundRgb()).isEqualTo(frame.rgb());
    int[] channels = {16, 20, 40, 64};
    for (int k = 1; k <= 4; k++) {
      int pool = 1 << k;
      assertThat(result.nextState().r(k).shape()).containsExactly(1, channels[k - 1], 48 / pool, 64 / pool);
    }
    assertThat(result.nextState().isInitial()).isFalse();
    assertThat(result.alpha8()).hasSize(64 * 48);
  }

  @Test
  void stateChangesFromFrameToFrameAndAlphaDependsOnIt() {
    RgbImage frame = randomFrame(32, 32, 2);
    RvmResult first = matter.infer(frame, RecurrentState.initial());
    RvmResult second = matter.infer(frame, first.nextState());
    RvmResult third = matter.infer(frame, second.nextState());

    assertThat(second.nextState()).isNotEqualTo(first.nextState());
    assertThat(third.nextState()).isNotEqualTo(second.nextState());
    // Same frame, different carried state: different alpha.
    assertThat(second.alpha()).isNotEqualTo(first.alpha());
  }

  @Test
  void runsAreDeterministic() {
    RgbImage a = randomFrame(48, 32, 3);
    RgbImage b = randomFrame(48, 32, 4);
    RvmResult a1 = matter.infer(a, RecurrentState.initial());
    RvmResult b1 = matter.infer(b, a1.nextState());
    RvmResult a2 = matter.infer(a, RecurrentState.initial());
    RvmResult b2 = matter.infer(b, a2.nextState());

    assertThat(a2.alpha()).isEqualTo(a1.alpha());
    assertThat(a2.nextState()).isEqualTo(a1.nextState());
    assertThat(b2.alpha()).isEqualTo(b1.alpha());
    assertThat(b2.nextState()).isEqualTo(b1.nextState());
  }

  @Test
  void stateIsStoredAsFp16() {
    RvmResult result = matter.infer(randomFrame(32, 16, 5), RecurrentState.initial());
    // Round-tripping through float and back to fp16 changes nothing: the state already is fp16.
    for (var t : result.nextState().tensors()) {
      var again = dev.alphaflow.model.tensor.HalfTensor.fromFloats(t.shape(), t.toFloats());
      assertThat(again).isEqualTo(t);
    }
  }

  @Test
  void batchEqualsPerItemInference() {
    RgbImage f1 = randomFrame(64, 32, 10);
    RgbImage f2 = randomFrame(64, 32, 11);
    RgbImage f3 = randomFrame(64, 32, 12);
    RgbImage small = randomFrame(32, 16, 13);
    RecurrentState s2 = matter.infer(randomFrame(64, 32, 20), RecurrentState.initial()).nextState();
    RecurrentState s3 = matter.infer(randomFrame(64, 32, 21), RecurrentState.initial()).nextState();

    // Mixed batch: an initial state, two carried states of one shape, and a frame of another size.
    List<RgbImage> frames = List.of(f1, f2, small, f3);
    List<RecurrentState> states = List.of(RecurrentState.initial(), s2, RecurrentState.initial(), s3);
    List<RvmResult> batch = matter.inferBatch(frames, states);

    assertThat(batch).hasSize(4);
    for (int i = 0; i < frames.size(); i++) {
      RvmResult single = matter.infer(frames.get(i), states.get(i));
      assertClose(batch.get(i).alpha(), single.alpha(), 1e-6f);
      assertThat(batch.get(i).foregroundRgb()).isEqualTo(single.foregroundRgb());
      for (int k = 1; k <= 4; k++) {
        assertThat(batch.get(i).nextState().r(k).shape()).isEqualTo(single.nextState().r(k).shape());
        assertClose(batch.get(i).nextState().r(k).toFloats(), single.nextState().r(k).toFloats(), 2e-3f);
      }
    }
  }

  @Test
  void batchOfInitialStatesMatchesPerItem() {
    List<RgbImage> frames = List.of(randomFrame(32, 32, 30), randomFrame(32, 32, 31));
    List<RvmResult> batch = matter.inferBatch(frames, List.of(RecurrentState.initial(), RecurrentState.initial()));
    for (int i = 0; i < 2; i++) {
      RvmResult single = matter.infer(frames.get(i), RecurrentState.initial());
      assertClose(batch.get(i).alpha(), single.alpha(), 1e-6f);
    }
  }

  @Test
  void stateFromAnotherResolutionIsRejectedWithAHint() {
    RecurrentState fromSmall = matter.infer(randomFrame(32, 32, 40), RecurrentState.initial()).nextState();
    matter.infer(randomFrame(64, 64, 41), RecurrentState.initial()); // learns the 64x64 state shapes

    assertThatThrownBy(() -> matter.infer(randomFrame(64, 64, 42), fromSmall))
        .isInstanceOf(InferenceException.class)
        .hasMessageContaining("RecurrentState.initial()");
  }

  @Test
  void ownedSessionIsReleasedOnClose() {
    Path file = dir.resolve("rvm-tiny.onnx");
    int before = SharedSessions.openSessionCount();
    try (RvmMatter owned = RvmMatter.open(new ModelRegistry(dir), TinyModels.rvmCard(file),
        SessionSettings.builder().intraOpThreads(1).build(), RvmOptions.defaults())) {
      assertThat(SharedSessions.openSessionCount()).isEqualTo(before + 1);
      assertThat(owned.infer(randomFrame(16, 16, 50), RecurrentState.initial()).alpha()).hasSize(256);
    }
    assertThat(SharedSessions.openSessionCount()).isEqualTo(before);
  }

  private static void assertClose(float[] actual, float[] expected, float tolerance) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < actual.length; i++) {
      assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(tolerance));
    }
  }

  static RgbImage randomFrame(int width, int height, long seed) {
    byte[] rgb = new byte[width * height * 3];
    new Random(seed).nextBytes(rgb);
    return new RgbImage(width, height, rgb);
  }
}
