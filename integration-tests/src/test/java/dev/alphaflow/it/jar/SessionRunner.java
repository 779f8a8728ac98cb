package dev.alphaflow.it.jar;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs README sessions as a user would type them, in a fresh folder laid out like a checkout: {@code ./alphaflow}
 * is the shipped jar ({@code java -jar jobs/target/alphaflow.jar}, a JVM of its own), {@code ../shared} is the shared
 * models and data, and {@code $ALPHAFLOW_BOOTSTRAP_SERVERS} / {@code $ALPHAFLOW_KAFKA_PORT} name a free port, so a
 * session's broker never meets another one. Each terminal runs in {@code bash -e}; one that keeps running is
 * started in the background and stopped as Ctrl-C would (SIGTERM) when the session ends. {@link #close} kills what
 * is left by PID.
 */
final class SessionRunner implements AutoCloseable {
    // what a command that keeps running prints once ready (the broker says SIGTERM when SIGINT is ignored, as for
    // processes started by a test)
    private static final List<String> READY = List.of("Ctrl-C to stop", "Stop with SIGTERM");
    private static final Duration STOP_GRACE = Duration.ofSeconds(60);

    private final Path checkout;
    private final Path tmp;
    private final Path logs;
    private final int kafkaPort;
    private final int flinkRestPort;
    private final int viewPort;
    private final List<Process> background = new ArrayList<>();
    private int terminals;

    /** What each terminal printed, in order. */
    record Result(List<String> outputs) {
        String all() {
            return String.join("\n", outputs);
        }
    }

    SessionRunner(Path root) throws IOException {
        this.checkout = Files.createDirectories(root.resolve("checkout"));
        this.tmp = Files.createDirectories(root.resolve("tmp"));
        this.logs = Files.createDirectories(root.resolve("logs"));
        Files.createSymbolicLink(root.resolve("shared"), JarProcess.sharedDir());
        Path launcher = checkout.resolve("alphaflow");
        Files.writeString(launcher, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "' -Xmx2g '-Djava.io.tmpdir=" + tmp + "' -jar '" + JarProcess.shippedJar() + "' \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (ServerSocket s = new ServerSocket(0); ServerSocket rest = new ServerSocket(0);
                ServerSocket view = new ServerSocket(0)) {
            this.kafkaPort = s.getLocalPort();
            this.flinkRestPort = rest.getLocalPort();
            this.viewPort = view.getLocalPort();
        }
    }

    /** The folder the session runs in (its outputs land here). */
    Path checkout() {
        return checkout;
    }

    /** The temp folder every process of the session uses. */
    Path tmp() {
        return tmp;
    }

    /** The port {@code alphaflow view} listens on in this session ({@code $ALPHAFLOW_VIEW_PORT}). */
    int viewPort() {
        return viewPort;
    }

    /** What a test checks while the terminals that keep running still run, e.g. a page they serve. */
    interface WhileRunning {
        void check(List<String> outputs) throws Exception;
    }

    Result run(ReadmeSessions.Session session, Duration perCommand) throws Exception {
        return run(session, perCommand, outputs -> { });
    }

    /**
     * Runs the session's terminals in order, then {@code whileRunning} before the terminals that keep running are
     * stopped: for sessions whose every terminal keeps running (a live pipeline), the check is what a user would look
     * at.
     */
    Result run(ReadmeSessions.Session session, Duration perCommand, WhileRunning whileRunning) throws Exception {
        List<String> outputs = new ArrayList<>();
        try {
            for (ReadmeSessions.Terminal terminal : session.terminals()) {
                Path log = logs.resolve(session.name() + "-" + (++terminals) + ".log");
                if (terminal.keepsRunning()) {
                    Process p = start("exec " + terminal.commands().get(0), log);
                    background.add(p);
                    awaitReady(p, log, terminal);
                    outputs.add(Files.readString(log));
                } else {
                    Process p = start(String.join("\n", terminal.commands()), log);
                    long limit = perCommand.toMillis() * terminal.commands().size();
                    if (!p.waitFor(limit, TimeUnit.MILLISECONDS)) {
                        Processes.kill(p.toHandle());
                        throw new AssertionError("session " + session.name() + ": still running after " + limit
                                + " ms: " + terminal.commands() + "\n" + Files.readString(log));
                    }
                    String out = Files.readString(log);
                    if (p.exitValue() != 0) {
                        throw new AssertionError("session " + session.name() + ": exit " + p.exitValue() + " from "
                                + terminal.commands() + "\n" + out);
                    }
                    outputs.add(out);
                }
            }
            whileRunning.check(outputs);
        } finally {
            stopBackground();
        }
        return new Result(outputs);
    }

    private Process start(String script, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("bash", "-e", "-c", script)
                .directory(checkout.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().remove("ALPHAFLOW_SHARED_DIR"); // ../shared, as in a checkout
        pb.environment().put("TMPDIR", tmp.toString());
        pb.environment().put("ALPHAFLOW_BOOTSTRAP_SERVERS", "127.0.0.1:" + kafkaPort);
        pb.environment().put("ALPHAFLOW_KAFKA_PORT", Integer.toString(kafkaPort));
        pb.environment().put("ALPHAFLOW_FLINK_REST_PORT", Integer.toString(flinkRestPort));
        pb.environment().put("ALPHAFLOW_VIEW_PORT", Integer.toString(viewPort));
        return pb.start();
    }

    private static void awaitReady(Process p, Path log, ReadmeSessions.Terminal terminal) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            String out = Files.readString(log, StandardCharsets.UTF_8);
            if (READY.stream().anyMatch(out::contains)) {
                return;
            }
            if (!p.isAlive()) {
                throw new AssertionError("'" + terminal.commands().get(0) + "' ended (exit " + p.exitValue()
                        + ") before it was ready:\n" + out);
            }
            Thread.sleep(200);
        }
        throw new AssertionError("'" + terminal.commands().get(0) + "' did not print any of " + READY + " in 2 min:\n"
                + Files.readString(log));
    }

    /**
     * Stops the {@code index}-th terminal that keeps running (0 = the first started) as Ctrl-C does (SIGTERM), waiting
     * for it to end: for a check that watches what the others do when one source goes away.
     */
    void stopRunning(int index) {
        Processes.stop(background.get(index).toHandle(), STOP_GRACE);
    }

    /**
     * Stops the terminals that keep running (and what they started), last started first, as Ctrl-C does (SIGTERM);
     * kills them (SIGKILL) after 60 s.
     */
    private void stopBackground() {
        for (int i = background.size() - 1; i >= 0; i--) {
            Processes.stop(background.get(i).toHandle(), STOP_GRACE);
        }
        background.clear();
    }

    @Override
    public void close() {
        stopBackground();
        // A session that failed half-way may leave 'alphaflow cluster' processes running: they are detached.
        Path cluster = checkout.resolve("alphaflow-state/cluster");
        if (Files.isRegularFile(cluster.resolve(dev.alphaflow.jobs.cluster.ClusterSettings.FILE_NAME))) {
            dev.alphaflow.jobs.cluster.LocalCluster.in(cluster).stop();
        }
    }

    static Path readme() {
        Path readme = Path.of("../README.md").toAbsolutePath().normalize();
        if (!Files.isRegularFile(readme)) {
            throw new UncheckedIOException(new IOException("README.md not found at " + readme));
        }
        return readme;
    }
}
