package dev.alphaflow.model.image;

/** An encoded image could not be decoded; {@link #kind()} says whether it was cut short or is damaged. */
public class ImageDecodeException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Why decoding failed. */
  public enum Kind {
    /** Not a readable JPEG/PNG: garbage, unsupported variant, damaged data. */
    CORRUPT,
    /** The data ends before the image does (e.g. a JPEG without its end-of-image marker). */
    TRUNCATED
  }

  private final Kind kind;

  public ImageDecodeException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public ImageDecodeException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
