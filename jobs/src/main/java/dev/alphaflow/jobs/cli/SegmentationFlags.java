package dev.alphaflow.jobs.cli;

import java.nio.file.Path;

import org.apache.flink.configuration.Configuration;

import picocli.CommandLine.Option;

import dev.alphaflow.jobs.CommonOptions;
import dev.alphaflow.jobs.segmentation.SegmentationJobOptions;

/**
 * Segmentation-job flags shared by {@code segment}, {@code demo segment} and {@code demo track}; each maps onto a
 * {@link SegmentationJobOptions} key.
 */
final class SegmentationFlags {

    @Option(names = "--model-dir", paramLabel = "DIR",
            description = "Folder holding mobilenetv2/mobilenetv2_int8_features.onnx (and the detector for --track) "
                    + "(default: $ALPHAFLOW_MODEL_DIR, else <shared>/models).")
    Path modelDir;

    @Option(names = "--bank-budget", paramLabel = "N",
            description = "Most feature-bank entries per object (default: the measured default, see BENCHMARKS.md).")
    Integer bankBudget;

    @Option(names = "--no-refine", description = "Skip the uncertain-region refinement (faster, lower boundary F).")
    boolean noRefine;

    @Option(names = "--colour-band", paramLabel = "PX",
            description = "Half-width of the band around each object's boundary that local colour models re-decide "
                    + "(0 = off: faster, lower boundary F; default: the measured default, see BENCHMARKS.md).")
    Integer colourBand;

    @Option(names = "--flow-prior", paramLabel = "PRESET",
            description = "Move the previous-mask prior by optical flow: a DIS preset ultrafast, fast (default), "
                    + "medium, or off (see BENCHMARKS.md for what it changes).")
    String flowPrior;

    @Option(names = "--evidence-weight", paramLabel = "W",
            description = "Let matching detections inform tracked masks on uncertain pixels with this weight in "
                    + "[0, 1] (0.5 measured best for prompted tracks; default 0 = off, or 1 with --track).")
    Float evidenceWeight;

    /** Sets the flags' options; {@code trackClasses} (null = none) turns detect-then-track on. */
    void applyTo(Configuration conf, String trackClasses) {
        conf.set(CommonOptions.MODEL_DIR, SharedPaths.modelDir(modelDir).toString());
        if (bankBudget != null) {
            conf.set(SegmentationJobOptions.BANK_BUDGET, bankBudget);
        }
        if (noRefine) {
            conf.set(SegmentationJobOptions.REFINE, false);
        }
        if (colourBand != null) {
            conf.set(SegmentationJobOptions.COLOUR_BAND, colourBand);
        }
        if (flowPrior != null) {
            conf.set(SegmentationJobOptions.FLOW_PRIOR, flowPrior);
        }
        if (trackClasses != null) {
            conf.set(SegmentationJobOptions.TRACK_START_CLASSES, trackClasses);
            conf.set(SegmentationJobOptions.TRACK_EVIDENCE_WEIGHT, 1f); // measured best for started tracks
        }
        if (evidenceWeight != null) {
            conf.set(SegmentationJobOptions.TRACK_EVIDENCE_WEIGHT, evidenceWeight);
        }
    }
}
