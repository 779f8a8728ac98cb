package dev.alphaflow.model.instances;

import ai.onnxruntime.OrtSession;
import dev.alphaflow.model.ModelCards;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.SharedSession;
import dev.alphaflow.model.SharedSessions;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.testing.SharedTestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Measures YOLOv8n-seg instance segmentation on DAVIS 2016 dance-twirl (not a test; run it by hand):
 * <ul>
 *   <li>{@code inst.dance_twirl.person_iou}: mean over all frames of the IoU between the DAVIS mask and the best
 *       person mask, i.e. the person instance that matches it best (0 where no person is found); also with the
 *       best-scored person, which is an audience member in a few frames;
 *   <li>{@code inst.ms_per_frame}: median wall time of {@code segment()} (letterbox, model, decoding, full-frame
 *       masks), and of the model run alone;
 *   <li>{@code inst.nms_vs_matrix_nms}: on the same model outputs, the share of frames whose kept instance sets match
 *       (same size, one-to-one by class and mask IoU > 0.5), also restricted to instances scored >= 0.5 and to the
 *       best-scored instance, and the median decoding time (suppression + full-frame masks) of each.
 * </ul>
 *
 * <pre>
 * cd alphaflow &amp;&amp; mvn -o -q -B -pl model-runtime install -DskipTests \
 *   &amp;&amp; mvn -o -q -B -pl model-runtime dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt \
 *        -Dmdep.includeScope=test \
 *   &amp;&amp; java -cp model-runtime/target/test-classes:model-runtime/target/classes:$(cat \
 *        model-runtime/target/test-classpath.txt) \
 *        dev.alphaflow.model.instances.InstanceBenchmark [davis-sequence, default dance-twirl]
 * </pre>
 *
 * <p>The shared folder is found as in the tests ({@code -Dalphaflow.shared.dir}, else {@code ../shared}).
 */
public final class InstanceBenchmark {

  private InstanceBenchmark() {}

