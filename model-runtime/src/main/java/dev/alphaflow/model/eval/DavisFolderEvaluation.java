package dev.alphaflow.model.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Scores folders of predicted DAVIS masks against the ground truth, as the DAVIS toolkit does: per sequence and
 * object, J (region IoU) and F (boundary F-measure) over frames 1..n-2 (not the prompt frame, not the last one),
 * J&amp;F = (J + F) / 2, then the sequence's values are the means over its objects.
 *
 * <p>Layout: {@code truthRoot/<sequence>/<frame>.png} and {@code predictedRoot/<sequence>/<frame>.png}, indexed (or
 * 0/255 grey) PNGs, pixel value = object id. A predicted frame that is missing counts as an empty mask, so gaps cost
 * score instead of hiding.
 */
public final class DavisFolderEvaluation {
  private DavisFolderEvaluation() {}

  /** One sequence's scores (means over its objects) and the per-object scores behind them. */
  public record SequenceResult(String sequence, int frames, int missingFrames, double j, double f,
      SortedMap<Integer, SequenceScores> perObject) {
    public double jf() {
      return (j + f) / 2;
    }
  }

  /** Scores every sequence folder of {@code predictedRoot} that has a ground-truth folder, by name. */
  public static List<SequenceResult> evaluate(Path predictedRoot, Path truthRoot) {
    List<SequenceResult> results = new ArrayList<>();
    for (Path predicted : folders(predictedRoot)) {
      Path truth = truthRoot.resolve(predicted.getFileName().toString());
      if (Files.isDirectory(truth)) {
        results.add(evaluateSequence(predicted, truth));
      }
    }
    if (results.isEmpty()) {
      throw new IllegalArgumentException("no folder of " + predictedRoot + " has a ground-truth folder of the same "
          + "name in " + truthRoot);
    }
    return results;
  }

  /** Scores one sequence: the truth folder's frames define what is scored. */
  public static SequenceResult evaluateSequence(Path predictedDir, Path truthDir) {
    List<Path> truthFrames = pngs(truthDir);
    if (truthFrames.size() < 3) {
      throw new IllegalArgumentException(truthDir + " has " + truthFrames.size()
          + " annotated frames; at least 3 are needed (the first and last are not scored)");
    }
    SortedMap<Integer, SequenceScores> perObject = new TreeMap<>();
    for (Integer id : DavisMasks.read(truthFrames.get(0)).objectMasks().keySet()) {
      perObject.put(id, new SequenceScores());
    }
    int missing = 0;
    for (int t = 1; t < truthFrames.size() - 1; t++) {
      Path truthFile = truthFrames.get(t);
      DavisMasks.LabelMap truth = DavisMasks.read(truthFile);
      Path predictedFile = predictedDir.resolve(truthFile.getFileName().toString());
      DavisMasks.LabelMap predicted;
      if (Files.isRegularFile(predictedFile)) {
        predicted = DavisMasks.read(predictedFile);
        if (predicted.width() != truth.width() || predicted.height() != truth.height()) {
          throw new IllegalArgumentException(predictedFile + " is " + predicted.width() + "x" + predicted.height()
              + " but " + truthFile + " is " + truth.width() + "x" + truth.height());
        }
      } else {
        missing++;
        predicted = new DavisMasks.LabelMap(truth.width(), truth.height(), new int[truth.labels().length]);
      }
      for (Map.Entry<Integer, SequenceScores> e : perObject.entrySet()) {
        e.getValue().add(predicted.mask(e.getKey()), truth.mask(e.getKey()), truth.width(), truth.height());
      }
    }
    double j = perObject.values().stream().mapToDouble(SequenceScores::meanJ).average().orElse(Double.NaN);
    double f = perObject.values().stream().mapToDouble(SequenceScores::meanF).average().orElse(Double.NaN);
    return new SequenceResult(truthDir.getFileName().toString(), truthFrames.size() - 2, missing, j, f, perObject);
  }

  /** A markdown table of the results. */
  public static String table(List<SequenceResult> results) {
    StringBuilder sb = new StringBuilder("| sequence | objects | scored frames | missing | J | F | J&F |\n"
        + "|---|---|---|---|---|---|---|\n");
    for (SequenceResult r : results) {
      sb.append(String.format("| %s | %d | %d | %d | %.4f | %.4f | %.4f |%n", r.sequence(), r.perObject().size(),
          r.frames(), r.missingFrames(), r.j(), r.f(), r.jf()));
    }
    return sb.toString();
  }

  private static List<Path> folders(Path root) {
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(Files::isDirectory).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
  }

  private static List<Path> pngs(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".png")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }
}
