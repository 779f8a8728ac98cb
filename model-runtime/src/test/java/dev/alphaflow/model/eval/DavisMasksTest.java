package dev.alphaflow.model.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.alphaflow.model.testing.SharedTestData;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DavisMasksTest {

  @Test
  void paletteIsPascalVoc() {
    int[] p = DavisMasks.paletteRgb();
    assertThat(p[0]).isEqualTo(0x000000);
    assertThat(p[1]).isEqualTo(0x800000);
    assertThat(p[2]).isEqualTo(0x008000);
    assertThat(p[3]).isEqualTo(0x808000);
    assertThat(p[4]).isEqualTo(0x000080);
    assertThat(p[5]).isEqualTo(0x800080);
    assertThat(p[6]).isEqualTo(0x008080);
    assertThat(p[7]).isEqualTo(0x808080);
    assertThat(p[8]).isEqualTo(0x400000);
    assertThat(p[255]).isEqualTo(0xE0E0C0);
  }

  @Test
  void readsDavis2016GreyAnnotation() {
    Path png = SharedTestData.sharedDir().resolve("data/davis2016/Annotations/480p/blackswan/00000.png");
    DavisMasks.LabelMap map = DavisMasks.read(png);
    assertThat(map.width()).isEqualTo(854);
    assertThat(map.height()).isEqualTo(480);
    var objects = map.objectMasks();
    assertThat(objects.keySet()).containsExactly(1);
    boolean[] swan = objects.get(1);
    int area = 0;
    for (boolean b : swan) {
      area += b ? 1 : 0;
    }
    assertThat(area).isGreaterThan(1000);
    assertThat(SegmentationMetrics.regionJ(swan, swan)).isEqualTo(1.0);
    assertThat(SegmentationMetrics.boundaryF(swan, swan, 854, 480)).isEqualTo(1.0);
  }

  @Test
  void paletteRoundTrip(@TempDir Path dir) throws Exception {
    int w = 37;
    int h = 23;
    int[] labels = new int[w * h];
    Random rnd = new Random(3);
    for (int i = 0; i < labels.length; i++) {
      labels[i] = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(256);
    }
    labels[0] = 255;
    Path png = dir.resolve("out/00000.png");
    DavisMasks.write(png, labels, w, h);

    BufferedImage raw = ImageIO.read(png.toFile());
    assertThat(raw.getColorModel()).isInstanceOf(IndexColorModel.class);
    assertThat(raw.getColorModel().getPixelSize()).isEqualTo(8);
    assertThat(raw.getRGB(1, 0) & 0xFFFFFF).isEqualTo(DavisMasks.paletteRgb()[labels[1]]);

    DavisMasks.LabelMap back = DavisMasks.read(png);
    assertThat(back.width()).isEqualTo(w);
    assertThat(back.height()).isEqualTo(h);
    assertThat(back.labels()).isEqualTo(labels);
  }

  @Test
  void readsRgbRenderingThroughPalette() {
    int[] labels = {0, 1, 2, 3, 4, 5};
    BufferedImage indexed = DavisMasks.toImage(new DavisMasks.LabelMap(3, 2, labels));
    BufferedImage rgb = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
    rgb.getGraphics().drawImage(indexed, 0, 0, null);
    assertThat(DavisMasks.fromImage(rgb).labels()).containsExactly(labels);
    var objects = DavisMasks.fromImage(indexed).objectMasks();
    assertThat(objects.keySet()).containsExactly(1, 2, 3, 4, 5);
    assertThat(objects.get(2)).containsExactly(false, false, true, false, false, false);
  }
}
