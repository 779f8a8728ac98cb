package dev.alphaflow.model.vos;

/** Which implementation computes the attention readout of a feature bank. */
public enum ReadoutKernel {
  /** Blocked Java kernel (single thread, vectorized by C2); no native memory. */
  JAVA,
  /** A generated ONNX graph (MatMul, Mul, Softmax, MatMul) run by ONNX Runtime with its own thread pool. */
  ONNX
}
