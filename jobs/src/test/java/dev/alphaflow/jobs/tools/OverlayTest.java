package dev.alphaflow.jobs.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.instances.BinaryMask;
import dev.alphaflow.model.instances.Box;

class OverlayTest {
    private static final int W = 64;
    private static final int H = 48;

    private static RgbImage grey(int value) {
        byte[] rgb = new byte[W * H * 3];
        Arrays.fill(rgb, (byte) value);
        return new RgbImage(W, H, rgb);
    }

    @Test
    void tintsMaskPixelsHalfwayToTheColourAndLeavesOthers() {
        BinaryMask mask = BinaryMask.builder(W, H).set(10, 20).set(11, 20).build();
        RgbImage frame = grey(100);

        RgbImage out = Overlay.draw(frame, List.of(new Overlay.Layer(mask, 0xFF0000, null, null)));

        assertThat(out.rgbAt(10, 20)).isEqualTo(0xB23232); // round(0.5 * 100 + 0.5 * 255) = 178, 50, 50
        assertThat(out.rgbAt(11, 20)).isEqualTo(0xB23232);
        assertThat(out.rgbAt(12, 20)).isEqualTo(0x646464);
        assertThat(frame.rgbAt(10, 20)).as("the input is not changed").isEqualTo(0x646464);
    }

    @Test
    void drawsTheBoxAndATagInTheLayersColour() {
        BinaryMask mask = BinaryMask.builder(W, H).set(30, 30).build();
        RgbImage out = Overlay.draw(grey(0), List.of(
                new Overlay.Layer(mask, 0x00FF00, new Box(20, 25, 40, 45), "dog 0.90")));
        assertThat(out.rgbAt(20, 35)).as("left edge of the box").isEqualTo(0x00FF00);
        assertThat(out.rgbAt(30, 40)).as("inside the box, off the mask").isEqualTo(0x000000);
        // The tag sits above the box: filled with the colour (text in black on green).
        long tagPixels = 0;
        for (int y = 0; y < 25; y++) {
            for (int x = 20; x < W; x++) {
                if (out.rgbAt(x, y) == 0x00FF00) {
                    tagPixels++;
                }
            }
        }
        assertThat(tagPixels).isGreaterThan(50);
    }

    @Test
    void refusesAMaskOfAnotherSize() {
        BinaryMask small = BinaryMask.builder(W / 2, H).set(0, 0).build();
        assertThatThrownBy(() -> Overlay.draw(grey(0), List.of(new Overlay.Layer(small, 0, null, null))))
                .hasMessageContaining("32x48 mask on a 64x48 frame");
    }

    @Test
    void coloursFollowTheDavisPaletteAndDifferPerInstance() {
        assertThat(Overlay.objectColour(1)).isEqualTo(0x800000);
        assertThat(Overlay.objectColour(2)).isEqualTo(0x008000);
        assertThat(Overlay.instanceColour(0)).isNotEqualTo(Overlay.instanceColour(1));
    }
}
