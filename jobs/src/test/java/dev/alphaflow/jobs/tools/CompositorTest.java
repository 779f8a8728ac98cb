package dev.alphaflow.jobs.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import dev.alphaflow.model.image.RgbImage;

class CompositorTest {

    @Test
    void blendsWithTheMattingEquation() {
        RgbImage fg = new RgbImage(3, 1, new byte[] {(byte) 200, 100, 0, (byte) 200, 100, 0, (byte) 200, 100, 0});
        RgbImage bg = Background.parseColor("#00b140").forSize(3, 1);
        byte[] alpha = {0, (byte) 128, (byte) 255};

        RgbImage out = Compositor.composite(fg, alpha, bg);

        assertThat(out.rgbAt(0, 0)).isEqualTo(0x00b140); // alpha 0: background
        assertThat(out.rgbAt(2, 0)).isEqualTo(0xc86400); // alpha 1: foreground
        // alpha 128/255: round((128*F + 127*B) / 255) per channel
        int r = Math.round((128 * 200 + 127 * 0x00) / 255f);
        int g = Math.round((128 * 100 + 127 * 0xb1) / 255f);
        int b = Math.round((128 * 0 + 127 * 0x40) / 255f);
        assertThat(out.rgbAt(1, 0)).isEqualTo((r << 16) | (g << 8) | b);
    }

    @Test
    void rejectsMismatchedSizes() {
        RgbImage fg = new RgbImage(2, 2, new byte[12]);
        assertThatThrownBy(() -> Compositor.composite(fg, new byte[3], Background.GREEN.forSize(2, 2)))
                .hasMessageContaining("alpha has 3 pixels");
        assertThatThrownBy(() -> Compositor.composite(fg, new byte[4], Background.GREEN.forSize(2, 1)))
                .hasMessageContaining("background is 2x1");
    }
}
