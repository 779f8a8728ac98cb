package dev.alphaflow.model.vos;

import dev.alphaflow.model.flow.DisFlowEstimator;
import dev.alphaflow.model.flow.FlowField;
import dev.alphaflow.model.flow.FlowInput;
import dev.alphaflow.model.flow.FlowWarp;
import dev.alphaflow.model.flow.ForwardBackwardCheck;
import dev.alphaflow.model.image.Dimensions;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.tensor.HalfTensor;

/**
 * Moves the previous frame's masks onto the current frame by optical flow before they become the prior (the
 * motion-compensated RGMP idea): DIS flow from the current frame's luma to the previous frame's, both shrunk to
 * {@link VosOptions#flowMaxSide()}, averaged onto the key grid and used to warp the grid masks backwards
 * ({@link FlowWarp}, {@code grid_sample} semantics). With {@link VosOptions#flowOcclusion()}, cells whose pixels fail
 * the forward-backward check keep the unmoved mask in proportion: there the flow says nothing reliable.
 *
 * <p>The previous frame is remembered only as its shrunk luma ({@link #lumaTensor}), in the frame memory, so a
 * stream restored from a checkpoint moves its prior exactly as an uninterrupted one. Not thread-safe (the DIS
 * estimator reuses native buffers), like the segmenter that owns it.
 */
final class MotionCompensation implements AutoCloseable {

  /** A frame's luma (0..255) at the flow's size, row-major. */
  record Luma(int width, int height, byte[] pixels) {}

  /** The grid flow (current → previous, in grid cells) and, per cell, the share of its pixels failing the check. */
  record GridFlow(FlowField flow, float[] unreliable) {}

  private final DisFlowEstimator dis;
  private final int maxSide;
  private final boolean occlusion;

  MotionCompensation(VosOptions options) {
    this.dis = new DisFlowEstimator(options.flowPreset());
    this.maxSide = options.flowMaxSide();
    this.occlusion = options.flowOcclusion();
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
   * The flow from {@code current} to {@code previous} on the key grid; null when the two were shrunk to different
   * sizes (the stream changed resolution, or the options changed): then the prior stays unmoved.
   */
  GridFlow gridFlow(Luma current, Luma previous, KeyGrid grid, int frameWidth, int frameHeight) {
    if (previous == null || previous.width() != current.width() || previous.height() != current.height()) {
      return null;
    }
    int w = current.width();
    int h = current.height();
    FlowField toPrevious = dis.estimateLuma(current.pixels(), previous.pixels(), w, h);
    int gw = grid.width();
    int gh = grid.height();
    // a pixel of the shrunk frame is frameWidth / w frame pixels; frame pixel x is grid coordinate x * fx
    double sx = grid.fx() * frameWidth / w;
    double sy = grid.fy() * frameHeight / h;
    int n = w * h;
    float[] planes = toPrevious.data();
    float[] dx = Resampling.average(planes, 0, w, h, gw, gh, sx, sy);
    float[] dy = Resampling.average(planes, n, w, h, gw, gh, sx, sy);
    float[] cells = new float[2 * gw * gh];
    for (int i = 0; i < dx.length; i++) {
      cells[i] = (float) (dx[i] * sx);
      cells[dx.length + i] = (float) (dy[i] * sy);
    }
    float[] unreliable = null;
    if (occlusion) {
      FlowField toCurrent = dis.estimateLuma(previous.pixels(), current.pixels(), w, h);
      boolean[] occluded = ForwardBackwardCheck.DEFAULT.occluded(toPrevious, toCurrent);
      float[] plane = new float[n];
      for (int i = 0; i < n; i++) {
        plane[i] = occluded[i] ? 1f : 0f;
      }
      unreliable = Resampling.average(plane, w, h, gw, gh, sx, sy);
    }
    return new GridFlow(new FlowField(gw, gh, cells), unreliable);
  }

  /** The previous grid mask moved onto the current frame; unreliable cells blend back towards the unmoved mask. */
  static float[] warp(float[] previousMask, GridFlow flow) {
    float[] moved = FlowWarp.warp(previousMask, 1, flow.flow());
    float[] unreliable = flow.unreliable();
    if (unreliable != null) {
      for (int i = 0; i < moved.length; i++) {
        moved[i] += (previousMask[i] - moved[i]) * unreliable[i];
      }
    }
    return moved;
  }

  @Override
  public void close() {
    dis.close();
  }
}
