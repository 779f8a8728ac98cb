package dev.alphaflow.model.flow;

import org.bytedeco.opencv.opencv_video.DISOpticalFlow;

/** OpenCV's DIS optical flow presets, from fastest to most accurate. */
public enum DisPreset {
  ULTRAFAST(DISOpticalFlow.PRESET_ULTRAFAST),
  FAST(DISOpticalFlow.PRESET_FAST),
  MEDIUM(DISOpticalFlow.PRESET_MEDIUM);

  /**
   * FAST: on the shared flow pairs its mean EPE over the four datasets is within 1% of MEDIUM's (1.96 vs 1.94 px;
   * better on FlyingChairs' large motions, worse on Sintel) at a quarter of the time (7.6 vs 31.9 ms at 854x480, one
   * thread); ULTRAFAST saves 3 ms for 12% more error. See BENCHMARKS.md, {@code flow.*}.
   */
  public static final DisPreset DEFAULT = FAST;

  private final int openCvPreset;

  DisPreset(int openCvPreset) {
    this.openCvPreset = openCvPreset;
  }

  int openCvPreset() {
    return openCvPreset;
  }
}
