package dev.alphaflow.jobs.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.alphaflow.model.eval.DavisMasks;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.schemas.PromptAction;

class PromptSetTest {
    private static final int W = 8;
    private static final int H = 6;

    @TempDir
    Path dir;

    @Test
    void parsesAnAddWithLabelAndConvertsAnyEightBitMaskToGreyPng() throws Exception {
        // A colour mask: only the blue channel is set on pixel (2,1), only red on (5,4).
        BufferedImage rgb = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(2, 1, 0x000001);
        rgb.setRGB(5, 4, 0x800000);
        Path mask = write(rgb, "colour.png");

        PromptSet set = PromptSet.parse("3:7:" + mask + ":my dog");

        assertThat(set.size()).isEqualTo(1);
        PromptSet.Prompt p = set.prompts().get(0);
        assertThat(p.streamId()).isNull();
        assertThat(p.frame()).isEqualTo(3);
        assertThat(p.objectId()).isEqualTo(7);
        assertThat(p.action()).isEqualTo(PromptAction.ADD);
        assertThat(p.label()).isEqualTo("my dog");
        assertThat(p.source()).isEqualTo(mask.toString());
        assertThat(ImageCodec.probe(p.maskPng()).width()).isEqualTo(W);
        byte[] gray = ImageCodec.decodeGray8Png(p.maskPng());
        for (int i = 0; i < W * H; i++) {
            boolean object = i == 1 * W + 2 || i == 4 * W + 5;
            assertThat(gray[i] & 0xff).as("pixel %d", i).isEqualTo(object ? 255 : 0);
        }
        assertThat(p.toAvro().getMask().remaining()).isEqualTo(p.maskPng().length);
    }

    @Test
    void parsesStreamPrefixAndNoLabel() throws Exception {
        Path mask = greyMask("m.png", 3);
        PromptSet.Prompt p = PromptSet.parse("cam-1@12:255:" + mask).prompts().get(0);
        assertThat(p.streamId()).isEqualTo("cam-1");
        assertThat(p.frame()).isEqualTo(12);
        assertThat(p.objectId()).isEqualTo(255);
        assertThat(p.label()).isNull();
        assertThat(ImageCodec.decodeGray8Png(p.maskPng())[3] & 0xff).isEqualTo(255);
        assertThat(ImageCodec.decodeGray8Png(p.maskPng())[4]).isZero();
    }

    @Test
    void parsesARemove() {
        PromptSet.Prompt p = PromptSet.parseRemove("b@40:2").prompts().get(0);
        assertThat(p.streamId()).isEqualTo("b");
        assertThat(p.frame()).isEqualTo(40);
        assertThat(p.objectId()).isEqualTo(2);
        assertThat(p.action()).isEqualTo(PromptAction.REMOVE);
        assertThat(p.maskPng()).isNull();
        assertThat(p.toAvro().getMask()).isNull();
    }

    @Test
    void refusesMalformedPrompts() throws Exception {
        Path mask = greyMask("m.png", 0);
        assertThatThrownBy(() -> PromptSet.parse("0:1")).hasMessageContaining("FRAME:OBJECT_ID:MASK");
        assertThatThrownBy(() -> PromptSet.parse("x:1:" + mask)).hasMessageContaining("frame 'x'");
        assertThatThrownBy(() -> PromptSet.parse("-1:1:" + mask)).hasMessageContaining("frame '-1'");
        assertThatThrownBy(() -> PromptSet.parse("0:0:" + mask)).hasMessageContaining("1..255");
        assertThatThrownBy(() -> PromptSet.parse("0:256:" + mask)).hasMessageContaining("1..255");
        assertThatThrownBy(() -> PromptSet.parse("@0:1:" + mask)).hasMessageContaining("empty stream id");
        assertThatThrownBy(() -> PromptSet.parseRemove("0:1:2")).hasMessageContaining("FRAME:OBJECT_ID");
        assertThatThrownBy(() -> PromptSet.parseRemove("0:x")).hasMessageContaining("object id 'x'");
    }

