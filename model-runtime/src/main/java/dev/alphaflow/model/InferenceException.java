package dev.alphaflow.model;

/** A model run failed for one input (bad geometry, mismatched state, runtime error); other inputs may still work. */
public class InferenceException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public InferenceException(String message) {
    super(message);
  }

  public InferenceException(String message, Throwable cause) {
    super(message, cause);
  }
}
