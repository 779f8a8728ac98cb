package dev.alphaflow.model.rvm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.alphaflow.model.ModelCards;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.testing.SharedTestData;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** Real RVM on a real person video with the state carried: the matte overlaps the DAVIS person mask. */
class RvmDavisTest {

  private static final int FRAMES = 12;

  @Test
  void carriedStateGivesPersonMatteOnDanceTwirl() throws IOException {
    RvmOptions options = RvmOptions.builder().downsampleRatio(0.5f).build();
    try (RvmMatter matter = RvmMatter.open(SharedTestData.modelRegistry(), ModelCards.RVM_MOBILENETV3,
        SessionSettings.defaults(), options)) {
      RecurrentState state = RecurrentState.initial();
      double iouSum = 0;
      long micros = 0;
      for (int i = 0; i < FRAMES; i++) {
        String name = String.format("%05d", i);
        RgbImage frame = ImageCodec.decode(Files.readAllBytes(
            SharedTestData.data("davis2016/JPEGImages/480p/dance-twirl/" + name + ".jpg")));
        byte[] mask = ImageCodec.decodeGray8Png(Files.readAllBytes(
            SharedTestData.data("davis2016/Annotations/480p/dance-twirl/" + name + ".png")));
        RvmResult result = matter.infer(frame, state);
        state = result.nextState();
        iouSum += iou(result.alpha(), mask);
        if (i > 0) {
          micros += result.preprocessMicros() + result.inferenceMicros();
        }
      }
      double meanIou = iouSum / FRAMES;
      System.out.printf("RVM dance-twirl %d frames 854x480 ratio 0.5: mean IoU %.3f, %.1f ms/frame, state %d bytes%n",
          FRAMES, meanIou, micros / 1000.0 / (FRAMES - 1), state.byteSize());
      assertThat(meanIou).isGreaterThan(0.7);
    }
  }

  private static double iou(float[] alpha, byte[] mask) {
    long inter = 0;
    long union = 0;
    for (int i = 0; i < alpha.length; i++) {
      boolean a = alpha[i] > 0.5f;
      boolean m = (mask[i] & 0xff) > 127;
      inter += a && m ? 1 : 0;
      union += a || m ? 1 : 0;
    }
    return union == 0 ? 1 : (double) inter / union;
  }
}