    @Test
    void refusesAMissingUnreadableEmptyOrSixteenBitMaskNamingTheFile() throws Exception {
        Path missing = dir.resolve("missing.png");
        assertThatThrownBy(() -> PromptSet.parse("0:1:" + missing))
                .hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
        Path garbage = Files.write(dir.resolve("garbage.png"), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> PromptSet.parse("0:1:" + garbage))
                .hasMessageContaining(garbage.toString()).hasMessageContaining("not a readable image");
        Path empty = write(new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY), "empty.png");
        assertThatThrownBy(() -> PromptSet.parse("0:1:" + empty))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(empty.toString()).hasMessageContaining("empty");
        BufferedImage deep = new BufferedImage(W, H, BufferedImage.TYPE_USHORT_GRAY);
        deep.getRaster().setSample(1, 1, 0, 40000);
        Path sixteen = write(deep, "sixteen.png");
        assertThatThrownBy(() -> PromptSet.parse("0:1:" + sixteen))
                .hasMessageContaining(sixteen.toString()).hasMessageContaining("16-bit");
    }

    @Test
    void davisFolderOfIndexedPngsGivesOneAddPerObjectAndFrame() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("ann"));
        int[] frame0 = new int[W * H];
        frame0[0] = 1;
        frame0[1] = 1;
        frame0[10] = 3;
        int[] frame5 = new int[W * H];
        frame5[47] = 2;
        DavisMasks.write(folder.resolve("00000.png"), frame0, W, H);
        DavisMasks.write(folder.resolve("00005.png"), frame5, W, H);
        Files.writeString(folder.resolve("README.txt"), "ignored");

        List<PromptSet.Prompt> prompts = PromptSet.fromDavisFolder(folder).prompts();

        assertThat(prompts).extracting(PromptSet.Prompt::frame).containsExactly(0L, 0L, 5L);
        assertThat(prompts).extracting(PromptSet.Prompt::objectId).containsExactly(1, 3, 2);
        assertThat(prompts).allSatisfy(p -> {
            assertThat(p.action()).isEqualTo(PromptAction.ADD);
            assertThat(p.label()).isNull();
            assertThat(p.streamId()).isNull();
        });
        assertThat(set(ImageCodec.decodeGray8Png(prompts.get(0).maskPng()))).containsExactly(0, 1);
        assertThat(set(ImageCodec.decodeGray8Png(prompts.get(1).maskPng()))).containsExactly(10);
        assertThat(set(ImageCodec.decodeGray8Png(prompts.get(2).maskPng()))).containsExactly(47);
        assertThat(prompts.get(2).source()).endsWith("00005.png");

        assertThat(PromptSet.parseDavisFolder("cam@" + folder).prompts())
                .extracting(PromptSet.Prompt::streamId).containsOnly("cam");
    }

    @Test
    void davis2016GreyMaskIsObjectOne() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("ann"));
        BufferedImage grey = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(4, 2, 0, 255);
        ImageIO.write(grey, "png", folder.resolve("00002.png").toFile());

        List<PromptSet.Prompt> prompts = PromptSet.fromDavisFolder(folder).prompts();

        assertThat(prompts).hasSize(1);
        assertThat(prompts.get(0).objectId()).isEqualTo(1);
        assertThat(prompts.get(0).frame()).isEqualTo(2);
        assertThat(set(ImageCodec.decodeGray8Png(prompts.get(0).maskPng()))).containsExactly(2 * W + 4);
    }

    @Test
    void davisFolderRefusals() throws Exception {
        Path none = Files.createDirectory(dir.resolve("none"));
        assertThatThrownBy(() -> PromptSet.fromDavisFolder(none)).hasMessageContaining("no PNG");
        assertThatThrownBy(() -> PromptSet.fromDavisFolder(dir.resolve("nowhere")))
                .hasMessageContaining("does not exist");

        Path empty = Files.createDirectory(dir.resolve("empty"));
        DavisMasks.write(empty.resolve("00000.png"), new int[W * H], W, H);
        assertThatThrownBy(() -> PromptSet.fromDavisFolder(empty))
                .hasMessageContaining(empty.resolve("00000.png").toString()).hasMessageContaining("empty");

        Path named = Files.createDirectory(dir.resolve("named"));
        int[] one = new int[W * H];
        one[0] = 1;
        DavisMasks.write(named.resolve("first.png"), one, W, H);
        assertThatThrownBy(() -> PromptSet.fromDavisFolder(named))
                .hasMessageContaining("first.png").hasMessageContaining("not a frame number");
    }

    @Test
    void refusesTwoPromptsForOneObjectAtOneFrame() throws Exception {
        Path mask = greyMask("m.png", 1);
        PromptSet a = PromptSet.parse("4:2:" + mask);
        PromptSet.Builder b = PromptSet.builder().addAll(a).addAll(PromptSet.parseRemove("4:2"));
        assertThatThrownBy(b::build).hasMessageContaining("two prompts for object 2 at frame 4");
        // Other streams, frames or objects are fine; a frame's REMOVEs come before its ADDs.
        PromptSet ok = PromptSet.builder().addAll(a).addAll(PromptSet.parse("s@4:2:" + mask))
                .addAll(PromptSet.parseRemove("4:1")).addAll(PromptSet.parse("3:2:" + mask)).build();
        assertThat(ok.prompts()).extracting(PromptSet.Prompt::toString).containsExactly(
                "ADD object 2 at frame 3 (" + mask + ")",
                "REMOVE object 1 at frame 4 (--remove 4:1)",
                "ADD object 2 at frame 4 (" + mask + ")",
                "ADD object 2 at frame 4 of s (" + mask + ")");
    }

    private Path greyMask(String name, int setPixel) throws Exception {
        BufferedImage grey = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(setPixel % W, setPixel / W, 0, 17);
        return write(grey, name);
    }

    private Path write(BufferedImage image, String name) throws Exception {
        File f = dir.resolve(name).toFile();
        assertThat(ImageIO.write(image, "png", f)).isTrue();
        return f.toPath();
    }

    private static java.util.Set<Integer> set(byte[] gray) {
        java.util.Set<Integer> on = new java.util.TreeSet<>();
        for (int i = 0; i < gray.length; i++) {
            if (gray[i] != 0) {
                assertThat(gray[i] & 0xff).isEqualTo(255);
                on.add(i);
            }
        }
        return on;
    }
}
