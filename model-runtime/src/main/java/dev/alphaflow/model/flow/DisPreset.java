package dev.alphaflow.model.flow;

import org.bytedeco.opencv.opencv_video.DISOpticalFlow;

/** OpenCV's DIS optical flow presets, from fastest to most accurate. */
public enum DisPreset {
  ULTRAFAST(DISOpticalFlow.PRESET_ULTRAFAST),
  FAST(DISOpticalFlow.PRESET_FAST),
  MEDIUM(DISOpticalFlow.PRESET_MEDIUM);

  private final int openCvPreset;

  DisPreset(int openCvPreset) {
    this.openCvPreset = openCvPreset;
  }

  int openCvPreset() {
    return openCvPreset;
  }
}
