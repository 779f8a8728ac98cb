package dev.alphaflow.jobs.tools;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import dev.alphaflow.model.eval.DavisFolderEvaluation;
import dev.alphaflow.model.eval.ForegroundEvaluation;

/**
 * One stream's scores against its ground truth, as an export prints them and its report shows them: J, F and J&amp;F
 * for masks with object ids ({@link DavisFolderEvaluation}, the code {@code davis-eval} runs), the foreground IoU for
 * mattes and instances ({@link ForegroundEvaluation}). Figures have four decimals, as {@code davis-eval}'s table.
 *
 * @param truthDir the annotations scored against
 * @param frames annotated frames scored
 * @param missingFrames of those, frames without an output (scored as empty)
 */
public record TruthScore(Path truthDir, int frames, int missingFrames, List<RunReport.Figure> figures) {

    public TruthScore {
        figures = List.copyOf(figures);
    }

    /** J, F and J&amp;F of a DAVIS evaluation (frames 1..n-2, means over the objects). */
    public static TruthScore of(DavisFolderEvaluation.SequenceResult r, Path truthDir) {
        return new TruthScore(truthDir, r.frames(), r.missingFrames(), List.of(new RunReport.Figure("J", "j", format(r.j())),
                new RunReport.Figure("F", "f", format(r.f())), new RunReport.Figure("J&F", "jf", format(r.jf()))));
    }

    /** The mean foreground IoU (every annotated frame). */
    public static TruthScore of(ForegroundEvaluation.Result r, Path truthDir) {
        return new TruthScore(truthDir, r.frames(), r.missingFrames(), List.of(new RunReport.Figure("IoU", "iou", format(r.meanIou()))));
    }

    /** E.g. {@code J 0.9123  F 0.8765  J&F 0.8944  (48 frames against truth/blackswan)}. */
    public String describe() {
        return figures.stream().map(f -> f.label() + " " + f.value()).collect(Collectors.joining("  "))
                + String.format("  (%d frames against %s%s)", frames, truthDir,
                        missingFrames == 0 ? "" : ", " + missingFrames + " without an output");
    }

    private static String format(double value) {
        return String.format(Locale.ROOT, "%.4f", value);
    }
}
