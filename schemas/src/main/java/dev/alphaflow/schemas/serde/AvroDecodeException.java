package dev.alphaflow.schemas.serde;

/** A record value that is not a readable single-object-encoded Avro record of the expected type. */
public final class AvroDecodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AvroDecodeException(String message, Throwable cause) {
        super(message, cause);
    }

    public AvroDecodeException(String message) {
        super(message);
    }
}
