package dev.alphaflow.model.rvm;

import dev.alphaflow.model.ModelCards;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.flow.DisFlowEstimator;
import dev.alphaflow.model.flow.DisPreset;
import dev.alphaflow.model.flow.FlowField;
import dev.alphaflow.model.flow.FlowInput;
import dev.alphaflow.model.flow.FlowWarp;
import dev.alphaflow.model.flow.ForwardBackwardCheck;
import dev.alphaflow.model.image.Dimensions;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.testing.SharedTestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * RVM's temporal flicker as the flow-warping error of its alpha (the usual video-consistency measure): per pair of
 * consecutive frames, mean |α_t(x) − α_{t+1}(x + F(x))| over the pixels of frame t that the forward-backward check
 * finds visible in frame t+1, F = DIS MEDIUM flow t → t+1 on the frames (not the mattes); the mean over the pairs of a
 * sequence is {@code rvm.<sequence>.warp_error}. Also the mean IoU of α > 0.5 with the DAVIS mask, to read the error
 * beside. RVM with the job's defaults (automatic ratio, long side 512), its state carried from frame 0, one thread.
 * Prints BENCHMARKS.md rows. Run (after {@code mvn -o -q -pl model-runtime -am test-compile} and
 * {@code mvn -o -q -pl model-runtime dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt
 * -Dmdep.includeScope=test}):
 *
 * <pre>
 * java -cp model-runtime/target/test-classes:model-runtime/target/classes:$(cat model-runtime/target/test-classpath.txt) \
 *   dev.alphaflow.model.rvm.RvmWarpError
 * </pre>
 */
public final class RvmWarpError {

  /** The shared DAVIS 2016 sequences whose object is, or carries, a person. */
  static final List<String> PERSON_SEQUENCES =
      List.of("dance-twirl", "horsejump-high", "paragliding-launch", "scooter-black");

  private RvmWarpError() {}

  record Score(double warpError, double meanIou, int pairs) {}

  static Score measure(RvmMatter matter, DisFlowEstimator dis, String sequence) throws IOException {
    return measure(matter, dis, sequence, null, 0);
  }

  /**
   * @param filter applied to each alpha after frame 0 (its memory: the previous output and luma), or {@code null}
   * @param flowMaxSide the filter's flow size (longer side)
   */
  static Score measure(RvmMatter matter, DisFlowEstimator dis, String sequence, TemporalAlphaFilter filter,
      int flowMaxSide) throws IOException {
    Path frames = SharedTestData.data("davis2016/JPEGImages/480p/" + sequence);
    Path masks = SharedTestData.data("davis2016/Annotations/480p/" + sequence);
    List<Path> files;
    try (Stream<Path> list = Files.list(frames)) {
      files = list.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
    }
    RecurrentState state = RecurrentState.initial();
    RgbImage previousFrame = null;
    float[] previousAlpha = null;
    byte[] previousLuma = null;
    double errorSum = 0;
    double iouSum = 0;
    int pairs = 0;
    for (Path file : files) {
      RgbImage frame = ImageCodec.decode(Files.readAllBytes(file));
      RvmResult result = matter.infer(frame, state);
      state = result.nextState();
      float[] alpha = result.alpha();
      byte[] luma = filter == null ? null : FlowInput.luma(frame, flowMaxSide);
      if (filter != null && previousAlpha != null) {
        Dimensions fs = FlowInput.flowSize(frame.width(), frame.height(), flowMaxSide);
        alpha = filter.filter(alpha, previousAlpha, frame.width(), frame.height(), luma, previousLuma, fs.width(),
            fs.height());
      }
      String name = file.getFileName().toString().replace(".jpg", ".png");
      iouSum += iou(alpha, ImageCodec.decodeGray8Png(Files.readAllBytes(masks.resolve(name))));
      if (previousFrame != null) {
        errorSum += warpError(previousAlpha, alpha, dis.estimate(previousFrame, frame),
            dis.estimate(frame, previousFrame));
        pairs++;
      }
      previousFrame = frame;
      previousAlpha = alpha;
      previousLuma = luma;
    }
    return new Score(errorSum / pairs, iouSum / files.size(), pairs);
  }

  /**
   * Mean |α_t(x) − α_{t+1}(x + F(x))| over the pixels of frame t visible in frame t+1; {@code forward} = flow t → t+1,
   * {@code backward} = flow t+1 → t. 0 when no pixel is visible.
   */
  static double warpError(float[] alphaT, float[] alphaNext, FlowField forward, FlowField backward) {
    boolean[] occluded = ForwardBackwardCheck.DEFAULT.occluded(forward, backward);
    float[] warped = FlowWarp.warp(alphaNext, 1, forward); // α_{t+1} seen from frame t
    double sum = 0;
    long visible = 0;
    for (int i = 0; i < warped.length; i++) {
      if (!occluded[i]) {
        sum += Math.abs(alphaT[i] - warped[i]);
        visible++;
      }
    }
    return visible == 0 ? 0 : sum / visible;
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

  public static void main(String[] args) throws IOException {
    SessionSettings oneThread = SessionSettings.builder().intraOpThreads(1).interOpThreads(1).build();
    double sum = 0;
    try (RvmMatter matter = RvmMatter.open(SharedTestData.modelRegistry(), ModelCards.RVM_MOBILENETV3, oneThread,
            RvmOptions.defaults());
        DisFlowEstimator dis = new DisFlowEstimator(DisPreset.MEDIUM)) {
      if (args.length > 0) {
        // Diagnostic: "weight,maxChange,flowMaxSide,PRESET" per argument, each against the unfiltered run.
        for (String sequence : PERSON_SEQUENCES) {
          Score off = measure(matter, dis, sequence);
          System.out.printf(Locale.ROOT, "%s off: warp %.5f IoU %.4f%n", sequence, off.warpError(), off.meanIou());
          for (String a : args) {
            String[] v = a.split(",");
            try (DisFlowEstimator filterFlow = new DisFlowEstimator(DisPreset.valueOf(v[3]))) {
              TemporalAlphaFilter f = new TemporalAlphaFilter(filterFlow,
                  new TemporalAlphaFilter.Options(Float.parseFloat(v[0]), Float.parseFloat(v[1])));
              long t0 = System.nanoTime();
              Score on = measure(matter, dis, sequence, f, Integer.parseInt(v[2]));
              System.out.printf(Locale.ROOT, "%s %s: warp %.5f IoU %.4f (%.0f s)%n", sequence, a, on.warpError(),
                  on.meanIou(), (System.nanoTime() - t0) / 1e9);
            }
          }
        }
        return;
      }
      for (String sequence : PERSON_SEQUENCES) {
        Score s = measure(matter, dis, sequence);
        sum += s.warpError();
        System.out.printf(Locale.ROOT, "| rvm.%s.warp_error | %.4f (mean IoU %.3f, %d pairs) |%n",
            sequence.replace('-', '_'), s.warpError(), s.meanIou(), s.pairs());
      }
    }
    System.out.printf(Locale.ROOT, "| rvm.person_sequences.mean_warp_error | %.4f |%n", sum / PERSON_SEQUENCES.size());
  }
}
