package dev.alphaflow.jobs.tools;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a long stage (frames replayed, matted, exported): a redrawn bar on a terminal, plain lines every few
 * seconds otherwise ("replay: 120/300 frames (40%), 11.8 frames/s, ETA 0:00:15"), so that files and pipes never get
 * escape codes. Thread-safe: several threads may {@link #step()} the same instance.
 *
 * <pre>{@code
 * try (Progress progress = Progress.start("replay", "frames", totalOrMinusOne)) {
 *     for (Frame f : frames) {
 *         send(f);
 *         progress.step();
 *     }
 * } // prints the final line
 * }</pre>
 */
public final class Progress implements AutoCloseable {
    /** Time between two plain lines when not on a terminal. */
    public static final Duration DEFAULT_LINE_INTERVAL = Duration.ofSeconds(5);

    private final String task;
    private final String unit;
    private final PrintStream out;
    private final LongSupplier nanoClock;
    private final long lineIntervalNanos;
    private final long startNanos;
    private final ProgressBar bar;
    private final AtomicLong done = new AtomicLong();
    private volatile long total;
    private long lastLineNanos;
    private boolean closed;

    private Progress(String task, String unit, long total, boolean terminal, PrintStream out, LongSupplier nanoClock,
            Duration lineInterval) {
        this.task = Objects.requireNonNull(task, "task");
        this.unit = Objects.requireNonNull(unit, "unit");
        this.out = Objects.requireNonNull(out, "out");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        if (lineInterval.isNegative() || lineInterval.isZero()) {
            throw new IllegalArgumentException("lineInterval must be positive: " + lineInterval);
        }
        this.lineIntervalNanos = lineInterval.toNanos();
        this.total = total < 0 ? -1 : total;
        this.startNanos = nanoClock.getAsLong();
        this.lastLineNanos = startNanos;
        this.bar = terminal ? new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(this.total)
                .setUnit(" " + unit, 1)
                .setStyle(ProgressBarStyle.ASCII)
                .showSpeed()
                .setUpdateIntervalMillis(250)
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(out))
                .build() : null;
    }

    /**
     * Starts reporting on {@code System.err}: a bar when the process runs on a terminal ({@link System#console()}),
     * plain lines every {@link #DEFAULT_LINE_INTERVAL} otherwise.
     *
     * @param task what is progressing, e.g. {@code "replay"}
     * @param unit what is counted, plural, e.g. {@code "frames"}
     * @param total how many there will be, or a negative number when unknown (no percentage, no ETA)
     */
    public static Progress start(String task, String unit, long total) {
        return new Progress(task, unit, total, onTerminal(), System.err, System::nanoTime, DEFAULT_LINE_INTERVAL);
    }

    /** For tests and special outputs: explicit terminal mode, stream, clock and line interval. */
    static Progress start(String task, String unit, long total, boolean terminal, PrintStream out,
            LongSupplier nanoClock, Duration lineInterval) {
        return new Progress(task, unit, total, terminal, out, nanoClock, lineInterval);
    }

    /** True when both stdin and stdout of this process are a terminal, as {@link System#console()} decides. */
    public static boolean onTerminal() {
        return System.console() != null;
    }

    /** One more done. */
    public void step() {
        stepBy(1);
    }

    /** {@code n} more done. */
    public void stepBy(long n) {
        long now = done.addAndGet(n);
        if (bar != null) {
            bar.stepBy(n);
            return;
        }
        long t = nanoClock.getAsLong();
        synchronized (this) {
            if (!closed && t - lastLineNanos >= lineIntervalNanos) {
                lastLineNanos = t;
                out.println(line(now, t, false));
            }
        }
    }

    /** Sets the total once it is known (or grows), e.g. when more inputs are counted; negative = unknown. */
    public void total(long total) {
        this.total = total < 0 ? -1 : total;
        if (bar != null) {
            bar.maxHint(this.total);
        }
    }

    /** How many are done so far. */
    public long done() {
        return done.get();
    }

    /** Prints the final state (the bar's last frame, or one last line). Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (bar != null) {
            bar.close();
        } else {
            out.println(line(done.get(), nanoClock.getAsLong(), true));
        }
        out.flush();
    }

    // "replay: 120/300 frames (40%), 11.8 frames/s, ETA 0:00:15" or, finished, "replay: 300 frames in 0:00:25, ..."
    String line(long n, long nowNanos, boolean finished) {
        double seconds = (nowNanos - startNanos) / 1e9;
        double rate = seconds > 0 ? n / seconds : 0;
        long max = total;
        StringBuilder s = new StringBuilder(task).append(": ");
        if (finished) {
            s.append(n).append(' ').append(unit).append(" in ").append(clock(seconds));
            s.append(String.format(", %.1f %s/s", rate, unit));
            return s.toString();
        }
        s.append(n);
        if (max >= 0) {
            s.append('/').append(max);
        }
        s.append(' ').append(unit);
        if (max > 0) {
            s.append(String.format(" (%d%%)", Math.min(100, n * 100 / max)));
        }
        s.append(String.format(", %.1f %s/s", rate, unit));
        if (max >= 0 && rate > 0) {
            s.append(", ETA ").append(clock(Math.max(0, max - n) / rate));
        }
        return s.toString();
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format("%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
