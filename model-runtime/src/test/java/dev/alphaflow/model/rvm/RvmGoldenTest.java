package dev.alphaflow.model.rvm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.alphaflow.model.ModelCards;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.SharedSession;
import dev.alphaflow.model.SharedSessions;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.testing.SharedTestData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The real RVM model, through our pre/post-processing, reproduces the official TF.js output. */
class RvmGoldenTest {

  private static final int WIDTH = 548;
  private static final int HEIGHT = 342;

  @Test
  void alphaMatchesOfficialTfjsOutput() throws IOException {
    RgbImage frame = ImageCodec.decode(Files.readAllBytes(SharedTestData.data("rvm-golden/messi5_decoded.png")));
    assertThat(frame.width()).isEqualTo(WIDTH);
    assertThat(frame.height()).isEqualTo(HEIGHT);
    float[] golden = readFloats(SharedTestData.data("rvm-golden/messi5_ratio0.5_pha_tfjs_official.f32"));
    assertThat(golden).hasSize(WIDTH * HEIGHT);

    RvmOptions options = RvmOptions.builder().downsampleRatio(0.5f).withForeground(true).build();
    try (SharedSession session = SharedSessions.acquire(SharedTestData.modelRegistry(), ModelCards.RVM_MOBILENETV3,
            SessionSettings.defaults());
         RvmMatter matter = new RvmMatter(session, options)) {
      RvmResult result = matter.infer(frame, RecurrentState.initial());

      assertThat(result.width()).isEqualTo(WIDTH);
      assertThat(result.height()).isEqualTo(HEIGHT);
      double maxDiff = 0;
      double sumDiff = 0;
      for (int i = 0; i < golden.length; i++) {
        double d = Math.abs(result.alpha()[i] - golden[i]);
        maxDiff = Math.max(maxDiff, d);
        sumDiff += d;
      }
      System.out.printf("RVM golden: max|d|=%.3g mean|d|=%.3g%n", maxDiff, sumDiff / golden.length);
      assertThat(maxDiff).as("max |alpha - golden|").isLessThanOrEqualTo(1e-3);

      assertThat(result.foregroundRgb()).hasSize(WIDTH * HEIGHT * 3);
      // States come back at 1/2..1/16 of the downsampled (274x171) frame, with RVM's channel counts.
      List<Integer> channels = RecurrentState.RVM_CHANNELS;
      for (int k = 1; k <= 4; k++) {
        long[] shape = result.nextState().r(k).shape();
        assertThat(shape[0]).isEqualTo(1L);
        assertThat(shape[1]).isEqualTo(channels.get(k - 1).longValue());
      }
      assertThat(result.nextState().isInitial()).isFalse();

      // Carrying the state changes the output, and warm runs give the timing reported in the module notes.
      RecurrentState state = result.nextState();
      int runs = 5;
      long micros = 0;
      for (int i = 0; i < runs; i++) {
        RvmResult next = matter.infer(frame, state);
        state = next.nextState();
        micros += next.inferenceMicros() + next.preprocessMicros();
      }
      System.out.printf("RVM %dx%d ratio 0.5, %d intra-op threads: %.1f ms/frame (pre+run)%n", WIDTH, HEIGHT,
          session.settings().intraOpThreads(), micros / 1000.0 / runs);
    }
    assertThat(SharedSessions.openSessionCount()).isZero();
  }

  @Test
  void batchOfTwoStreamsMatchesPerStreamRuns() throws IOException {
    RgbImage frame = ImageCodec.decode(Files.readAllBytes(SharedTestData.data("rvm-golden/messi5_decoded.png")));
    RgbImage mirrored = mirror(frame);
    RvmOptions options = RvmOptions.builder().downsampleRatio(0.5f).build();
    try (RvmMatter matter = RvmMatter.open(SharedTestData.modelRegistry(), ModelCards.RVM_MOBILENETV3,
        SessionSettings.defaults(), options)) {
      // Frame 1: both initial (one [1,1,1,1] zero broadcast over the batch); frame 2: carried states stacked.
      List<RecurrentState> states = List.of(RecurrentState.initial(), RecurrentState.initial());
      for (int step = 0; step < 2; step++) {
        List<RvmResult> batch = matter.inferBatch(List.of(frame, mirrored), states);
        RvmResult a = matter.infer(frame, states.get(0));
        RvmResult b = matter.infer(mirrored, states.get(1));
        assertThat(maxDiff(batch.get(0).alpha(), a.alpha())).as("step %d stream a", step).isLessThan(1e-4);
        assertThat(maxDiff(batch.get(1).alpha(), b.alpha())).as("step %d stream b", step).isLessThan(1e-4);
        assertThat(maxDiff(batch.get(1).nextState().r(4).toFloats(), b.nextState().r(4).toFloats()))
            .isLessThan(1e-2);
        states = List.of(batch.get(0).nextState(), batch.get(1).nextState());
      }
    }
  }

  private static double maxDiff(float[] x, float[] y) {
    assertThat(x).hasSameSizeAs(y);
    double max = 0;
    for (int i = 0; i < x.length; i++) {
      max = Math.max(max, Math.abs(x[i] - y[i]));
    }
    return max;
  }

  private static RgbImage mirror(RgbImage image) {
    int w = image.width();
    byte[] src = image.rgb();
    byte[] out = new byte[src.length];
    for (int y = 0; y < image.height(); y++) {
      for (int x = 0; x < w; x++) {
        System.arraycopy(src, (y * w + x) * 3, out, (y * w + (w - 1 - x)) * 3, 3);
      }
    }
    return new RgbImage(w, image.height(), out);
  }

  private static float[] readFloats(java.nio.file.Path file) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    float[] values = new float[bytes.remaining() / 4];
    bytes.asFloatBuffer().get(values);
    return values;
  }
}
