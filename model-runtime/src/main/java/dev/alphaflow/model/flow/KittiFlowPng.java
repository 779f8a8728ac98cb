package dev.alphaflow.model.flow;

import static org.bytedeco.opencv.global.opencv_core.CV_16UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import java.util.Objects;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.ShortPointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * The KITTI 2012/2015 flow encoding: a 16-bit RGB PNG with {@code R = u * 64 + 2^15}, {@code G = v * 64 + 2^15}
 * (rounded, clamped to 0..65535, so ±512 px at 1/64 px) and {@code B = 1} where the flow is valid, 0 where not
 * (then R and G are 0). This is what the KITTI devkit's {@code flow_read}/{@code flow_write} read and write.
 */
public final class KittiFlowPng {

  private static final double SCALE = 64.0;
  private static final int OFFSET = 1 << 15;

  private KittiFlowPng() {}

  /** Encodes {@code flow} as a KITTI PNG, every pixel valid except non-finite ones. */
  public static byte[] encode(FlowField flow) {
    Objects.requireNonNull(flow, "flow");
    int n = flow.pixelCount();
    float[] f = flow.data();
    short[] bgr = new short[3 * n]; // OpenCV writes channel 0 as blue
    for (int i = 0; i < n; i++) {
      float u = f[i];
      float v = f[n + i];
      if (Float.isFinite(u) && Float.isFinite(v)) {
        bgr[3 * i] = 1;
        bgr[3 * i + 1] = (short) quantize(v);
        bgr[3 * i + 2] = (short) quantize(u);
      }
    }
    try (Mat mat = new Mat(flow.height(), flow.width(), CV_16UC3);
         BytePointer png = new BytePointer()) {
      new ShortPointer(mat.data()).put(bgr);
      if (!imencode(".png", mat, png)) {
        throw new IllegalStateException("OpenCV could not encode a " + flow.width() + "x" + flow.height()
            + " 16-bit PNG");
      }
      byte[] out = new byte[(int) png.limit()];
      png.get(out);
      return out;
    }
  }

  /** Decodes a KITTI PNG; invalid pixels (B = 0) come back as NaN. */
  public static FlowField decode(byte[] png) {
    Objects.requireNonNull(png, "png");
    try (Mat encoded = new Mat(1, png.length, org.bytedeco.opencv.global.opencv_core.CV_8UC1);
         Mat mat = new Mat()) {
      encoded.data().put(png);
      imdecode(encoded, IMREAD_UNCHANGED, mat);
      if (mat.empty() || mat.type() != CV_16UC3) {
        throw new IllegalArgumentException("not a 16-bit RGB PNG (KITTI flow): "
            + (mat.empty() ? "undecodable" : "OpenCV type " + mat.type()));
      }
      int w = mat.cols();
      int h = mat.rows();
      int n = w * h;
      short[] bgr = new short[3 * n];
      new ShortPointer(mat.data()).get(bgr);
      float[] planar = new float[2 * n];
      for (int i = 0; i < n; i++) {
        boolean valid = bgr[3 * i] != 0;
        planar[i] = valid ? (float) (((bgr[3 * i + 2] & 0xffff) - OFFSET) / SCALE) : Float.NaN;
        planar[n + i] = valid ? (float) (((bgr[3 * i + 1] & 0xffff) - OFFSET) / SCALE) : Float.NaN;
      }
      return new FlowField(w, h, planar);
    }
  }

  private static int quantize(float value) {
    long q = Math.round(value * SCALE + OFFSET);
    return (int) Math.max(0, Math.min(65535, q));
  }
}
