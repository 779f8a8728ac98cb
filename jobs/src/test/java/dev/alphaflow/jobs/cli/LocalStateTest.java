package dev.alphaflow.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStateTest {
    @TempDir
    Path tmp;

    @Test
    void checkpointDirsLiveInTheOneStateFolder() {
        assertThat(LocalState.checkpointDir("matting")).isEqualTo(Path.of("alphaflow-state", "matting-checkpoints"));
        assertThatThrownBy(() -> LocalState.checkpointDir("../x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cleanRemovesTheStateFolderAndSaysWhatWasInIt() throws IOException {
        Path state = tmp.resolve("alphaflow-state");
        Files.createDirectories(state.resolve("matting-checkpoints/abc/chk-3"));
        Files.write(state.resolve("matting-checkpoints/abc/chk-3/_metadata"), new byte[1000]);
        Files.createDirectories(state.resolve("segment-checkpoints"));
        Path beside = Files.writeString(tmp.resolve("keep.txt"), "mine");

        LocalState.Cleaned cleaned = LocalState.clean(state);

        assertThat(state).doesNotExist();
        assertThat(beside).exists();
        assertThat(cleaned.jobFolders()).containsExactly("matting-checkpoints", "segment-checkpoints");
        assertThat(cleaned.bytes()).isEqualTo(1000);
    }

    @Test
    void cleanRefusesAFolderThatHoldsAnythingElse() throws IOException {
        Path notState = tmp.resolve("home");
        Files.createDirectories(notState.resolve("matting-checkpoints"));
        Files.writeString(notState.resolve("thesis.tex"), "precious");

        assertThatThrownBy(() -> LocalState.clean(notState))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("thesis.tex").hasMessageContaining("nothing removed");
        assertThat(notState.resolve("thesis.tex")).exists();
        assertThat(notState.resolve("matting-checkpoints")).exists();
    }

    @Test
    void aMissingFolderIsNothingToDo() {
        LocalState.Cleaned cleaned = LocalState.clean(tmp.resolve("alphaflow-state"));
        assertThat(cleaned.jobFolders()).isEmpty();
        assertThat(cleaned.bytes()).isZero();
    }
}
