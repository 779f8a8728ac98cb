package dev.alphaflow.jobs.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayTest {

    @Test
    void aCorruptImageFailsTheReplayNamingStreamAndFile(@TempDir Path dir) throws Exception {
        Path folder = Files.createDirectory(dir.resolve("cam1"));
        Files.write(folder.resolve("0001.jpg"), new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 1, 2, 3, 4, 5, 6});

        Replay replay = Replay.builder()
                .bootstrapServers("127.0.0.1:1") // never reached: the first frame fails to decode
                .input(folder)
                .realTime(false)
                .progressBar(false)
                .build();

        assertThatThrownBy(replay::run)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stream cam1")
                .hasMessageContaining("0001.jpg");
    }

    @Test
    void builderSanityChecks(@TempDir Path dir) throws Exception {
        Path a = Files.createDirectory(dir.resolve("a"));
        Path b = Files.createDirectories(dir.resolve("x").resolve("a"));
        assertThatThrownBy(() -> Replay.builder().bootstrapServers("h:1").input(a).input(b).build())
                .hasMessageContaining("stream id 'a'");
        assertThatThrownBy(() -> Replay.builder().input(a).build()).hasMessageContaining("bootstrapServers");
        assertThatThrownBy(() -> Replay.builder().bootstrapServers("h:1").build()).hasMessageContaining("no inputs");
        assertThatThrownBy(() -> Replay.builder().bootstrapServers("h:1").input(a).jpegQuality(0).build())
                .hasMessageContaining("jpegQuality");
        assertThat(Replay.builder().bootstrapServers("h:1").input(a).input(b, "b").build().inputs())
                .extracting(Replay.Input::streamId).containsExactly("a", "b");
    }
}
