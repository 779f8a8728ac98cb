package dev.alphaflow.jobs.cli;

/** A command that cannot go on, with a message for the user that says what to fix; printed without a stack trace. */
final class CommandFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CommandFailure(String message) {
        super(message);
    }

    CommandFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
