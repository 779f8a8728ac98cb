package dev.alphaflow.jobs.tools;

import dev.alphaflow.model.image.RgbImage;

/** Alpha compositing, I = αF + (1 − α)B, on 8-bit images. */
public final class Compositor {
    private Compositor() {}

    /**
     * Composites a foreground over a background of the same size.
     *
     * @param alpha 8-bit alpha, row-major, one byte per pixel (0 = background, 255 = foreground)
     * @return a new image; each channel is {@code round((α·F + (255 − α)·B) / 255)}
     */
    public static RgbImage composite(RgbImage foreground, byte[] alpha, RgbImage background) {
        int w = foreground.width();
        int h = foreground.height();
        if (!foreground.sameSize(background)) {
            throw new IllegalArgumentException(String.format("background is %dx%d, the frame %dx%d",
                    background.width(), background.height(), w, h));
        }
        if (alpha.length != w * h) {
            throw new IllegalArgumentException(String.format("alpha has %d pixels, the %dx%d frame %d",
                    alpha.length, w, h, w * h));
        }
        byte[] f = foreground.rgb();
        byte[] b = background.rgb();
        byte[] out = new byte[f.length];
        for (int p = 0, i = 0; p < alpha.length; p++, i += 3) {
            int a = alpha[p] & 0xff;
            int na = 255 - a;
            out[i] = (byte) ((a * (f[i] & 0xff) + na * (b[i] & 0xff) + 127) / 255);
            out[i + 1] = (byte) ((a * (f[i + 1] & 0xff) + na * (b[i + 1] & 0xff) + 127) / 255);
            out[i + 2] = (byte) ((a * (f[i + 2] & 0xff) + na * (b[i + 2] & 0xff) + 127) / 255);
        }
        return new RgbImage(w, h, out);
    }
}
