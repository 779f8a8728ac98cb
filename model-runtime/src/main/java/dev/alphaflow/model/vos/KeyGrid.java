package dev.alphaflow.model.vos;

import java.util.List;
import java.util.Map;

/**
 * A frame's keys on the grid of the finest feature layer: {@code keys[(y * width + x) * dim + c]}, every key of
 * length {@code scale} (see {@link #keyScale}), and the factors that map frame pixels to grid coordinates.
 *
 * <p>Each layer is resampled to the grid (bilinearly, cell {@code j} of stride s sits at {@code j * s / s'} on a layer
 * of stride s'), normalized per position and weighted, so a layer counts by its weight and not by its activation
 * magnitude; the concatenation is normalized again and scaled.
 */
record KeyGrid(int width, int height, int dim, float[] keys, double fx, double fy) {

  int positions() {
    return width * height;
  }

  /**
   * The key length that turns the attention's {@code q.k / sqrt(dim)} into {@code cos / temperature}:
   * {@code s^2 / sqrt(dim) = 1 / temperature}.
   */
  static float keyScale(int dim, float temperature) {
    return (float) Math.sqrt(Math.sqrt(dim) / temperature);
  }

  /** Builds the keys of {@code layers} (finest first) from the extracted maps of a frame of the given size. */
  static KeyGrid build(Map<FeatureLayer, FeatureExtractor.FeatureMap> maps, List<FeatureLayer> layers,
      float coarseWeight, float keyScale, int frameWidth, int frameHeight, float inputScale) {
    FeatureLayer gridLayer = layers.get(0);
    FeatureExtractor.FeatureMap grid = maps.get(gridLayer);
    int gw = grid.width();
    int gh = grid.height();
    int n = gw * gh;
    int dim = 0;
    for (FeatureLayer layer : layers) {
      dim += layer.channels();
    }
    float[] keys = new float[n * dim];
    int offset = 0;
    float[] plane = new float[n];
    for (FeatureLayer layer : layers) {
      FeatureExtractor.FeatureMap map = maps.get(layer);
      int c = map.channels();
      float[] resampled;
      if (map.width() == gw && map.height() == gh) {
        resampled = map.data();
      } else {
        double ratio = (double) gridLayer.stride() / layer.stride();
        Resampling.Axis xs = Resampling.Axis.linear(gw, ratio, map.width());
        Resampling.Axis ys = Resampling.Axis.linear(gh, ratio, map.height());
        resampled = new float[c * n];
        int mapPlane = map.width() * map.height();
        for (int ch = 0; ch < c; ch++) {
          Resampling.resample(map.data(), ch * mapPlane, map.width(), xs, ys, resampled, ch * n);
        }
      }
      float weight = layer == gridLayer ? 1f : coarseWeight;
      // transpose CHW -> position-major, then normalize this layer's part of each key
      for (int ch = 0; ch < c; ch++) {
        System.arraycopy(resampled, ch * n, plane, 0, n);
        for (int i = 0; i < n; i++) {
          keys[i * dim + offset + ch] = plane[i];
        }
      }
      for (int i = 0; i < n; i++) {
        normalize(keys, i * dim + offset, c, weight);
      }
      offset += c;
    }
    for (int i = 0; i < n; i++) {
      normalize(keys, i * dim, dim, keyScale);
    }
    double scaledW = Math.max(1, Math.round(frameWidth * inputScale));
    double scaledH = Math.max(1, Math.round(frameHeight * inputScale));
    double fx = scaledW / frameWidth / gridLayer.stride();
    double fy = scaledH / frameHeight / gridLayer.stride();
    return new KeyGrid(gw, gh, dim, keys, fx, fy);
  }

  /** Scales {@code x[offset .. offset + n)} to length {@code length}; a zero vector stays zero. */
  private static void normalize(float[] x, int offset, int n, float length) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      double v = x[offset + i];
      s += v * v;
    }
    if (s == 0) {
      return;
    }
    float f = (float) (length / Math.sqrt(s));
    for (int i = 0; i < n; i++) {
      x[offset + i] *= f;
    }
  }
}
