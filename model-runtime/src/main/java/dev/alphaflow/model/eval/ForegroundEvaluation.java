package dev.alphaflow.model.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * Scores outputs that have no object ids (mattes, the union of per-frame instances) against DAVIS-style annotations:
 * the mean IoU ({@link SegmentationMetrics#regionJ}) of the predicted foreground with the annotated one (every
 * non-zero label), over every annotated frame. Unlike {@link DavisFolderEvaluation} no frame is left out, as nothing
 * was prompted on the first one. A frame without a prediction counts as an empty mask, so gaps cost score.
 */
public final class ForegroundEvaluation {
  private ForegroundEvaluation() {}

  /** The mean IoU over {@code frames} annotated frames, of which {@code missingFrames} had no prediction. */
  public record Result(String sequence, int frames, int missingFrames, double meanIou) {}

  /**
   * Scores one sequence.
   *
   * @param truthDir annotation PNGs named by frame index ({@code 00000.png}, ...), read by {@link DavisMasks#read}
   * @param predicted the predicted foreground of a frame index (row-major, the annotation's size), or null when the
   *     frame has no prediction
   * @throws IllegalArgumentException when the folder has no annotation, a name is not a frame index, or a prediction's
   *     size differs from its annotation's
   */
  public static Result evaluate(Path truthDir, IntFunction<boolean[]> predicted) {
    List<Path> truthFrames = pngs(truthDir);
    if (truthFrames.isEmpty()) {
      throw new IllegalArgumentException(truthDir + " holds no annotation PNGs (<frame>.png)");
    }
    double sum = 0;
    int missing = 0;
    for (Path file : truthFrames) {
      DavisMasks.LabelMap truth = DavisMasks.read(file);
      boolean[] truthMask = new boolean[truth.labels().length];
      for (int i = 0; i < truthMask.length; i++) {
        truthMask[i] = truth.labels()[i] != 0;
      }
      int frame = frameIndex(file);
      boolean[] mask = predicted.apply(frame);
      if (mask == null) {
        missing++;
        mask = new boolean[truthMask.length];
      } else if (mask.length != truthMask.length) {
        throw new IllegalArgumentException("the prediction of frame " + frame + " has " + mask.length + " pixels but "
            + file + " is " + truth.width() + "x" + truth.height());
      }
      sum += SegmentationMetrics.regionJ(mask, truthMask);
    }
    return new Result(truthDir.getFileName().toString(), truthFrames.size(), missing, sum / truthFrames.size());
  }

  private static int frameIndex(Path png) {
    String name = png.getFileName().toString();
    String digits = name.substring(0, name.length() - ".png".length());
    try {
      return Integer.parseInt(digits);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(png + " is not named by a frame index (like 00000.png)", e);
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
