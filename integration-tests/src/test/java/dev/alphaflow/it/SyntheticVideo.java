package dev.alphaflow.it;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import javax.imageio.ImageIO;

/** Small deterministic test videos: a moving disc over a gradient, different per stream. */
final class SyntheticVideo {
    private SyntheticVideo() {}

    static BufferedImage frame(int streamIndex, long seq, int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
            for (int y = 0; y < height; y++) {
                g.setColor(new Color((y * 255) / height, 40 * streamIndex % 255, 90));
                g.drawLine(0, y, width, y);
            }
            int r = height / 4;
            int cx = (int) ((seq * (3 + streamIndex)) % width);
            g.setColor(new Color(230, 200 - 30 * streamIndex, 60));
            g.fillOval(cx - r, height / 2 - r, 2 * r, 2 * r);
        } finally {
            g.dispose();
        }
        return image;
    }

    static byte[] png(BufferedImage image) {
        return encode(image, "png");
    }

    static byte[] jpeg(BufferedImage image) {
        return encode(image, "jpg");
    }

    private static byte[] encode(BufferedImage image, String format) {
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
