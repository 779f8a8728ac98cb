package dev.alphaflow.jobs.tools;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.ImageDecodeException;
import dev.alphaflow.model.image.RgbImage;

/**
 * What {@link Export} composites the foreground over: a solid colour or an image (stretched to the frame's size).
 * Immutable, except for a cache of the image scaled to the last frame size asked for.
 */
public final class Background {
    /** Chroma-key green, #00b140. */
    public static final Background GREEN = color(0x00, 0xb1, 0x40);

    private final int rgb;
    private final RgbImage image;
    private final String description;
    private RgbImage cached;

    private Background(int rgb, RgbImage image, String description) {
        this.rgb = rgb;
        this.image = image;
        this.description = description;
    }

    public static Background color(int r, int g, int b) {
        for (int c : new int[] {r, g, b}) {
            if (c < 0 || c > 255) {
                throw new IllegalArgumentException(String.format("colour components must be in 0..255: %d,%d,%d", r, g, b));
            }
        }
        return new Background((r << 16) | (g << 8) | b, null, String.format("#%02x%02x%02x", r, g, b));
    }

    /** {@code #rrggbb} (the {@code #} is optional) or one of: green, blue, black, white. */
    public static Background parseColor(String spec) {
        Objects.requireNonNull(spec, "spec");
        String s = spec.trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "green": return GREEN;
            case "blue": return color(0x00, 0x47, 0xbb);
            case "black": return color(0, 0, 0);
            case "white": return color(255, 255, 255);
            default: break;
        }
        if (s.startsWith("#")) {
            s = s.substring(1);
        }
        if (!s.matches("[0-9a-f]{6}")) {
            throw new IllegalArgumentException("not a colour: '" + spec + "'; use #rrggbb, e.g. #00b140, or green, "
                    + "blue, black, white");
        }
        int v = Integer.parseInt(s, 16);
        return color((v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
    }

    /** A JPEG or PNG image, stretched to each frame's size. */
    public static Background image(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        try {
            return new Background(0, ImageCodec.decode(Files.readAllBytes(file)), file.toString());
        } catch (ImageDecodeException e) {
            throw new IOException("cannot read background image " + file + ": " + e.getMessage(), e);
        }
    }

    /** The background as an image of the given size. */
    public synchronized RgbImage forSize(int width, int height) {
        if (cached != null && cached.width() == width && cached.height() == height) {
            return cached;
        }
        if (image == null) {
            byte[] px = new byte[Math.multiplyExact(Math.multiplyExact(width, height), 3)];
            byte r = (byte) (rgb >> 16);
            byte g = (byte) (rgb >> 8);
            byte b = (byte) rgb;
            for (int i = 0; i < px.length; i += 3) {
                px[i] = r;
                px[i + 1] = g;
                px[i + 2] = b;
            }
            cached = new RgbImage(width, height, px);
        } else if (image.width() == width && image.height() == height) {
            cached = image;
        } else {
            BufferedImage scaled = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
            Graphics2D g = scaled.createGraphics();
            try {
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.drawImage(ImageCodec.toBufferedImage(image), 0, 0, width, height, null);
            } finally {
                g.dispose();
            }
            cached = ImageCodec.toRgbImage(scaled);
        }
        return cached;
    }

    @Override
    public String toString() {
        return description;
    }
}
