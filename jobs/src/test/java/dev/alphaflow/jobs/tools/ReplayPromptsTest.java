package dev.alphaflow.jobs.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;

/** Prompts are checked against their input in {@code build()}, before anything could be sent. */
class ReplayPromptsTest {
    private static final int W = 16;
    private static final int H = 12;
    private static final int FRAMES = 3;
    // Never reached: every refusal happens in build().
    private static final String NO_BROKER = "127.0.0.1:1";

    @TempDir
    Path dir;

    @Test
    void aMatchingPromptBuilds() throws Exception {
        Path in = frames("cam", W, H);
        Replay replay = replay(in).prompts(PromptSet.parse("2:1:" + mask("ok.png", W, H))).build();
        assertThat(replay.inputs()).hasSize(1);
    }

    @Test
    void refusesAMaskOfAnotherSizeNamingTheFile() throws Exception {
        Path in = frames("cam", W, H);
        Path wrong = mask("wrong.png", W + 1, H);
        assertThatThrownBy(() -> replay(in).prompts(PromptSet.parse("0:1:" + wrong)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(wrong.toString())
                .hasMessageContaining("17x12")
                .hasMessageContaining("16x12");
    }

    @Test
    void refusesAFrameBeyondTheInput() throws Exception {
        Path in = frames("cam", W, H);
        Path m = mask("m.png", W, H);
        assertThatThrownBy(() -> replay(in).prompts(PromptSet.parse("3:1:" + m)).build())
                .hasMessageContaining(m.toString())
                .hasMessageContaining("frame 3")
                .hasMessageContaining("has only 3 frames");
        assertThatThrownBy(() -> replay(in).prompts(PromptSet.parseRemove("7:1")).build())
                .hasMessageContaining("has only 3 frames");
        assertThatThrownBy(() -> replay(in).maxFrames(2).prompts(PromptSet.parse("2:1:" + m)).build())
                .hasMessageContaining("beyond the 2 frames sent");
    }

    @Test
    void severalInputsNeedStreamPrefixes() throws Exception {
        Path a = frames("a", W, H);
        Path b = frames("b", W / 2, H / 2);
        Path m = mask("m.png", W, H);
        assertThatThrownBy(() -> replay(a).input(b).prompts(PromptSet.parse("0:1:" + m)).build())
                .hasMessageContaining("names no stream").hasMessageContaining("a@0:");
        assertThatThrownBy(() -> replay(a).input(b).prompts(PromptSet.parse("c@0:1:" + m)).build())
                .hasMessageContaining("stream 'c'");
        // The prefix picks the input whose frames the mask is checked against.
        assertThatThrownBy(() -> replay(a).input(b).prompts(PromptSet.parse("b@0:1:" + m)).build())
                .hasMessageContaining("frame 0 of " + b);
        assertThat(replay(a).input(b).prompts(PromptSet.parse("a@0:1:" + m)).build().inputs()).hasSize(2);
    }

    private Replay.Builder replay(Path input) {
        return Replay.builder().bootstrapServers(NO_BROKER).input(input).realTime(false).progressBar(false);
    }

    private Path frames(String name, int w, int h) throws Exception {
        Path folder = Files.createDirectory(dir.resolve(name));
        for (int i = 0; i < FRAMES; i++) {
            Files.write(folder.resolve(String.format("%05d.png", i)),
                    ImageCodec.encodeRgbPng(new RgbImage(w, h, new byte[w * h * 3])));
        }
        return folder;
    }

    private Path mask(String name, int w, int h) throws Exception {
        BufferedImage grey = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(1, 1, 0, 255);
        Path f = dir.resolve(name);
        ImageIO.write(grey, "png", f.toFile());
        return f;
    }
}
