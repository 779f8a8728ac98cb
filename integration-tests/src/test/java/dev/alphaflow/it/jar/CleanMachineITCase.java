package dev.alphaflow.it.jar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Issue 13, items 7 and 8, on the shipped jar: a command leaves nothing in the temp folder ({@code java.io.tmpdir}
 * and {@code TMPDIR}) and nothing in the working directory beyond the outputs asked for, also when interrupted; a
 * successful demo prints no WARN and no stack trace.
 */
class CleanMachineITCase {
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private Path tmp;
    private Path cwd;
    private Path home;
    private Path log;

    @BeforeEach
    void folders(TestInfo test) throws IOException {
        Path base = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        Path root = Files.createTempDirectory(base, "clean-machine-" + test.getTestMethod().orElseThrow().getName() + "-");
        tmp = Files.createDirectories(root.resolve("tmp"));
        cwd = Files.createDirectories(root.resolve("cwd"));
        home = Files.createDirectories(root.resolve("home"));
        log = root.resolve("output.log");
    }

    @Test
    void demoLeavesOnlyItsOutputAndPrintsNoWarnings() throws Exception {
        // A home folder of its own shows what the run writes there (JavaCPP's default native cache is ~/.javacpp).
        try (JarProcess demo = JarProcess.builder().workDir(cwd).tmpDir(tmp).log(log)
                .jvmArg("-Duser.home=" + home).env("HOME", home.toString())
                .args("demo", "--max-frames", "10", "-o", "out").start()) {
            int exit = demo.waitFor(TIMEOUT);
            String output = demo.output();
            assertThat(exit).as("exit code; output:%n%s", output).isZero();
            assertThat(output).contains("demo: 10 frames");
            assertThat(cwd.resolve("out")).isDirectory();
            assertThat(tree(tmp)).as("left in the temp folder").isEmpty();
            assertThat(tree(home)).as("left in the home folder").isEmpty();
            assertThat(names(cwd)).as("left in the working directory").containsExactly("out");
            assertThat(output).as("WARN lines in the output").doesNotContain("WARN");
            assertThat(output).as("stack traces in the output").doesNotContain("\tat ");
        }
    }

    @Test
    void interruptedDemoLeavesNothingInTheTempFolder() throws Exception {
        try (JarProcess demo = JarProcess.builder().workDir(cwd).tmpDir(tmp).log(log)
                .args("demo", "-o", "out").start()) {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            // Interrupt once the job runs: the broker, Flink's RPC jar and the MiniCluster are all in the temp folder.
            while (!demo.output().contains("demo: replayed") && demo.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(demo.isAlive()).as("demo still running; output:%n%s", demo.output()).isTrue();
            assertThat(tree(tmp)).as("the running demo's temp files").isNotEmpty();
            demo.interrupt();
            demo.waitFor(Duration.ofMinutes(1));
            assertThat(tree(tmp)).as("left in the temp folder after the interrupt; output:%n%s", demo.output()).isEmpty();
        }
    }

    @Test
    void cleanRemovesTheLocalStateFolderOnly() throws Exception {
        Path checkpoint = Files.createDirectories(cwd.resolve("alphaflow-state/matting-checkpoints/job/chk-1"));
        Files.write(checkpoint.resolve("_metadata"), new byte[2048]);
        Files.writeString(cwd.resolve("notes.txt"), "mine");
        try (JarProcess clean = JarProcess.builder().workDir(cwd).tmpDir(tmp).log(log).args("clean").start()) {
            assertThat(clean.waitFor(TIMEOUT)).as("exit code; output:%n%s", clean.output()).isZero();
            assertThat(clean.output()).contains("removed alphaflow-state (matting-checkpoints;");
        }
        assertThat(names(cwd)).containsExactly("notes.txt");
        assertThat(tree(tmp)).isEmpty();
    }

    private static List<String> tree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> !p.equals(dir)).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
