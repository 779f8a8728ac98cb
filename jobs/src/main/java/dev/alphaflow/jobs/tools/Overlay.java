package dev.alphaflow.jobs.tools;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.alphaflow.model.eval.DavisMasks;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.instances.BinaryMask;
import dev.alphaflow.model.instances.Box;

/** Draws masks over a frame: each tinted in its colour, with an optional box outline and a text tag (label, score). */
final class Overlay {
    private static final Logger LOG = LoggerFactory.getLogger(Overlay.class);
    /** How much of the colour a mask pixel takes: out = (1 - a) * frame + a * colour. */
    static final double TINT = 0.5;

    /** Bright, distinct colours for instances, by instance index (0xRRGGBB). */
    private static final int[] INSTANCE_COLOURS = {
        0xE6194B, 0x3CB44B, 0xFFE119, 0x4363D8, 0xF58231, 0x911EB4, 0x46F0F0, 0xF032E6,
        0xBCF60C, 0xFABEBE, 0x008080, 0xE6BEFF, 0x9A6324, 0xFFFAC8, 0x800000, 0xAAFFC3,
    };

    private static volatile boolean textUnavailable;

    private Overlay() {}

    /** One mask to draw; {@code box} (frame pixels, x1/y1 exclusive) and {@code text} may be null. */
    record Layer(BinaryMask mask, int rgb, Box box, String text) {
        Layer {
            Objects.requireNonNull(mask, "mask");
        }
    }

    /** The colour of instance {@code index} in an instances overlay. */
    static int instanceColour(int index) {
        return INSTANCE_COLOURS[Math.floorMod(index, INSTANCE_COLOURS.length)];
    }

    /** The DAVIS palette colour of an object id, as export-masks' PNGs show it. */
    static int objectColour(int objectId) {
        return DavisMasks.paletteRgb()[objectId & 0xff];
    }

    /**
     * The frame with the layers drawn in order (later ones on top).
     *
     * @throws IllegalArgumentException when a mask is not the frame's size
     */
    static RgbImage draw(RgbImage frame, List<Layer> layers) {
        int w = frame.width();
        int h = frame.height();
        byte[] rgb = frame.rgb().clone();
        for (Layer layer : layers) {
            if (layer.mask().width() != w || layer.mask().height() != h) {
                throw new IllegalArgumentException("a " + layer.mask().width() + "x" + layer.mask().height()
                        + " mask on a " + w + "x" + h + " frame");
            }
            int[] c = {(layer.rgb() >> 16) & 0xff, (layer.rgb() >> 8) & 0xff, layer.rgb() & 0xff};
            for (int i = 0; i < w * h; i++) {
                if (layer.mask().get(i)) {
                    for (int ch = 0; ch < 3; ch++) {
                        int f = rgb[3 * i + ch] & 0xff;
                        rgb[3 * i + ch] = (byte) Math.round((1 - TINT) * f + TINT * c[ch]);
                    }
                }
            }
        }
        boolean decorated = layers.stream().anyMatch(l -> l.box() != null || l.text() != null);
        if (!decorated) {
            return new RgbImage(w, h, rgb);
        }
        BufferedImage image = ImageCodec.toBufferedImage(new RgbImage(w, h, rgb));
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setStroke(new BasicStroke(2f));
            for (Layer layer : layers) {
                Color colour = new Color(layer.rgb());
                Box box = layer.box() != null ? layer.box() : layer.mask().boundingBox();
                if (layer.box() != null) {
                    g.setColor(colour);
                    g.drawRect(Math.round(box.x0()), Math.round(box.y0()), Math.max(1, Math.round(box.x1() - box.x0()) - 1),
                            Math.max(1, Math.round(box.y1() - box.y0()) - 1));
                }
                if (layer.text() != null && box != null) {
                    tag(g, layer.text(), colour, Math.round(box.x0()), Math.round(box.y0()), w, h);
                }
            }
        } finally {
            g.dispose();
        }
        return ImageCodec.toRgbImage(image);
    }

    // A filled label above the box (inside it when there is no room), in black or white for contrast.
    private static void tag(Graphics2D g, String text, Color colour, int x, int y, int w, int h) {
        if (textUnavailable) {
            return;
        }
        try {
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.max(11, Math.min(w, h) / 32)));
            FontMetrics m = g.getFontMetrics();
            int tw = m.stringWidth(text) + 6;
            int th = m.getHeight() + 2;
            int tx = Math.max(0, Math.min(x, w - tw));
            int ty = y - th >= 0 ? y - th : Math.min(y, Math.max(0, h - th));
            g.setColor(colour);
            g.fillRect(tx, ty, tw, th);
            int luma = (299 * colour.getRed() + 587 * colour.getGreen() + 114 * colour.getBlue()) / 1000;
            g.setColor(luma > 140 ? Color.BLACK : Color.WHITE);
            g.drawString(text, tx + 3, ty + 1 + m.getAscent());
        } catch (RuntimeException | InternalError | UnsatisfiedLinkError | NoClassDefFoundError e) { // no fonts on a minimal system: keep the masks, drop the text
            textUnavailable = true;
            LOG.warn("Overlays are drawn without labels: no font is available ({})", e.toString());
        }
    }
}
