package dev.alphaflow.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// install() changes java.io.tmpdir for the whole JVM, so it is tested black-box on the shipped jar
// (integration-tests: CleanMachineITCase); these tests cover the parts that are safe in a shared test JVM.
class ProcessTempDirTest {
    @TempDir
    Path tmp;

    @Test
    void nativeLeftoversAreThisPidsDebugLogAndASessionFileThatDidNotExistBefore() throws IOException {
        Path env = Files.createDirectories(tmp.resolve("env"));
        Path java = Files.createDirectories(tmp.resolve("java"));
        Files.writeString(java.resolve(".ses"), "someone else's");

        List<Path> files = ProcessTempDir.nativeLeftovers(42, java, env.toString());

        assertThat(files).containsExactly(env.resolve("mat-debug-42.log"), env.resolve(".ses"),
                java.resolve("mat-debug-42.log"));
    }

    @Test
    void withoutTmpdirNativeCodeUsesSlashTmp() {
        assertThat(ProcessTempDir.nativeLeftovers(7, tmp, null)).contains(Path.of("/tmp/mat-debug-7.log"));
    }

    @Test
    void deleteRecursivelyRemovesATree() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("a/b/c"));
        Files.writeString(root.resolve("f"), "x");
        assertThat(ProcessTempDir.deleteRecursively(tmp.resolve("a"))).isTrue();
        assertThat(tmp.resolve("a")).doesNotExist();
        assertThat(ProcessTempDir.deleteRecursively(tmp.resolve("missing"))).isTrue();
    }
}
