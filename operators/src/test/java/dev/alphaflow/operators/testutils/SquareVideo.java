package dev.alphaflow.operators.testutils;

import java.util.Random;

import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.operators.decode.FramePrompt;
import dev.alphaflow.schemas.PromptAction;

/**
 * A synthetic video for segmentation tests with the tiny feature models: a red square drifting over a grey texture
 * (no pixel darker than 100), and the ADD prompt of its first frame.
 */
public final class SquareVideo {
    public static final int W = 64;
    public static final int H = 64;
    public static final int SIDE = 16;

    private SquareVideo() {}

    /** Top-left corner of the square on frame t. */
    public static int[] corner(int t) {
        return new int[] {8 + 2 * t, 12 + t};
    }

    public static RgbImage image(int t) {
        byte[] rgb = new byte[W * H * 3];
        Random random = new Random(11);
        for (int i = 0; i < W * H; i++) {
            int grey = 100 + random.nextInt(40);
            rgb[3 * i] = (byte) grey;
            rgb[3 * i + 1] = (byte) (grey + 10);
            rgb[3 * i + 2] = (byte) grey;
        }
        int[] c = corner(t);
        for (int y = c[1]; y < c[1] + SIDE; y++) {
            for (int x = c[0]; x < c[0] + SIDE; x++) {
                int i = y * W + x;
                rgb[3 * i] = (byte) 220;
                rgb[3 * i + 1] = (byte) 50;
                rgb[3 * i + 2] = (byte) 40;
            }
        }
        return new RgbImage(W, H, rgb);
    }

    /** ADD of object {@code objectId}, labelled "square", with the square's mask on frame 0. */
    public static FramePrompt prompt(int objectId) {
        byte[] gray = new byte[W * H];
        int[] c = corner(0);
        for (int y = c[1]; y < c[1] + SIDE; y++) {
            for (int x = c[0]; x < c[0] + SIDE; x++) {
                gray[y * W + x] = (byte) 255;
            }
        }
        FramePrompt p = new FramePrompt();
        p.objectId = objectId;
        p.action = PromptAction.ADD;
        p.maskPng = ImageCodec.encodeGray8Png(gray, W, H);
        p.label = "square";
        return p;
    }
}
