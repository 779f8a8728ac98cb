package dev.alphaflow.jobs.ingest;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounded exponential backoff between attempts to reach a lost source: {@code initial} after the first failure,
 * multiplied by {@code multiplier} after each further one, never more than {@code max}. A successful connection
 * starts over at {@code initial}.
 *
 * <pre>{@code
 * Backoff b = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), 2.0);
 * b.delay(1); // 500 ms
 * b.delay(3); // 2 s
 * b.delay(20); // 30 s
 * }</pre>
 */
public record Backoff(Duration initial, Duration max, double multiplier) {

    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial delay must be positive: " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max delay " + max + " is below the initial delay " + initial);
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier must be at least 1 and finite: " + multiplier);
        }
    }

    /** 500 ms, doubling, at most 30 s. */
    public static Backoff defaults() {
        return new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), 2.0);
    }

    /** The wait after {@code failures} consecutive failed attempts (1 = the first). */
    public Duration delay(int failures) {
        if (failures < 1) {
            throw new IllegalArgumentException("failures must be at least 1: " + failures);
        }
        double ms = initial.toMillis() * Math.pow(multiplier, failures - 1);
        return ms >= max.toMillis() ? max : Duration.ofMillis(Math.round(ms));
    }
}
