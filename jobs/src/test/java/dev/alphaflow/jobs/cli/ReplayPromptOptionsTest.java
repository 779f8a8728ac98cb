package dev.alphaflow.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

import dev.alphaflow.jobs.tools.PromptSet;
import dev.alphaflow.model.eval.DavisMasks;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;

class ReplayPromptOptionsTest {
    private static final int W = 16;
    private static final int H = 12;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path dir;

    private CommandLine cli() {
        CommandLine cl = AlphaflowCli.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl;
    }

    @Test
    void promptOptionsMakeOnePromptSet() throws Exception {
        Path frames = frames();
        Path mask = mask("m.png", W, H);
        Path ann = Files.createDirectory(dir.resolve("ann"));
        int[] labels = new int[W * H];
        labels[5] = 1;
        labels[6] = 2;
        DavisMasks.write(ann.resolve("00000.png"), labels, W, H);
        CommandLine.ParseResult parsed = cli().parseArgs("replay", "--prompt", "1:3:" + mask + ":ball",
                "--prompts", ann.toString(), "--remove", "1:2", frames.toString());
        ReplayCommand command = parsed.subcommand().commandSpec().commandLine().getCommand();

        PromptSet prompts = command.prompts();

        assertThat(prompts.prompts()).extracting(p -> p.action() + " " + p.frame() + ":" + p.objectId())
                .containsExactly("ADD 0:1", "ADD 0:2", "REMOVE 1:2", "ADD 1:3");
        assertThat(command.toReplay().inputs()).hasSize(1);
    }

    @Test
    void badPromptsAreUsageErrorsNamingTheFile() throws Exception {
        Path frames = frames();
        Path wrong = mask("wrong.png", W, H + 2);
        // The broker does not exist: a refusal must come before any connection attempt.
        int code = cli().execute("replay", "--bootstrap-servers", "127.0.0.1:1", "--fast", "--no-progress",
                "--prompt", "0:1:" + wrong, frames.toString());
        assertThat(code).as(err::toString).isEqualTo(2);
        assertThat(err.toString()).contains(wrong.toString(), "16x14", "16x12");

        BufferedImage blank = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY);
        Path empty = dir.resolve("empty.png");
        ImageIO.write(blank, "png", empty.toFile());
        assertThat(cli().execute("replay", "--bootstrap-servers", "127.0.0.1:1", "--prompt", "0:1:" + empty,
                frames.toString())).isEqualTo(2);
        assertThat(err.toString()).contains(empty.toString(), "empty");

        assertThat(cli().execute("replay", "--bootstrap-servers", "127.0.0.1:1", "--prompt",
                "9:1:" + mask("ok.png", W, H), frames.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("has only 2 frames");
    }

    private Path frames() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("cam"));
        for (int i = 0; i < 2; i++) {
            Files.write(folder.resolve(String.format("%05d.png", i)),
                    ImageCodec.encodeRgbPng(new RgbImage(W, H, new byte[W * H * 3])));
        }
        return folder;
    }

    private Path mask(String name, int w, int h) throws Exception {
        BufferedImage grey = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(2, 3, 0, 1);
        Path f = dir.resolve(name);
        ImageIO.write(grey, "png", f.toFile());
        return f;
    }
}
