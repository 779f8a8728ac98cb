package dev.alphaflow.operators.testutils;

import java.util.Random;

import dev.alphaflow.model.flow.FlowField;
import dev.alphaflow.model.image.RgbImage;

/**
 * A smooth random texture that moves by whole pixels per frame, so the true flow between any two frames is known:
 * frame {@code t} at {@code (x, y)} shows the texture at {@code (x - t*dx, y - t*dy)}, so the flow from frame
 * {@code s} to frame {@code t} is {@code ((t-s)*dx, (t-s)*dy)} everywhere (except where the texture enters at the
 * border).
 */
public final class ShiftedTexture {
    private static final int CELL = 6;
    private static final int MARGIN = 64;

    private final int width;
    private final int height;
    private final int dx;
    private final int dy;
    private final float[] texture;
    private final int textureWidth;

    public ShiftedTexture(int width, int height, int dx, int dy, long seed) {
        this.width = width;
        this.height = height;
        this.dx = dx;
        this.dy = dy;
        this.textureWidth = width + 2 * MARGIN;
        this.texture = smooth(textureWidth, height + 2 * MARGIN, seed);
    }

    /** Frame {@code t} (t * |shift| must stay within the margin of 64 px). */
    public RgbImage frame(int t) {
        byte[] rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int v = Math.round(texture[(y + MARGIN - t * dy) * textureWidth + x + MARGIN - t * dx]);
                int i = (y * width + x) * 3;
                rgb[i] = (byte) v;
                rgb[i + 1] = (byte) (255 - v);
                rgb[i + 2] = (byte) (v / 2);
            }
        }
        return new RgbImage(width, height, rgb);
    }

    /** Mean (dx, dy) of a flow field over its interior (a border of {@code margin} pixels left out). */
    public static double[] interiorMean(FlowField flow, int margin) {
        double sx = 0;
        double sy = 0;
        int n = 0;
        for (int y = margin; y < flow.height() - margin; y++) {
            for (int x = margin; x < flow.width() - margin; x++) {
                sx += flow.dx(x, y);
                sy += flow.dy(x, y);
                n++;
            }
        }
        return new double[] {sx / n, sy / n};
    }

    /** Random grey levels on a coarse lattice, bilinearly interpolated: smooth blobs DIS can track. */
    private static float[] smooth(int w, int h, long seed) {
        int lw = w / CELL + 2;
        int lh = h / CELL + 2;
        Random random = new Random(seed);
        float[] lattice = new float[lw * lh];
        for (int i = 0; i < lattice.length; i++) {
            lattice[i] = 20 + 215 * random.nextFloat();
        }
        float[] t = new float[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float fx = (float) x / CELL;
                float fy = (float) y / CELL;
                int x0 = (int) fx;
                int y0 = (int) fy;
                float wx = fx - x0;
                float wy = fy - y0;
                float top = lattice[y0 * lw + x0] * (1 - wx) + lattice[y0 * lw + x0 + 1] * wx;
                float bottom = lattice[(y0 + 1) * lw + x0] * (1 - wx) + lattice[(y0 + 1) * lw + x0 + 1] * wx;
                t[y * w + x] = top * (1 - wy) + bottom * wy;
            }
        }
        return t;
    }
}
