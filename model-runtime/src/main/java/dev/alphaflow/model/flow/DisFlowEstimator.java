package dev.alphaflow.model.flow;

import static org.bytedeco.opencv.global.opencv_core.CV_32FC2;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_RGB2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

import dev.alphaflow.model.image.RgbImage;
import java.util.Objects;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_video.DISOpticalFlow;

/**
 * Dense Inverse Search optical flow (Kroeger et al., ECCV 2016) through OpenCV's {@code DISOpticalFlow}, on the
 * frames' luma.
 *
 * <p>Each call is independent of the ones before (no warm start from the previous flow). Not thread-safe: the native
 * frame matrices are reused across calls. Closing the estimator frees them.
 *
 * <pre>{@code
 * try (FlowEstimator dis = new DisFlowEstimator(DisPreset.FAST)) {
 *   FlowField toPrevious = dis.estimate(current, previous);
 *   FlowWarp.warp(previousMask, 1, toPrevious, warpedMask);
 * }
 * }</pre>
 */
public final class DisFlowEstimator implements FlowEstimator {

  private final DisPreset preset;
  private final DISOpticalFlow dis;
  private Mat rgb;
  private final Mat grayFrom = new Mat();
  private final Mat grayTo = new Mat();
  private final Mat flow = new Mat();
  private float[] interleaved = new float[0];
  private boolean closed;

  public DisFlowEstimator(DisPreset preset) {
    this.preset = Objects.requireNonNull(preset, "preset");
    this.dis = DISOpticalFlow.create(preset.openCvPreset());
  }

  public DisPreset preset() {
    return preset;
  }

  @Override
  public FlowField estimate(RgbImage from, RgbImage to) {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    checkOpen();
    if (!from.sameSize(to)) {
      throw new IllegalArgumentException("flow needs two frames of one size, got " + from.width() + "x"
          + from.height() + " and " + to.width() + "x" + to.height());
    }
    toGray(from, grayFrom);
    toGray(to, grayTo);
    return calc(from.width(), from.height());
  }

  /** Luma goes straight into DIS's grey matrices (the grey of an RGB image with equal channels is that value). */
  @Override
  public FlowField estimateLuma(byte[] from, byte[] to, int width, int height) {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    checkOpen();
    if (width <= 0 || height <= 0 || from.length != (long) width * height || to.length != (long) width * height) {
      throw new IllegalArgumentException("flow needs two " + width + "x" + height + " luma planes of "
          + (long) width * height + " bytes, got " + from.length + " and " + to.length);
    }
    grayFrom.create(height, width, CV_8UC1);
    grayFrom.data().put(from);
    grayTo.create(height, width, CV_8UC1);
    grayTo.data().put(to);
    return calc(width, height);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("DisFlowEstimator is closed");
    }
  }

  private FlowField calc(int w, int h) {
    // DIS takes a flow matrix of the frames' size as its initial guess: without the release every pair would start
    // from the previous pair's flow (another stream's, in a job), and results would depend on what ran before.
    flow.release();
    dis.calc(grayFrom, grayTo, flow);
    if (flow.type() != CV_32FC2 || flow.cols() != w || flow.rows() != h || !flow.isContinuous()) {
      throw new IllegalStateException("DISOpticalFlow returned an unexpected matrix: " + flow);
    }
    int n = w * h;
    if (interleaved.length != 2 * n) {
      interleaved = new float[2 * n];
    }
    new FloatPointer(flow.data()).get(interleaved);
    float[] planar = new float[2 * n];
    for (int i = 0, j = 0; i < n; i++, j += 2) {
      planar[i] = interleaved[j];
      planar[n + i] = interleaved[j + 1];
    }
    return new FlowField(w, h, planar);
  }

  private void toGray(RgbImage image, Mat gray) {
    if (rgb == null || rgb.cols() != image.width() || rgb.rows() != image.height()) {
      if (rgb != null) {
        rgb.close();
      }
      rgb = new Mat(image.height(), image.width(), CV_8UC3);
    }
    rgb.data().put(image.rgb());
    gray.create(image.height(), image.width(), CV_8UC1);
    cvtColor(rgb, gray, COLOR_RGB2GRAY);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    dis.close();
    if (rgb != null) {
      rgb.close();
    }
    grayFrom.close();
    grayTo.close();
    flow.close();
  }
}
