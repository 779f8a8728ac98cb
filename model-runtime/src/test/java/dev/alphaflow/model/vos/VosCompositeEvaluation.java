package dev.alphaflow.model.vos;

import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.eval.ObjectComposite;
import dev.alphaflow.model.eval.SequenceScores;
import dev.alphaflow.model.instances.BinaryMask;
import dev.alphaflow.model.testing.SharedTestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Several objects at once, measured (not a test; run it by hand like {@link VosEvaluation}): for a few pairs of the
 * shared DAVIS 2016 sequences, A's object is pasted over B's frames ({@link ObjectComposite}), both objects are
 * prompted on frame 0, and each object's J&amp;F over frames 1..N-1 is compared with the same object segmented alone
 * on the same composite frames (only its prompt). Prints a table and writes it to
 * {@code target/vos-composite.md}. Arguments: ad-hoc option rows as in {@link VosEvaluation} (none: the defaults).
 *
 * <pre>
 * java -Xmx4g -cp model-runtime/target/test-classes:model-runtime/target/classes:$(cat \
 *     model-runtime/target/test-classpath.txt) dev.alphaflow.model.vos.VosCompositeEvaluation
 * </pre>
 */
public final class VosCompositeEvaluation {

  private VosCompositeEvaluation() {}

  /** Top (pasted) and base sequences: objects of different classes that cross or touch each other. */
  static final List<String[]> PAIRS = List.of(
      new String[] {"dance-twirl", "blackswan"},
      new String[] {"dog", "goat"},
      new String[] {"scooter-black", "cows"},
      new String[] {"horsejump-high", "car-shadow"});

  public static void main(String[] args) throws IOException {
    VosOptions options = args.length == 0 ? VosOptions.defaults() : VosEvaluation.parse(args[0]).options();
    SessionSettings settings = SessionSettings.builder().intraOpThreads(2).build();
    List<String> lines = new ArrayList<>();
    lines.add("| composite (top over base) | object | J&F together | J&F alone | together - alone |");
    lines.add("|---|---|---|---|---|");
    double sum = 0;
    int count = 0;
    double worstDrop = 0;
    try (VideoObjectSegmenter segmenter = VideoObjectSegmenter.open(SharedTestData.modelRegistry(), settings,
        options)) {
      for (String[] pair : PAIRS) {
        VosEvaluation.Sequence top = VosEvaluation.Sequence.load(pair[0]);
        VosEvaluation.Sequence base = VosEvaluation.Sequence.load(pair[1]);
        int n = Math.min(top.frames().size(), base.frames().size());
        List<ObjectComposite.Frame> frames = new ArrayList<>(n);
        for (int f = 0; f < n; f++) {
          frames.add(ObjectComposite.compose(top.frames().get(f), top.truth().get(f), base.frames().get(f),
              base.truth().get(f)));
        }
        SequenceScores[] together = run(segmenter, frames, List.of(ObjectComposite.TOP, ObjectComposite.BASE));
        for (int k = 0; k < 2; k++) {
          byte id = k == 0 ? ObjectComposite.TOP : ObjectComposite.BASE;
          double alone = run(segmenter, frames, List.of(id))[0].meanJF();
          double both = together[k].meanJF();
          sum += both;
          count++;
          worstDrop = Math.min(worstDrop, both - alone);
          String line = String.format(Locale.ROOT, "| %s over %s | %s | %.3f | %.3f | %+.3f |", pair[0], pair[1],
              pair[k], both, alone, both - alone);
          lines.add(line);
          System.out.println(line);
        }
      }
    }
    String summary = String.format(Locale.ROOT, "vos.composite.mean_jf %.3f over %d objects; largest drop beside "
        + "the other object %.3f", sum / count, count, worstDrop);
    System.out.println(summary);
    lines.add("");
    lines.add(summary);
    Path out = Path.of("target", "vos-composite.md");
    Files.createDirectories(out.getParent());
    Files.write(out, lines);
    System.out.println("wrote " + out.toAbsolutePath());
  }

  /** Prompts {@code ids} on frame 0 with their truth and scores each of them on frames 1..N-1. */
  static SequenceScores[] run(VideoObjectSegmenter segmenter, List<ObjectComposite.Frame> frames, List<Byte> ids) {
    VosMemory memory = new VosMemory();
    ObjectComposite.Frame first = frames.get(0);
    int width = first.image().width();
    int height = first.image().height();
    List<VosPrompt> prompts = new ArrayList<>();
    for (byte id : ids) {
      prompts.add(VosPrompt.add(id, mask(first.mask(id), width, height)));
    }
    segmenter.segment(first.image(), 0, memory, prompts);
    SequenceScores[] scores = new SequenceScores[ids.size()];
    for (int k = 0; k < scores.length; k++) {
      scores[k] = new SequenceScores();
    }
    for (int f = 1; f < frames.size(); f++) {
      byte[] labels = segmenter.segment(frames.get(f).image(), f, memory, List.of()).labels();
      for (int k = 0; k < scores.length; k++) {
        byte id = ids.get(k);
        boolean[] predicted = new boolean[labels.length];
        for (int i = 0; i < labels.length; i++) {
          predicted[i] = labels[i] == id;
        }
        scores[k].add(predicted, frames.get(f).mask(id), width, height);
      }
    }
    return scores;
  }

  private static BinaryMask mask(boolean[] pixels, int width, int height) {
    BinaryMask.Builder b = BinaryMask.builder(width, height);
    for (int i = 0; i < pixels.length; i++) {
      if (pixels[i]) {
        b.set(i);
      }
    }
    return b.build();
  }
}
