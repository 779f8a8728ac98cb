package dev.alphaflow.model;

/**
 * A frame smaller than the model can take, rejected before it reaches ONNX Runtime; the message says the minimum.
 * Other frames (and this stream's next, larger frames) still work.
 */
public class FrameTooSmallException extends InferenceException {

  private static final long serialVersionUID = 1L;

  public FrameTooSmallException(String message) {
    super(message);
  }
}
