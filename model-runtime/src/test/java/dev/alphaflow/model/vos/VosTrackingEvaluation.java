package dev.alphaflow.model.vos;

import dev.alphaflow.model.ModelCards;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.eval.SequenceScores;
import dev.alphaflow.model.instances.Instance;
import dev.alphaflow.model.instances.InstanceOptions;
import dev.alphaflow.model.instances.InstanceSegmenter;
import dev.alphaflow.model.instances.InstanceSegmenters;
import dev.alphaflow.model.testing.SharedTestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * "Detect, then track" on DAVIS 2016 (issue 4, items 3 and 4; not a test, run it by hand): YOLOv8n-seg detections of
 * the sequence's class on every frame, then the VOS segmenter started (a) from the first-frame ground-truth mask, as
 * in {@link VosEvaluation}, (b) the same with the matched detection as evidence on uncertain pixels, for several
 * weights, and (c) with no prompt at all, tracks started by the detections. For (c) the DAVIS object is the started
 * track that best overlaps the ground truth on the first frame with tracks (earlier frames score as missed). Frames 1..N-1 are scored, as in {@link VosEvaluation}.
 *
 * <pre>
 * mvn -o -q -B -pl model-runtime test-compile \
 *   &amp;&amp; mvn -o -q -B -pl model-runtime dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt \
 *        -Dmdep.includeScope=test \
 *   &amp;&amp; java -cp model-runtime/target/test-classes:model-runtime/target/classes:$(cat \
 *        model-runtime/target/test-classpath.txt) dev.alphaflow.model.vos.VosTrackingEvaluation \
 *        [dance-twirl:person,blackswan:bird]
 * </pre>
 */
public final class VosTrackingEvaluation {
  private VosTrackingEvaluation() {}

  public static void main(String[] args) throws IOException {
    String spec = args.length > 0 ? args[0] : "dance-twirl:person,blackswan:bird";
    SessionSettings settings = SessionSettings.builder().intraOpThreads(2).interOpThreads(1).build();
    List<String> lines = new ArrayList<>();
    lines.add("| sequence | run | J | F | J&F | ms/frame (segmenter) |");
    lines.add("|---|---|---|---|---|---|");
    for (String item : spec.split(",")) {
      String name = item.split(":")[0];
      String label = item.split(":")[1];
      VosEvaluation.Sequence sequence = VosEvaluation.Sequence.load(name);
      List<List<Instance>> detections = new ArrayList<>();
      double detectMs;
      try (InstanceSegmenter detector = InstanceSegmenters.open(SharedTestData.modelRegistry(),
          ModelCards.YOLOV8N_SEG, settings, InstanceOptions.builder().classNames(Set.of(label)).build())) {
        long start = System.nanoTime();
        for (var frame : sequence.frames()) {
          detections.add(detector.segment(frame));
        }
        detectMs = (System.nanoTime() - start) / 1e6 / sequence.frames().size();
      }
      lines.add(String.format(Locale.ROOT, "| %s | (YOLOv8n-seg detections, class %s) | | | | %.1f |", name, label,
          detectMs));
      try (VideoObjectSegmenter segmenter = VideoObjectSegmenter.open(SharedTestData.modelRegistry(), settings,
          VosOptions.defaults())) {
        lines.add(row(name, "prompt", run(segmenter, sequence, detections, true, options(Set.of(), 0f))));
        for (float w : new float[] {0.3f, 0.5f, 0.8f, 1f}) {
          lines.add(row(name, "prompt + evidence w=" + w, run(segmenter, sequence, detections, true,
              options(Set.of(), w))));
        }
        for (float w : new float[] {0f, 0.5f, 1f}) {
          lines.add(row(name, "autostart + evidence w=" + w, run(segmenter, sequence, detections, false,
              options(Set.of(label), w))));
        }
        lines.add(row(name, "autostart (start score 0.7) + evidence w=1.0", run(segmenter, sequence, detections,
            false, new TrackEvidence.Options(Set.of(label), 0.7f, 0.3f, 0.5f, 16, 1f))));
      }
      System.out.println(String.join("\n", lines));
    }
    Path out = Path.of("target", "benchmarks", "vos.tracking.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, String.join("\n", lines) + "\n");
    System.out.println("wrote " + out.toAbsolutePath());
  }

  static TrackEvidence.Options options(Set<String> startClasses, float supportWeight) {
    return new TrackEvidence.Options(startClasses, 0.5f, 0.3f, 0.5f, 16, supportWeight);
  }

  record Result(SequenceScores scores, double meanMs, int tracks) {}

  static Result run(VideoObjectSegmenter segmenter, VosEvaluation.Sequence sequence, List<List<Instance>> detections,
      boolean prompt, TrackEvidence.Options options) {
    VosMemory memory = new VosMemory();
    int width = sequence.frames().get(0).width();
    int height = sequence.frames().get(0).height();
    VosResult first = segmenter.segment(sequence.frames().get(0), 0, memory,
        prompt ? List.of(VosPrompt.add(1, sequence.promptMask())) : List.of(),
        new TrackEvidence.Detections(detections.get(0), options));
    // autostart: the DAVIS object is the track that best overlaps it on the first frame that has tracks; frames
    // before that score as missed
    int objectId = prompt ? 1 : bestOverlap(first, sequence.truth().get(0));
    SequenceScores scores = new SequenceScores();
    long total = 0;
    int n = sequence.frames().size();
    for (int f = 1; f < n; f++) {
      long start = System.nanoTime();
      VosResult result = segmenter.segment(sequence.frames().get(f), f, memory, List.of(),
          new TrackEvidence.Detections(detections.get(f), options));
      total += System.nanoTime() - start;
      if (objectId == 0) {
        objectId = bestOverlap(result, sequence.truth().get(f));
      }
      byte[] labels = result.labels();
      boolean[] predicted = new boolean[labels.length];
      for (int i = 0; i < labels.length; i++) {
        predicted[i] = objectId != 0 && (labels[i] & 0xff) == objectId;
      }
      scores.add(predicted, sequence.truth().get(f), width, height);
    }
    return new Result(scores, total / 1e6 / (n - 1), memory.banks().size());
  }

  /** The object of {@code result} whose mask overlaps {@code truth} most (IoU), 0 when none does. */
  static int bestOverlap(VosResult result, boolean[] truth) {
    int best = 0;
    double bestIou = 0;
    for (SegmentedMask m : result.objects()) {
      long inter = 0;
      long union = 0;
      for (int i = 0; i < truth.length; i++) {
        boolean p = m.mask().get(i);
        inter += p && truth[i] ? 1 : 0;
        union += p || truth[i] ? 1 : 0;
      }
      double iou = union == 0 ? 0 : (double) inter / union;
      if (iou > bestIou) {
        bestIou = iou;
        best = m.objectId();
      }
    }
    return best;
  }

  static String row(String name, String run, Result r) {
    return String.format(Locale.ROOT, "| %s | %s (%d tracks at the end) | %.3f | %.3f | %.3f | %.1f |", name, run,
        r.tracks(), r.scores().meanJ(), r.scores().meanF(), r.scores().meanJF(), r.meanMs());
  }
}
