package dev.alphaflow.jobs.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One JVM of the local cluster (the broker, the JobManager, a TaskManager): its folder {@code <root>/<name>/} holds
 * {@code conf/}, {@code <name>.log} (its log4j log), {@code <name>.out} (stdout and stderr), {@code tmp/} (its
 * {@code java.io.tmpdir} and {@code TMPDIR}) and {@code pid}. The pid file lets another {@code alphaflow cluster}
 * invocation find and stop it; the process's command line must still name {@link #mainClass()} (a pid can be reused
 * by another program after a reboot).
 */
public final class ClusterProcess {
    private final String name;
    private final Path dir;
    private final String mainClass;

    ClusterProcess(Path root, String name, String mainClass) {
        this.name = name;
        this.dir = root.resolve(name);
        this.mainClass = mainClass;
    }

    public String name() {
        return name;
    }

    public Path dir() {
        return dir;
    }

    public Path confDir() {
        return dir.resolve("conf");
    }

    public Path logFile() {
        return dir.resolve(name + ".log");
    }

    public Path outFile() {
        return dir.resolve(name + ".out");
    }

    public Path tmpDir() {
        return dir.resolve("tmp");
    }

    public String mainClass() {
        return mainClass;
    }

    /** Starts {@code java <jvmArgs> -cp <classpath> <mainClass> <args>}; the pid is written before this returns. */
    ProcessHandle start(Path java, Path classpath, List<String> jvmArgs, List<String> args) {
        if (handle().isPresent()) {
            throw new IllegalStateException(name + " is already running (pid " + handle().get().pid() + ")");
        }
        try {
            Files.createDirectories(tmpDir());
            ProcessBuilder builder = new ProcessBuilder(command(java, classpath, jvmArgs, mainClass, args)).directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(outFile().toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().put("TMPDIR", tmpDir().toString()); // native code (ONNX Runtime) reads TMPDIR
            Process process = builder.start();
            Files.writeString(pidFile(), Long.toString(process.pid()), StandardCharsets.UTF_8);
            return process.toHandle();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** Runs a short-lived process of the same kind to its end (e.g. the Kafka storage formatter); returns its exit code. */
    int runToEnd(Path java, Path classpath, List<String> jvmArgs, String otherMainClass, List<String> args,
            Duration timeout) {
        try {
            Files.createDirectories(tmpDir());
            Process process = new ProcessBuilder(command(java, classpath, jvmArgs, otherMainClass, args)).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(outFile().toFile())).start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException(otherMainClass + " did not finish in " + timeout + "; see " + outFile());
            }
            return process.exitValue();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + otherMainClass, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    // java <jvmArgs> with this process's temp folder and log file, -cp classpath main args
    private List<String> command(Path java, Path classpath, List<String> jvmArgs, String main, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmArgs);
        command.add("-Djava.io.tmpdir=" + tmpDir());
        command.add("-Dorg.bytedeco.javacpp.cachedir=" + tmpDir().resolve("javacpp")); // not ~/.javacpp
        command.add("-Dlog.file=" + logFile());
        command.add("-cp");
        command.add(classpath.toString());
        command.add(main);
        command.addAll(args);
        return command;
    }

    /** The running process, if its pid file names a live process that runs {@link #mainClass()}. */
    public Optional<ProcessHandle> handle() {
        Path pid = pidFile();
        if (!Files.isRegularFile(pid)) {
            return Optional.empty();
        }
        try {
            long id = Long.parseLong(Files.readString(pid, StandardCharsets.UTF_8).trim());
            return ProcessHandle.of(id).filter(ProcessHandle::isAlive)
                    .filter(h -> h.info().commandLine().map(c -> c.contains(mainClass)).orElse(true));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    public boolean isRunning() {
        return handle().isPresent();
    }

    /**
     * Stops the process: SIGTERM (a clean shutdown: Flink deregisters, Kafka hands over and flushes), SIGKILL after
     * {@code grace}. Returns whether it was running.
     */
    public boolean stop(Duration grace) {
        Optional<ProcessHandle> handle = handle();
        if (handle.isEmpty()) {
            deletePidFile();
            return false;
        }
        ProcessHandle h = handle.get();
        h.destroy();
        if (!await(h, grace)) {
            h.destroyForcibly();
            await(h, Duration.ofSeconds(10));
        }
        deletePidFile();
        return true;
    }

    /** {@code kill -9}: the process dies at once, without any shutdown. Returns whether it was running. */
    public boolean kill() {
        Optional<ProcessHandle> handle = handle();
        handle.ifPresent(h -> {
            h.destroyForcibly();
            await(h, Duration.ofSeconds(10));
        });
        deletePidFile();
        return handle.isPresent();
    }

    private Path pidFile() {
        return dir.resolve("pid");
    }

    private void deletePidFile() {
        try {
            Files.deleteIfExists(pidFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean await(ProcessHandle h, Duration timeout) {
        try {
            h.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return !h.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public String toString() {
        return name + handle().map(h -> " (pid " + h.pid() + ")").orElse(" (stopped)");
    }
}
