package dev.alphaflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.alphaflow.it.jar.JarProcess;
import dev.alphaflow.jobs.cluster.LocalCluster;

/**
 * What happens to a local cluster's processes when the JVM that started them gets SIGTERM (a benchmark or test
 * interrupted with Ctrl-C, a fork killed at its timeout): with {@link LocalCluster#stopWhenThisJvmExits} they stop
 * with it; without it (what {@code alphaflow cluster start} does on purpose) they keep running. Real processes from
 * the shipped jar: a KRaft broker, a JobManager and a TaskManager, started by a separate JVM ({@link LocalClusterOwner}).
 */
class LocalClusterExitITCase {
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);

    @TempDir Path tmp;

    @Test
    void processesStopWithTheJvmThatAskedForIt() throws Exception {
        Path root = tmp.resolve("cluster");
        List<Long> pids = startThenTerminateOwner(root, "stop-on-exit");
        try {
            // The hook ran before the owner exited: nothing it started is left.
            assertThat(pids).allSatisfy(pid -> assertThat(isAlive(pid))
                    .as("process %d after its owner's SIGTERM", pid).isFalse());
            assertThat(LocalCluster.in(root).status().anyRunning()).isFalse();
        } finally {
            LocalCluster.in(root).stop();
        }
    }

    @Test
    void processesOutliveAnOwnerThatDidNotAskForIt() throws Exception {
        Path root = tmp.resolve("cluster");
        List<Long> pids = startThenTerminateOwner(root, "outlive");
        try {
            assertThat(pids).allSatisfy(pid -> assertThat(isAlive(pid))
                    .as("process %d after its owner's SIGTERM", pid).isTrue());
        } finally {
            assertThat(LocalCluster.in(root).stop()).containsExactlyInAnyOrder(LocalCluster.KAFKA,
                    LocalCluster.JOB_MANAGER, LocalCluster.TASK_MANAGER_PREFIX + 1);
        }
        assertThat(pids).allSatisfy(pid -> assertThat(isAlive(pid)).isFalse());
    }

    /** Runs {@link LocalClusterOwner}, waits for its processes, SIGTERMs it; returns the pids of what it started. */
    private List<Long> startThenTerminateOwner(Path root, String mode) throws Exception {
        Path log = tmp.resolve("owner-" + mode + ".log");
        Path ownerTmp = Files.createDirectories(tmp.resolve("owner-tmp"));
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + ownerTmp, "-cp", JarProcess.shippedJar() + java.io.File.pathSeparator
                        + testClasses(), LocalClusterOwner.class.getName(), root.toString(), mode,
                JarProcess.shippedJar().toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("TMPDIR", ownerTmp.toString());
        Process owner = builder.start();
        try {
            awaitStarted(owner, log);
            LocalCluster.Status status = LocalCluster.in(root).status();
            List<Long> pids = status.pids().values().stream().flatMap(Optional::stream).toList();
            assertThat(pids).as(status.line()).hasSize(3);
            owner.destroy(); // SIGTERM
            assertThat(owner.waitFor(90, TimeUnit.SECONDS)).as("owner exited; see " + log).isTrue();
            return pids;
        } finally {
            owner.destroyForcibly();
        }
    }

    private static void awaitStarted(Process owner, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Files.readString(log).lines().anyMatch("started"::equals)) {
            assertThat(owner.isAlive()).as("owner still running; its output: %s", Files.readString(log)).isTrue();
            assertThat(System.nanoTime()).as("owner started its processes in time; see " + log).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static Path testClasses() throws URISyntaxException {
        return Path.of(LocalClusterOwner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