  public static void main(String[] args) throws IOException {
    String sequence = args.length > 0 ? args[0] : "dance-twirl";
    Path frames = SharedTestData.data("davis2016/JPEGImages/480p/" + sequence);
    Path annotations = SharedTestData.data("davis2016/Annotations/480p/" + sequence);
    List<Path> jpegs;
    try (Stream<Path> files = Files.list(frames)) {
      jpegs = files.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
    }
    SessionSettings settings = SessionSettings.defaults();
    InstanceOptions nmsOptions = InstanceOptions.defaults();
    InstanceOptions matrixOptions = InstanceOptions.builder().nms(NmsKind.MATRIX_NMS).build();

    try (SharedSession session = SharedSessions.acquire(SharedTestData.modelRegistry(), ModelCards.YOLOV8N_SEG,
            settings);
         YoloSegDecoder nms = new YoloSegDecoder(session, nmsOptions);
         YoloSegDecoder matrix = new YoloSegDecoder(session, matrixOptions)) {
      RgbImage first = ImageCodec.decode(Files.readAllBytes(jpegs.get(0)));
      nms.segment(first); // warm-up
      nms.segment(first);

      int n = jpegs.size();
      double[] segmentMs = new double[n];
      double[] runMs = new double[n];
      double[] nmsDecodeMs = new double[n];
      double[] matrixDecodeMs = new double[n];
      double iouTopSum = 0;
      double iouBestSum = 0;
      double iouMatrixTopSum = 0;
      int agree = 0;
      int agreeConfident = 0;
      int agreeTop = 0;
      int framesWithPerson = 0;
      List<String> disagreements = new ArrayList<>();
      for (int f = 0; f < n; f++) {
        Path jpeg = jpegs.get(f);
        RgbImage frame = ImageCodec.decode(Files.readAllBytes(jpeg));
        String name = jpeg.getFileName().toString().replace(".jpg", ".png");
        BinaryMask truth = BinaryMask.fromBytes(frame.width(), frame.height(),
            threshold(ImageCodec.decodeGray8Png(Files.readAllBytes(annotations.resolve(name)))));

        long t0 = System.nanoTime();
        List<Instance> instances = nms.segment(frame);
        segmentMs[f] = (System.nanoTime() - t0) / 1e6;

        // The same model outputs decoded both ways, so the comparison isolates the suppression step.
        Letterbox letterbox = nms.letterboxFor(frame.width(), frame.height());
        long t1 = System.nanoTime();
        List<Instance> byNms;
        List<Instance> byMatrix;
        try (OrtSession.Result result = nms.run(YoloSegDecoder.INPUT, frame, letterbox, YoloSegDecoder.PAD_VALUE)) {
          long t2 = System.nanoTime();
          runMs[f] = (t2 - t1) / 1e6;
          OrtOutputs.Floats det = OrtOutputs.floats(result, YoloSegDecoder.DETECTIONS, "yolo");
          OrtOutputs.Floats protos = OrtOutputs.floats(result, YoloSegDecoder.PROTOTYPES, "yolo");
          int anchors = (int) det.shape()[2];
          int pw = (int) protos.shape()[3];
          int ph = (int) protos.shape()[2];
          long t3 = System.nanoTime();
          byNms = nms.decode(det.values(), anchors, protos.values(), pw, ph, letterbox);
          long t4 = System.nanoTime();
          byMatrix = matrix.decode(det.values(), anchors, protos.values(), pw, ph, letterbox);
          long t5 = System.nanoTime();
          nmsDecodeMs[f] = (t4 - t3) / 1e6;
          matrixDecodeMs[f] = (t5 - t4) / 1e6;
        }

        Instance top = topPerson(instances);
        double iouTop = top == null ? 0 : top.mask().iou(truth);
        double iouBest = 0;
        for (Instance i : instances) {
          if (i.label().equals("person")) {
            iouBest = Math.max(iouBest, i.mask().iou(truth));
          }
        }
        Instance matrixTop = topPerson(byMatrix);
        iouTopSum += iouTop;
        iouBestSum += iouBest;
        iouMatrixTopSum += matrixTop == null ? 0 : matrixTop.mask().iou(truth);
        framesWithPerson += top == null ? 0 : 1;
        if (InstanceMatching.sameSets(confident(byNms), confident(byMatrix), 0.5)) {
          agreeConfident++;
        }
        if (!byNms.isEmpty() && !byMatrix.isEmpty()
            && InstanceMatching.sameSets(byNms.subList(0, 1), byMatrix.subList(0, 1), 0.5)) {
          agreeTop++;
        }
        if (InstanceMatching.sameSets(byNms, byMatrix, 0.5)) {
          agree++;
        } else {
          disagreements.add(name + ": nms " + summary(byNms) + " vs matrix " + summary(byMatrix));
        }
      }

      System.out.printf("YOLOv8n-seg int8 on DAVIS 2016 %s: %d frames %dx%d, %s, %s%n", sequence, n, first.width(),
          first.height(), session.provider(), settings);
      System.out.printf("inst.dance_twirl.person_iou = %.3f (best-matching person; best-scored person %.3f, "
          + "with matrix NMS %.3f; a person found in %d/%d frames)%n", iouBestSum / n, iouTopSum / n,
          iouMatrixTopSum / n, framesWithPerson, n);
      System.out.printf("inst.ms_per_frame = %.1f ms median segment() (p10 %.1f, p90 %.1f); model run alone %.1f ms"
          + " median%n", median(segmentMs), percentile(segmentMs, 10), percentile(segmentMs, 90), median(runMs));
      System.out.printf("inst.nms_vs_matrix_nms = %d/%d frames with identical kept sets (%.1f%%); instances scored "
          + ">= 0.5: %d/%d; best-scored instance: %d/%d; decoding median: class-aware NMS %.2f ms, matrix NMS %.2f ms "
          + "(p90 %.2f / %.2f ms)%n", agree, n, 100.0 * agree / n, agreeConfident, n, agreeTop, n,
          median(nmsDecodeMs), median(matrixDecodeMs), percentile(nmsDecodeMs, 90), percentile(matrixDecodeMs, 90));
      System.out.println("options: nms " + nmsOptions + "; matrix " + matrixOptions);
      disagreements.stream().limit(5).forEach(d -> System.out.println("  differs: " + d));
    }
  }

  private static Instance topPerson(List<Instance> instances) {
    for (Instance i : instances) {
      if (i.label().equals("person")) {
        return i; // sorted by score
      }
    }
    return null;
  }

  private static List<Instance> confident(List<Instance> instances) {
    return instances.stream().filter(i -> i.score() >= 0.5f).toList();
  }

  private static String summary(List<Instance> instances) {
    StringBuilder s = new StringBuilder("[");
    for (Instance i : instances) {
      s.append(s.length() > 1 ? ", " : "").append(i.label()).append(String.format(" %.2f", i.score()));
    }
    return s.append(']').toString();
  }

  private static byte[] threshold(byte[] gray) {
    byte[] out = new byte[gray.length];
    for (int i = 0; i < gray.length; i++) {
      out[i] = (byte) ((gray[i] & 0xff) > 127 ? 1 : 0);
    }
    return out;
  }

  private static double median(double[] values) {
    return percentile(values, 50);
  }

  private static double percentile(double[] values, double p) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int index = (int) Math.round(p / 100 * (sorted.length - 1));
    return sorted[index];
  }
}
