package dev.alphaflow.model.instances;

import static org.assertj.core.api.Assertions.assertThat;

import dev.alphaflow.model.ModelCards;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.testing.SharedTestData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real YOLOv8n-seg model on messi5.jpg: the player, his mask, the ball; NMS and matrix NMS agree. */
class YoloSegDecoderTest {

  private static RgbImage messi;
  private static YoloSegDecoder nms;
  private static YoloSegDecoder matrix;

  @BeforeAll
  static void open() throws IOException {
    messi = ImageCodec.decode(Files.readAllBytes(SharedTestData.data("opencv-samples/messi5.jpg")));
    nms = YoloSegDecoder.open(SharedTestData.modelRegistry(), ModelCards.YOLOV8N_SEG, SessionSettings.defaults(),
        InstanceOptions.defaults());
    matrix = YoloSegDecoder.open(SharedTestData.modelRegistry(), ModelCards.YOLOV8N_SEG, SessionSettings.defaults(),
        InstanceOptions.builder().nms(NmsKind.MATRIX_NMS).build());
  }

  @AfterAll
  static void close() {
    nms.close();
    matrix.close();
  }

  @Test
  void findsThePlayerWithAMaskThatCoversHim() throws IOException {
    // The model's own `names` metadata, which matches the built-in COCO list.
    assertThat(nms.labels()).isEqualTo(ClassNames.COCO80);
    List<Instance> instances = nms.segment(messi);
    Instance player = instances.get(0);
    assertThat(player.label()).isEqualTo("person");
    assertThat(player.classId()).isZero();
    assertThat(player.score()).isGreaterThanOrEqualTo(0.85f);

    // Measured: box [66.7, 66.8, 459.3, 334.9] (105k px; his stretched leg makes it wide), mask 30.3k px.
    Box box = player.box();
    assertThat(box.x0()).isBetween(40f, 100f);
    assertThat(box.x1()).isBetween(430f, 490f);
    assertThat(box.y1()).isGreaterThan(300f);
    long inside = player.mask().areaInside((int) box.x0(), (int) box.y0(), (int) Math.ceil(box.x1()),
        (int) Math.ceil(box.y1()));
    assertThat((double) inside / player.area()).as("share of the mask inside the box").isGreaterThanOrEqualTo(0.99);
    assertThat(player.area()).as("mask area").isGreaterThan(20_000)
        .isGreaterThan((long) (0.2 * box.area()));

    // The RVM silhouette of the same image (official output, alpha > 0.5): the mask covers it, and little else.
    BinaryMask silhouette = rvmSilhouette();
    double iou = player.mask().iou(silhouette);
    double covered = (double) player.mask().intersection(silhouette) / silhouette.area();
    System.out.printf("messi5 player: score %.3f, mask %d px, IoU with the RVM silhouette %.3f, covers %.1f%% of it%n",
        player.score(), player.area(), iou, 100 * covered);
    assertThat(iou).as("IoU with the RVM silhouette (measured 0.83)").isGreaterThanOrEqualTo(0.7);
    assertThat(covered).as("share of the RVM silhouette covered (measured 0.94)").isGreaterThanOrEqualTo(0.85);

    Instance ball = instances.stream().filter(i -> i.label().equals("sports ball")).findFirst().orElseThrow();
    assertThat(ball.score()).isGreaterThanOrEqualTo(0.5f);
    float cx = (ball.box().x0() + ball.box().x1()) / 2;
    float cy = (ball.box().y0() + ball.box().y1()) / 2;
    assertThat(cx).as("ball at the player's feet").isBetween(box.x0(), box.x1());
    assertThat(cy).isBetween((box.y0() + box.y1()) / 2, box.y1());
    assertThat(ball.area()).isPositive();

    // Everything else is a small background person.
    assertThat(instances.subList(1, instances.size())).allSatisfy(i -> {
      if (i != ball) {
        assertThat(i.label()).isEqualTo("person");
        assertThat(i.score()).isLessThan(0.6f);
        assertThat(i.area()).isLessThan(5_000);
      }
    });
  }

  @Test
  void personFilterKeepsOnlyPeople() {
    try (YoloSegDecoder people = new YoloSegDecoder(nms.session(),
        InstanceOptions.builder().classNames(Set.of("person")).scoreThreshold(0.5f).build())) {
      List<Instance> instances = people.segment(messi);
      assertThat(instances).hasSize(1);
      assertThat(instances.get(0).score()).isGreaterThanOrEqualTo(0.85f);
    }
    assertThat(nms.session().isClosed()).isFalse(); // the decoder did not own it
  }

  @Test
  void nmsAndMatrixNmsKeepTheSamePlayer() {
    List<Instance> greedy = nms.segment(messi);
    List<Instance> decayed = matrix.segment(messi);
    Instance a = greedy.get(0);
    Instance b = decayed.get(0);
    assertThat(b.label()).isEqualTo("person");
    // The best detection has nothing better to be decayed by: same score, box and mask.
    assertThat(b.score()).isEqualTo(a.score());
    assertThat(b.box()).isEqualTo(a.box());
    assertThat(b.mask().iou(a.mask())).isEqualTo(1.0);
    assertThat(InstanceMatching.sameSets(greedy, decayed, 0.5)).as("same kept sets: %s vs %s", greedy, decayed)
        .isTrue();
  }

  private static BinaryMask rvmSilhouette() throws IOException {
    float[] alpha = readFloats(SharedTestData.data("rvm-golden/messi5_ratio0.5_pha_tfjs_official.f32"));
    assertThat(alpha).hasSize(messi.pixelCount());
    byte[] on = new byte[alpha.length];
    for (int i = 0; i < alpha.length; i++) {
      on[i] = (byte) (alpha[i] > 0.5f ? 1 : 0);
    }
    return BinaryMask.fromBytes(messi.width(), messi.height(), on);
  }

  private static float[] readFloats(java.nio.file.Path file) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    float[] values = new float[bytes.remaining() / 4];
    bytes.asFloatBuffer().get(values);
    return values;
  }
}
