package dev.alphaflow.jobs.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;

class BackgroundTest {

    @Test
    void parsesColours() {
        assertThat(Background.parseColor("#00b140").forSize(1, 1).rgbAt(0, 0)).isEqualTo(0x00b140);
        assertThat(Background.parseColor("FF0000").forSize(1, 1).rgbAt(0, 0)).isEqualTo(0xff0000);
        assertThat(Background.parseColor("green").toString()).isEqualTo("#00b140");
        assertThat(Background.parseColor(" White ").forSize(2, 2).rgbAt(1, 1)).isEqualTo(0xffffff);
        assertThatThrownBy(() -> Background.parseColor("#12345")).hasMessageContaining("#rrggbb");
    }

    @Test
    void stretchesAnImageToTheFrameSize(@TempDir Path dir) throws Exception {
        byte[] rgb = new byte[4 * 2 * 3];
        for (int i = 0; i < rgb.length; i += 3) {
            rgb[i] = (byte) 10;
            rgb[i + 1] = (byte) 20;
            rgb[i + 2] = (byte) 30;
        }
        Path file = dir.resolve("bg.png");
        Files.write(file, ImageCodec.encodeRgbPng(new RgbImage(4, 2, rgb)));

        Background bg = Background.image(file);
        RgbImage same = bg.forSize(4, 2);
        RgbImage scaled = bg.forSize(8, 6);

        assertThat(same.rgbAt(3, 1)).isEqualTo(0x0a141e);
        assertThat(scaled.width()).isEqualTo(8);
        assertThat(scaled.height()).isEqualTo(6);
        assertThat(scaled.rgbAt(5, 4)).isEqualTo(0x0a141e); // a uniform image stays uniform
    }
}
