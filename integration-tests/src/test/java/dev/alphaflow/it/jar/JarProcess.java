package dev.alphaflow.it.jar;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The shipped jar run as a user runs it: {@code java -Djava.io.tmpdir=<tmp> -jar alphaflow.jar <args>} in a JVM of
 * its own (no Maven classpath), in a working directory of the test's choosing, with stdout and stderr captured in
 * one file (or, with {@link Builder#stderr}, in two). {@link #close()} stops the process (and its children) by PID
 * if it is still running.
 *
 * <pre>{@code
 * try (JarProcess demo = JarProcess.builder().workDir(cwd).tmpDir(tmp).log(log)
 *         .args("demo", "--max-frames", "10", "-o", "out").start()) {
 *     assertThat(demo.waitFor(Duration.ofMinutes(5))).isZero();
 *     assertThat(demo.output()).contains("demo: 10 frames");
 * }
 * }</pre>
 *
 * <p>A process that keeps running is waited for with {@link #awaitLine} and stopped with {@link #terminate}:
 *
 * <pre>{@code
 * try (JarProcess kafka = JarProcess.builder().workDir(cwd).tmpDir(tmp).log(out).stderr(err)
 *         .args("kafka", "--port", "9092").start()) {
 *     kafka.awaitLine(l -> l.startsWith("Kafka ready at "), Duration.ofMinutes(2));
 *     ...
 *     assertThat(kafka.terminate(Duration.ofMinutes(1))).isZero();
 * }
 * }</pre>
 */
public final class JarProcess implements AutoCloseable {
    /** How long {@link #close()} gives the process to stop after SIGTERM before it kills it. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(10);

    private final Process process;
    private final Path log;
    private final Path stderr; // null: stderr is in the log
    private final List<String> command;

    private JarProcess(Process process, Path log, Path stderr, List<String> command) {
        this.process = process;
        this.log = log;
        this.stderr = stderr;
        this.command = command;
    }

    /** {@code jobs/target/alphaflow.jar}, as the build made it (system property {@code alphaflow.jar}). */
    public static Path shippedJar() {
        String configured = System.getProperty("alphaflow.jar");
        Path jar = Path.of(configured != null ? configured : "../jobs/target/alphaflow.jar").toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no shaded jar at " + jar + ": build it in the same reactor, e.g. "
                    + "mvn -B -ntp -pl integration-tests -am verify (the jobs module's package phase makes it)");
        }
        return jar;
    }

    /** The shared models and data the jar reads ({@code ALPHAFLOW_SHARED_DIR}); system property {@code alphaflow.shared.dir}. */
    public static Path sharedDir() {
        String configured = System.getProperty("alphaflow.shared.dir");
        Path dir = Path.of(configured != null ? configured : "../../shared").toAbsolutePath().normalize();
        if (!Files.isDirectory(dir.resolve("models"))) {
            throw new IllegalStateException("no shared models under " + dir + "; set -Dalphaflow.shared.dir=...");
        }
        return dir;
    }

    public static Builder builder() {
        return new Builder();
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits for the process to end and returns its exit code; past {@code timeout} it is stopped (as by
     * {@link #close()}) and an {@link AssertionError} names the command and ends with its output.
     */
    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            close();
            throw new AssertionError("still running after " + timeout + ", killed: " + describe());
        }
        return process.exitValue();
    }

    /** Asks the process to stop as Ctrl-C does (a signal that runs its shutdown hooks: SIGTERM). */
    public void interrupt() {
        process.destroy(); // SIGTERM; the output goes to files, so nothing it prints while stopping is lost
    }

    /**
     * Sends SIGTERM ({@link #interrupt()}) and waits for the process to end; returns its exit code. Past
     * {@code timeout} it is killed and an {@link AssertionError} names the command and ends with its output.
     */
    public int terminate(Duration timeout) throws InterruptedException {
        interrupt();
        return waitFor(timeout);
    }

    /**
     * Waits until a line of {@link #output()} matches and returns it. Only whole lines count (ended by a line
     * break, or the last one once the process has ended), and every line printed so far is looked at, so a line
     * printed before the call is found too. Fails with an {@link AssertionError} naming the command and showing its
     * output if the process ends or {@code timeout} passes first; the process is left running then ({@link #close()}
     * stops it).
     */
    public String awaitLine(Predicate<String> matches, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean ended = !process.isAlive(); // before reading: then the file holds all it will ever hold
            String out = output();
            int end = ended ? out.length() : out.lastIndexOf('\n') + 1;
            String line = out.substring(0, end).lines().filter(matches).findFirst().orElse(null);
            if (line != null) {
                return line;
            }
            if (ended) {
                throw new AssertionError("no matching line; the process ended (exit " + process.exitValue()
                        + "): " + describe());
            }
            if (System.nanoTime() >= deadline) {
                throw new AssertionError("no matching line within " + timeout + ": " + describe());
            }
            Thread.sleep(100);
        }
    }

    /** Everything the process wrote so far to stdout and stderr, or to stdout only if {@link Builder#stderr} was set. */
    public String output() {
        return read(log);
    }

    /** {@link #output()} line by line. */
    public List<String> outputLines() {
        return output().lines().toList();
    }

    /**
     * Everything the process wrote to stderr so far.
     *
     * @throws IllegalStateException if stderr was not captured apart ({@link Builder#stderr}): it is in the output
     */
    public String stderr() {
        if (stderr == null) {
            throw new IllegalStateException("stderr is merged into the output (" + log + "); "
                    + "capture it apart with JarProcess.Builder.stderr(file)");
        }
        return read(stderr);
    }

    /** The file holding the output. */
    public Path log() {
        return log;
    }

    /**
     * Stops the process and its descendants by PID if still running: SIGTERM, up to 10 s to end, then SIGKILL; and
     * waits until they are gone.
     *
     * @throws IllegalStateException if one survives SIGKILL
     */
    @Override
    public void close() {
        Processes.stop(process.toHandle(), CLOSE_GRACE);
    }

    private String describe() {
        return String.join(" ", command) + "\n--- output ---\n" + output()
                + (stderr != null ? "\n--- stderr ---\n" + stderr() : "");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How to start the jar; {@link #log} and {@link #tmpDir} are required. */
    public static final class Builder {
        private Path jar;
        private Path workDir = Path.of("").toAbsolutePath();
        private Path tmpDir;
        private Path log;
        private Path stderr;
        private final List<String> jvmArgs = new ArrayList<>(List.of("-Xmx2g"));
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();

        private Builder() {}

        /** The jar to run (default: {@link #shippedJar()}). */
        public Builder jar(Path jar) {
            this.jar = Objects.requireNonNull(jar, "jar");
            return this;
        }

        /** The working directory of the process (default: the test's). */
        public Builder workDir(Path dir) {
            this.workDir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** The process's temp folder: both {@code -Djava.io.tmpdir} and {@code TMPDIR} (for native code). */
        public Builder tmpDir(Path dir) {
            this.tmpDir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** File for stdout + stderr (stdout alone if {@link #stderr} is set); created or truncated. */
        public Builder log(Path file) {
            this.log = Objects.requireNonNull(file, "file");
            return this;
        }

        /**
         * Captures stderr apart, in {@code file} (created or truncated), for tests that tell what a command prints
         * to stdout from what it reports on stderr; the {@link #log} then holds stdout only.
         */
        public Builder stderr(Path file) {
            this.stderr = Objects.requireNonNull(file, "file");
            return this;
        }

        public Builder jvmArg(String arg) {
            jvmArgs.add(Objects.requireNonNull(arg, "arg"));
            return this;
        }

        public Builder env(String key, String value) {
            env.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** The command line after {@code -jar alphaflow.jar}. */
        public Builder args(String... args) {
            this.args.addAll(List.of(args));
            return this;
        }

        public JarProcess start() throws IOException {
            if (tmpDir == null || log == null) {
                throw new IllegalStateException("tmpDir and log are required");
            }
            if (stderr != null && stderr.toAbsolutePath().normalize().equals(log.toAbsolutePath().normalize())) {
                throw new IllegalStateException("stderr and log are the same file " + log + "; leave stderr unset "
                        + "to merge them");
            }
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmArgs);
            command.add("-Djava.io.tmpdir=" + tmpDir);
            command.add("-jar");
            command.add((jar != null ? jar : shippedJar()).toString());
            command.addAll(args);
            Files.createDirectories(tmpDir);
            Files.createDirectories(log.toAbsolutePath().getParent());
            ProcessBuilder pb = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            if (stderr != null) {
                Files.createDirectories(stderr.toAbsolutePath().getParent());
                pb.redirectError(stderr.toFile());
            } else {
                pb.redirectErrorStream(true);
            }
            pb.environment().put("TMPDIR", tmpDir.toString());
            pb.environment().put("ALPHAFLOW_SHARED_DIR", sharedDir().toString());
            pb.environment().putAll(env);
            return new JarProcess(pb.start(), log, stderr, List.copyOf(command));
        }
    }
}
