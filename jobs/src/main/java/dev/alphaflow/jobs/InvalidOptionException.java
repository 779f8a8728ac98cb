package dev.alphaflow.jobs;

import java.util.Objects;

import org.apache.flink.configuration.ConfigOption;

/**
 * A job option with a value the job cannot run with, found before Kafka or Flink start. Carries the option's key so
 * that the command line can name its own flag for it ({@code --ratio}) next to the key ({@code -D
 * alphaflow.rvm.downsample-ratio}).
 */
public final class InvalidOptionException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final String problem;

    public InvalidOptionException(String key, String problem) {
        super(key + ": " + problem);
        this.key = Objects.requireNonNull(key, "key");
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    public InvalidOptionException(ConfigOption<?> option, String problem) {
        this(option.key(), problem);
    }

    /** The configuration key, e.g. {@code alphaflow.rvm.downsample-ratio}. */
    public String key() {
        return key;
    }

    /** What is wrong, without the key, e.g. {@code must be in (0, 1], got -1.0}. */
    public String problem() {
        return problem;
    }

    /** Checks a condition on an option's value. */
    public static void check(boolean ok, ConfigOption<?> option, String problemFormat, Object... args) {
        if (!ok) {
            throw new InvalidOptionException(option, String.format(problemFormat, args));
        }
    }
}
