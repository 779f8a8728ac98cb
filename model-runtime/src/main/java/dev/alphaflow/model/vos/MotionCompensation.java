package dev.alphaflow.model.vos;

import dev.alphaflow.model.flow.DisFlowEstimator;
import dev.alphaflow.model.flow.FlowField;
import dev.alphaflow.model.flow.FlowInput;
import dev.alphaflow.model.flow.FlowSplat;
import dev.alphaflow.model.image.Dimensions;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.tensor.HalfTensor;

/**
 * Moves the previous frame's masks onto the current frame by optical flow before they become the prior (the
 * motion-compensated RGMP idea): DIS flow from the previous frame's luma to the current frame's, both shrunk to
 * {@link VosOptions#flowMaxSide()}, averaged onto the key grid; each grid cell's mask value then moves along its
 * cell's flow ({@link FlowSplat}, forward splatting, sums capped at 1).
 *
 * <p>Forward, not backward: warping backwards ({@code grid_sample} along the current → previous flow) fills every
 * cell that has just come into view with whatever its guessed flow points at, so a camera panning with a rider left
 * a copy of the mask in the background the rider uncovered (scooter-black, J&F 0.79 → 0.69 against the unmoved
 * prior). Splatting moves only the object's own cells: BENCHMARKS.md, "Flow-guided prior".
 *
 * <p>The previous frame is remembered only as its shrunk luma ({@link #lumaTensor}), in the frame memory, so a
 * stream restored from a checkpoint moves its prior exactly as an uninterrupted one. Not thread-safe (the DIS
 * estimator reuses native buffers), like the segmenter that owns it.
 */
final class MotionCompensation implements AutoCloseable {

  /** A frame's luma (0..255) at the flow's size, row-major. */
  record Luma(int width, int height, byte[] pixels) {}

  private final DisFlowEstimator dis;
  private final int maxSide;

  MotionCompensation(VosOptions options) {
    this.dis = new DisFlowEstimator(options.flowPreset());
    this.maxSide = options.flowMaxSide();
  }

  /** The frame's luma at the flow's size ({@link FlowInput#luma}: longer side at most {@code flowMaxSide}). */
  Luma luma(RgbImage frame) {
    Dimensions size = FlowInput.flowSize(frame.width(), frame.height(), maxSide);
    return new Luma(size.width(), size.height(), FlowInput.luma(frame, maxSide));
  }

  /** The luma as frame-memory tensor {@code [h, w]}: integers 0..255 are exact in fp16. */
  static HalfTensor lumaTensor(Luma luma) {
    float[] values = new float[luma.pixels().length];
    for (int i = 0; i < values.length; i++) {
      values[i] = luma.pixels()[i] & 0xff;
    }
    return HalfTensor.fromFloats(new long[] {luma.height(), luma.width()}, values);
  }

  /** The luma a {@link #lumaTensor} holds; null when the tensor is not a luma plane. */
  static Luma lumaOf(HalfTensor tensor) {
    if (tensor.rank() != 2 || tensor.dim(0) < 1 || tensor.dim(1) < 1) {
      return null;
    }
    float[] values = tensor.toFloats();
    byte[] pixels = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      pixels[i] = (byte) Math.round(Math.min(255f, Math.max(0f, values[i])));
    }
    return new Luma((int) tensor.dim(1), (int) tensor.dim(0), pixels);
  }

  /**
   * The flow from {@code previous} to {@code current} on the key grid, in grid cells; null when the two were shrunk
   * to different sizes (the stream changed resolution, or the options changed): then the prior stays unmoved.
   */
  FlowField gridFlow(Luma previous, Luma current, KeyGrid grid, int frameWidth, int frameHeight) {
    if (previous == null || previous.width() != current.width() || previous.height() != current.height()) {
      return null;
    }
    int w = current.width();
    int h = current.height();
    FlowField toCurrent = dis.estimateLuma(previous.pixels(), current.pixels(), w, h);
    int gw = grid.width();
    int gh = grid.height();
    // a pixel of the shrunk frame is frameWidth / w frame pixels; frame pixel x is grid coordinate x * fx
    double sx = grid.fx() * frameWidth / w;
    double sy = grid.fy() * frameHeight / h;
    float[] planes = toCurrent.data();
    float[] dx = Resampling.average(planes, 0, w, h, gw, gh, sx, sy);
    float[] dy = Resampling.average(planes, w * h, w, h, gw, gh, sx, sy);
    float[] cells = new float[2 * gw * gh];
    for (int i = 0; i < dx.length; i++) {
      cells[i] = (float) (dx[i] * sx);
      cells[dx.length + i] = (float) (dy[i] * sy);
    }
    return new FlowField(gw, gh, cells);
  }

  /** The previous grid mask moved onto the current frame: each cell's value splatted along its flow, capped at 1. */
  static float[] move(float[] previousMask, FlowField gridFlow) {
    float[] moved = FlowSplat.sum(previousMask, 1, gridFlow);
    for (int i = 0; i < moved.length; i++) {
      moved[i] = Math.min(1f, moved[i]);
    }
    return moved;
  }

  @Override
  public void close() {
    dis.close();
  }
}
