package dev.alphaflow.model;

import ai.onnxruntime.OrtSession;

/** ONNX Runtime graph optimization level. */
public enum OptimizationLevel {
  NONE(OrtSession.SessionOptions.OptLevel.NO_OPT),
  BASIC(OrtSession.SessionOptions.OptLevel.BASIC_OPT),
  EXTENDED(OrtSession.SessionOptions.OptLevel.EXTENDED_OPT),
  ALL(OrtSession.SessionOptions.OptLevel.ALL_OPT);

  private final OrtSession.SessionOptions.OptLevel ortLevel;

  OptimizationLevel(OrtSession.SessionOptions.OptLevel ortLevel) {
    this.ortLevel = ortLevel;
  }

  /** The matching ONNX Runtime level. */
  public OrtSession.SessionOptions.OptLevel toOrt() {
    return ortLevel;
  }
}
