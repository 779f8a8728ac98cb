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

/**
 * The shipped jar run as a user runs it: {@code java -Djava.io.tmpdir=<tmp> -jar alphaflow.jar <args>} in a JVM of
 * its own (no Maven classpath), in a working directory of the test's choosing, with stdout and stderr captured in
 * one file. {@link #close()} kills the process (and its children) by PID if it is still running.
 *
 * <pre>{@code
 * try (JarProcess demo = JarProcess.builder().workDir(cwd).tmpDir(tmp).log(log)
 *         .args("demo", "--max-frames", "10", "-o", "out").start()) {
 *     assertThat(demo.waitFor(Duration.ofMinutes(5))).isZero();
 *     assertThat(demo.output()).contains("demo: 10 frames");
 * }
 * }</pre>
 */
public final class JarProcess implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final List<String> command;

    private JarProcess(Process process, Path log, List<String> command) {
        this.process = process;
        this.log = log;
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
     * Waits for the process to end and returns its exit code; past {@code timeout} it is killed and an
     * {@link AssertionError} names the command and ends with its output.
     */
    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            kill();
            throw new AssertionError("still running after " + timeout + ", killed: " + String.join(" ", command)
                    + "\n--- output ---\n" + output());
        }
        return process.exitValue();
    }

    /** Asks the process to stop as Ctrl-C does (a signal that runs its shutdown hooks: SIGTERM). */
    public void interrupt() {
        process.destroy();
    }

    /** Everything the process wrote to stdout and stderr so far. */
    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file holding the output. */
    public Path log() {
        return log;
    }

    /** Kills the process and its descendants (by PID) if still running, and waits for them to end. */
    @Override
    public void close() {
        kill();
    }

    private void kill() {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        for (ProcessHandle p : all) {
            p.destroy();
        }
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
    }

    /** How to start the jar; {@link #log} and {@link #tmpDir} are required. */
    public static final class Builder {
        private Path jar;
        private Path workDir = Path.of("").toAbsolutePath();
        private Path tmpDir;
        private Path log;
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

        /** File for stdout + stderr; created or truncated. */
        public Builder log(Path file) {
            this.log = Objects.requireNonNull(file, "file");
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
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().put("TMPDIR", tmpDir.toString());
            pb.environment().put("ALPHAFLOW_SHARED_DIR", sharedDir().toString());
            pb.environment().putAll(env);
            return new JarProcess(pb.start(), log, List.copyOf(command));
        }
    }
}
