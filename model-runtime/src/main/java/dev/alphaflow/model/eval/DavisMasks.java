package dev.alphaflow.model.eval;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.imageio.ImageIO;

/**
 * DAVIS annotation PNGs: reading label maps (8-bit grey as in DAVIS 2016, where 255 is object 1; or palette/indexed as
 * in DAVIS 2017, where the palette index is the object id) and writing indexed PNGs with the DAVIS (Pascal VOC)
 * palette.
 */
public final class DavisMasks {

  private DavisMasks() {}

  /** A row-major label map: 0 background, 1..255 object ids. */
  public record LabelMap(int width, int height, int[] labels) {
    public LabelMap {
      Objects.requireNonNull(labels, "labels");
      if (width <= 0 || height <= 0 || (long) width * height != labels.length) {
        throw new IllegalArgumentException(labels.length + " labels is not " + width + "x" + height);
      }
    }

    /** The pixels labelled {@code objectId}. */
    public boolean[] mask(int objectId) {
      boolean[] m = new boolean[labels.length];
      for (int i = 0; i < labels.length; i++) {
        m[i] = labels[i] == objectId;
      }
      return m;
    }

    /** One mask per object id present (background 0 excluded), by ascending id. */
    public SortedMap<Integer, boolean[]> objectMasks() {
      SortedMap<Integer, boolean[]> out = new TreeMap<>();
      for (int i = 0; i < labels.length; i++) {
        int id = labels[i];
        if (id != 0) {
          out.computeIfAbsent(id, k -> new boolean[labels.length])[i] = true;
        }
      }
      return out;
    }
  }

  /** The 256-entry Pascal VOC / DAVIS palette as packed 0xRRGGBB: 0 black, 1 (128,0,0), 2 (0,128,0), ... */
  public static int[] paletteRgb() {
    int[] rgb = new int[256];
    for (int i = 0; i < 256; i++) {
      int c = i;
      int r = 0;
      int g = 0;
      int b = 0;
      for (int j = 0; j < 8; j++) {
        r |= (c & 1) << (7 - j);
        g |= ((c >> 1) & 1) << (7 - j);
        b |= ((c >> 2) & 1) << (7 - j);
        c >>= 3;
      }
      rgb[i] = (r << 16) | (g << 8) | b;
    }
    return rgb;
  }

  /** The DAVIS palette as an 8-bit colour model. */
  public static IndexColorModel palette() {
    int[] rgb = paletteRgb();
    byte[] r = new byte[256];
    byte[] g = new byte[256];
    byte[] b = new byte[256];
    for (int i = 0; i < 256; i++) {
      r[i] = (byte) (rgb[i] >> 16);
      g[i] = (byte) (rgb[i] >> 8);
      b[i] = (byte) rgb[i];
    }
    return new IndexColorModel(8, 256, r, g, b);
  }

  /** Reads a DAVIS annotation PNG into a label map. */
  public static LabelMap read(Path png) {
    BufferedImage image;
    try {
      image = ImageIO.read(png.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + png, e);
    }
    if (image == null) {
      throw new IllegalArgumentException("not a readable image: " + png);
    }
    return fromImage(image);
  }

  /**
   * Labels of an image: palette index for indexed images; the grey value for single-band images, with 255 read as
   * object 1 (DAVIS 2016); for colour images, the palette index of each pixel's colour (unknown colours fail).
   */
  public static LabelMap fromImage(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    int[] labels = new int[w * h];
    Raster raster = image.getRaster();
    if (image.getColorModel() instanceof IndexColorModel) {
      raster.getSamples(0, 0, w, h, 0, labels);
    } else if (raster.getNumBands() == 1 || raster.getNumBands() == 2) { // grey, or grey + alpha
      raster.getSamples(0, 0, w, h, 0, labels);
      int max = (1 << raster.getSampleModel().getSampleSize(0)) - 1;
      for (int i = 0; i < labels.length; i++) {
        if (labels[i] == max) {
          labels[i] = 1;
        }
      }
    } else {
      Map<Integer, Integer> byColour = new HashMap<>();
      int[] rgb = paletteRgb();
      for (int i = rgb.length - 1; i >= 0; i--) {
        byColour.put(rgb[i], i);
      }
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int c = image.getRGB(x, y) & 0xFFFFFF;
          Integer id = byColour.get(c);
          if (id == null) {
            throw new IllegalArgumentException(String.format("colour #%06X at (%d,%d) is not in the DAVIS palette", c,
                x, y));
          }
          labels[y * w + x] = id;
        }
      }
    }
    return new LabelMap(w, h, labels);
  }

  /** An 8-bit indexed image of {@code labels} (each 0..255) with the DAVIS palette. */
  public static BufferedImage toImage(LabelMap map) {
    BufferedImage image = new BufferedImage(map.width(), map.height(), BufferedImage.TYPE_BYTE_INDEXED, palette());
    WritableRaster raster = image.getRaster();
    int[] labels = map.labels();
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] > 255) {
        throw new IllegalArgumentException("label " + labels[i] + " at pixel " + i + " is outside 0..255");
      }
    }
    raster.setSamples(0, 0, map.width(), map.height(), 0, labels);
    return image;
  }

  /** Writes {@code map} as a DAVIS-format indexed PNG, creating parent folders. */
  public static void write(Path png, LabelMap map) {
    BufferedImage image = toImage(map);
    try {
      Path parent = png.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      if (!ImageIO.write(image, "png", png.toFile())) {
        throw new IllegalStateException("no PNG writer for an indexed image");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + png, e);
    }
  }

  /** Writes a label map given as a row-major array. */
  public static void write(Path png, int[] labels, int width, int height) {
    write(png, new LabelMap(width, height, labels));
  }
}
