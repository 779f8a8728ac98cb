package dev.alphaflow.jobs.testutils;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code java -jar jobs/target/alphaflow.jar ARGS} as a process of its own, as a user runs it: its working directory
 * and temp folder are inside {@code workDir}, stdout is collected line by line, stderr goes to
 * {@code workDir/stderr.txt}. {@link #close()} kills it (and its children) by PID if it is still running.
 */
public final class JarProcess implements AutoCloseable {
    private final Process process;
    private final Path stderr;
    private final List<String> stdout = new ArrayList<>();
    private final Thread reader;

    private JarProcess(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.reader = new Thread(this::readStdout, "stdout-of-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** The shaded jar built by {@code package} in the jobs module; fails naming the command that builds it. */
    public static Path shadedJar() {
        Path jar = Path.of("target", "alphaflow.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build it with mvn -pl jobs -am package (or verify)");
        }
        return jar;
    }

    /** Starts the jar with {@code args}, working directory {@code workDir} (created), temp folder inside it. */
    public static JarProcess start(Path workDir, String... args) throws IOException {
        Path tmp = Files.createDirectories(workDir.resolve("jvm-tmp"));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx1g");
        command.add("-Djava.io.tmpdir=" + tmp);
        command.add("-jar");
        command.add(shadedJar().toString());
        command.addAll(List.of(args));
        Path stderr = workDir.resolve("stderr-" + System.nanoTime() + ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectError(stderr.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        builder.environment().put("TMPDIR", tmp.toString());
        return new JarProcess(builder.start(), stderr);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits until a stdout line matches; fails with what the process printed if it does not come or it exits. */
    public String awaitLine(Predicate<String> matches, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (stdout) {
                for (String line : stdout) {
                    if (matches.test(line)) {
                        return line;
                    }
                }
                if (!process.isAlive() && !reader.isAlive()) {
                    break;
                }
                stdout.wait(100);
            }
        }
        throw new AssertionError("no matching line from pid " + pid() + " within " + timeout + " (alive: "
                + process.isAlive() + ")\nstdout:\n" + String.join("\n", stdout()) + "\nstderr:\n" + stderr());
    }

    /** Sends SIGTERM and waits for the exit; returns the exit code (kills forcibly and fails on timeout). */
    public int terminate(Duration timeout) throws InterruptedException {
        // SIGTERM. Not Process.destroy(): that also closes our end of the pipes, losing the last lines printed.
        process.toHandle().destroy();
        return awaitExit(timeout);
    }

    /** Waits for the process to end by itself; returns its exit code (kills forcibly and fails on timeout). */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            close();
            throw new AssertionError("pid " + pid() + " did not exit within " + timeout + "\nstdout:\n"
                    + String.join("\n", stdout()) + "\nstderr:\n" + stderr());
        }
        reader.join(TimeUnit.SECONDS.toMillis(5));
        return process.exitValue();
    }

    public List<String> stdout() {
        synchronized (stdout) {
            return List.copyOf(stdout);
        }
    }

    public String stderr() {
        try {
            return Files.readString(stderr, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the process and its descendants by PID if still running, and waits until they are gone. */
    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        for (ProcessHandle p : all) {
            p.destroyForcibly();
        }
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("pid " + p.pid() + " survived SIGKILL", e);
            }
        }
    }

    private void readStdout() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                synchronized (stdout) {
                    stdout.add(line);
                    stdout.notifyAll();
                }
            }
        } catch (IOException e) {
            // the process was killed: what it printed so far stays
        } finally {
            synchronized (stdout) {
                stdout.notifyAll();
            }
        }
    }
}
