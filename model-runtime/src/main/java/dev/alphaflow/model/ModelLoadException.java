package dev.alphaflow.model;

/** A model could not be found, verified, opened or matched to its card; the message says what to fix. */
public class ModelLoadException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ModelLoadException(String message) {
    super(message);
  }

  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
