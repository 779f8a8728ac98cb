package dev.alphaflow.model.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.alphaflow.model.image.ImageDecodeException.Kind;
import dev.alphaflow.model.testing.SharedTestData;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageCodecTest {

  @Test
  void rgbPngRoundTripsExactly() {
    RgbImage image = gradient(37, 23);
    RgbImage decoded = ImageCodec.decode(ImageCodec.encodeRgbPng(image));
    assertThat(decoded).isEqualTo(image);
  }

  @Test
  void jpegRoundTripIsClose() {
    RgbImage image = gradient(64, 48);
    byte[] jpeg = ImageCodec.encodeJpeg(image, 0.95f);
    RgbImage decoded = ImageCodec.decode(jpeg);
    assertThat(decoded.width()).isEqualTo(64);
    assertThat(decoded.height()).isEqualTo(48);
    double meanDiff = 0;
    for (int i = 0; i < image.rgb().length; i++) {
      meanDiff += Math.abs((image.rgb()[i] & 0xff) - (decoded.rgb()[i] & 0xff));
    }
    assertThat(meanDiff / image.rgb().length).isLessThan(3);
    assertThat(ImageCodec.probe(jpeg)).isEqualTo(new Dimensions(64, 48));
  }

  @Test
  void decodesRealJpegAndMatchesTheGoldenPngDecode() throws IOException {
    byte[] jpeg = Files.readAllBytes(SharedTestData.data("opencv-samples/messi5.jpg"));
    RgbImage fromJpeg = ImageCodec.decode(jpeg);
    // The golden PNG was made by decoding this JPEG with ImageIO, so our path must reproduce it exactly.
    RgbImage fromPng = ImageCodec.decode(Files.readAllBytes(SharedTestData.data("rvm-golden/messi5_decoded.png")));
    assertThat(fromJpeg).isEqualTo(fromPng);
    assertThat(ImageCodec.probe(jpeg)).isEqualTo(new Dimensions(548, 342));
  }

  @Test
  void truncatedJpegIsReportedAsTruncated() throws IOException {
    byte[] jpeg = Files.readAllBytes(SharedTestData.data("opencv-samples/messi5.jpg"));
    for (double keep : new double[] {0.9, 0.5, 0.1}) {
      byte[] cut = Arrays.copyOf(jpeg, (int) (jpeg.length * keep));
      assertThatThrownBy(() -> ImageCodec.decode(cut))
          .isInstanceOf(ImageDecodeException.class)
          .satisfies(e -> assertThat(((ImageDecodeException) e).kind()).isEqualTo(Kind.TRUNCATED));
    }
  }

  @Test
  void smallJpegCutAnywhereIsTruncatedForProbeAndDecode() {
    // A small JPEG is mostly tables: cuts land inside DQT/DHT, where readers fail with format errors.
    byte[] jpeg = ImageCodec.encodeJpeg(gradient(64, 48), 0.8f);
    for (int keep = 4; keep < jpeg.length - 2; keep += 37) {
      byte[] cut = Arrays.copyOf(jpeg, keep);
      String what = keep + " of " + jpeg.length + " bytes";
      try {
        ImageCodec.probe(cut); // may succeed once the SOF segment is complete
      } catch (ImageDecodeException e) {
        assertThat(e.kind()).as("probe of %s: %s", what, e.getMessage()).isEqualTo(Kind.TRUNCATED);
      }
      assertThatThrownBy(() -> ImageCodec.decode(cut))
          .as("decode of %s", what)
          .isInstanceOf(ImageDecodeException.class)
          .satisfies(e -> assertThat(((ImageDecodeException) e).kind()).isEqualTo(Kind.TRUNCATED));
    }
  }

  @Test
  void truncatedPngIsReportedAsTruncated() {
    byte[] png = ImageCodec.encodeRgbPng(gradient(64, 64));
    byte[] cut = Arrays.copyOf(png, png.length / 2);
    assertThatThrownBy(() -> ImageCodec.decode(cut))
        .isInstanceOf(ImageDecodeException.class)
        .satisfies(e -> assertThat(((ImageDecodeException) e).kind()).isEqualTo(Kind.TRUNCATED));
  }

  @Test
  void garbageIsReportedAsCorrupt() {
    byte[] garbage = new byte[1000];
    new Random(1).nextBytes(garbage);
    garbage[0] = 0x12;
    assertCorrupt(garbage, "not a JPEG or PNG");
    assertCorrupt(new byte[0], "empty");
    assertCorrupt("<html>not an image</html>".getBytes(StandardCharsets.US_ASCII), "not a JPEG or PNG");

    // JPEG markers at both ends, noise in between.
    byte[] fakeJpeg = garbage.clone();
    fakeJpeg[0] = (byte) 0xff;
    fakeJpeg[1] = (byte) 0xd8;
    fakeJpeg[2] = (byte) 0xff;
    fakeJpeg[3] = (byte) 0x01;
    fakeJpeg[fakeJpeg.length - 2] = (byte) 0xff;
    fakeJpeg[fakeJpeg.length - 1] = (byte) 0xd9;
    assertCorrupt(fakeJpeg, "JPEG");

    // A PNG whose pixel data was overwritten.
    byte[] png = ImageCodec.encodeRgbPng(gradient(32, 32));
    for (int i = 60; i < png.length - 20; i++) {
      png[i] = (byte) (i * 31);
    }
    assertCorrupt(png, "PNG");
  }

  @Test
  void pngWithAWrongChunkCrcIsCorruptThoughImageIoDecodesIt() throws IOException {
    byte[] png = ImageCodec.encodeRgbPng(gradient(32, 32));
    int idat = chunkOffset(png, "IDAT");
    int length = ByteBuffer.wrap(png, idat, 4).getInt();
    byte[] badCrc = png.clone();
    badCrc[idat + 8 + length] ^= 0x01; // one bit of the stored CRC; the pixel data is intact
    byte[] badData = png.clone();
    badData[idat + 8 + length / 2] ^= 0x01; // one bit of the compressed pixel data, CRC left as it was

    // What the DLQ corpus found: ImageIO alone ignores CRCs and decodes such a file.
    assertThat(ImageIO.read(new ByteArrayInputStream(badCrc))).isNotNull();

    for (byte[] damaged : new byte[][] {badCrc, badData}) {
      assertThatThrownBy(() -> ImageCodec.decode(damaged))
          .isInstanceOf(ImageDecodeException.class)
          .hasMessageContaining("PNG chunk IDAT at byte " + idat + " is damaged: its CRC is")
          .satisfies(e -> assertThat(((ImageDecodeException) e).kind()).isEqualTo(Kind.CORRUPT));
    }
    assertThat(ImageCodec.decode(png)).isEqualTo(gradient(32, 32));
  }

  @Test
  void pngChunkLongerThanTheDataIsTruncated() {
    byte[] png = ImageCodec.encodeRgbPng(gradient(32, 32));
    int idat = chunkOffset(png, "IDAT");
    byte[] longer = png.clone();
    ByteBuffer.wrap(longer, idat, 4).putInt(png.length); // claims more bytes than the whole file
    assertThatThrownBy(() -> ImageCodec.decode(longer))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("PNG chunk IDAT at byte " + idat + " declares " + png.length + " data bytes")
        .satisfies(e -> assertThat(((ImageDecodeException) e).kind()).isEqualTo(Kind.TRUNCATED));
  }

  /** Offset of the first chunk of {@code type} (its length field), walking the chunks from the signature. */
  private static int chunkOffset(byte[] png, String type) {
    int at = 8;
    while (at + 8 <= png.length) {
      if (new String(png, at + 4, 4, StandardCharsets.US_ASCII).equals(type)) {
        return at;
      }
      at += 12 + ByteBuffer.wrap(png, at, 4).getInt();
    }
    throw new AssertionError("no " + type + " chunk");
  }

  private static void assertCorrupt(byte[] data, String messagePart) {
    assertThatThrownBy(() -> ImageCodec.decode(data))
        .isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining(messagePart)
        .satisfies(e -> assertThat(((ImageDecodeException) e).kind()).isEqualTo(Kind.CORRUPT));
  }

  @Test
  void probeReadsAHugePngHeaderWithoutDecoding() {
    byte[] png = pngHeaderOnly(60000, 60000);
    // A full decode of 3.6 gigapixels would run out of memory; the guard only catches that.
    Dimensions dims = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> ImageCodec.probe(png));
    assertThat(dims).isEqualTo(new Dimensions(60000, 60000));
    assertThat(dims.pixelCount()).isEqualTo(3_600_000_000L);
  }

  @Test
  void probeReadsAHugeJpegHeaderWithoutDecoding() {
    byte[] jpeg = ImageCodec.encodeJpeg(gradient(16, 16), 0.8f);
    patchJpegSize(jpeg, 60000, 60000);
    Dimensions dims = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> ImageCodec.probe(jpeg));
    assertThat(dims).isEqualTo(new Dimensions(60000, 60000));
  }

  @Test
  void probeOfGarbageFails() {
    assertThatThrownBy(() -> ImageCodec.probe(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}))
        .isInstanceOf(ImageDecodeException.class);
    byte[] header = Arrays.copyOf(pngHeaderOnly(10, 10), 20);
    assertThatThrownBy(() -> ImageCodec.probe(header))
        .isInstanceOf(ImageDecodeException.class)
        .satisfies(e -> assertThat(((ImageDecodeException) e).kind()).isEqualTo(Kind.TRUNCATED));
  }

  @Test
  void grayPngRoundTripsExactly() throws IOException {
    int w = 131;
    int h = 77;
    byte[] gray = softMatte(w, h);
    byte[] png = ImageCodec.encodeGray8Png(gray, w, h);

    assertThat(ImageCodec.decodeGray8Png(png)).isEqualTo(gray);
    // Independent check with plain ImageIO: an 8-bit greyscale PNG.
    BufferedImage read = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(read.getType()).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
    assertThat(read.getRaster().getSample(5, 7, 0)).isEqualTo(gray[7 * w + 5] & 0xff);
    assertThat(ImageCodec.probe(png)).isEqualTo(new Dimensions(w, h));
    // Greyscale decodes to RGB with equal channels.
    RgbImage rgb = ImageCodec.decode(png);
    assertThat(rgb.rgbAt(5, 7)).isEqualTo((gray[7 * w + 5] & 0xff) * 0x010101);
  }

  @Test
  void grayPngOfEdgeSizesAndValues() {
    for (int[] size : new int[][] {{1, 1}, {1, 300}, {300, 1}, {1000, 3}}) {
      byte[] gray = new byte[size[0] * size[1]];
      new Random(size[0]).nextBytes(gray);
      assertThat(ImageCodec.decodeGray8Png(ImageCodec.encodeGray8Png(gray, size[0], size[1]))).isEqualTo(gray);
    }
    assertThatThrownBy(() -> ImageCodec.encodeGray8Png(new byte[5], 2, 2)).hasMessageContaining("needs 4 bytes");
  }

  @Test
  void decodesDavisMaskAsGray() throws IOException {
    byte[] png = Files.readAllBytes(SharedTestData.data("davis2016/Annotations/480p/blackswan/00000.png"));
    byte[] gray = ImageCodec.decodeGray8Png(png);
    assertThat(gray).hasSize(854 * 480);
    int on = 0;
    for (byte b : gray) {
      assertThat(b & 0xff).isIn(0, 255);
      on += b != 0 ? 1 : 0;
    }
    assertThat(on).isPositive();
  }

  @Test
  void convertsOtherImageTypesToRgb() {
    BufferedImage argb = new BufferedImage(3, 2, BufferedImage.TYPE_INT_ARGB);
    argb.setRGB(1, 1, 0x80123456);
    RgbImage rgb = ImageCodec.toRgbImage(argb);
    assertThat(rgb.rgbAt(1, 1)).isEqualTo(0x123456);
    assertThat(ImageCodec.toRgbImage(ImageCodec.toBufferedImage(rgb))).isEqualTo(rgb);

    BufferedImage gray = ImageCodec.grayToBufferedImage(new byte[] {0, 10, (byte) 200, (byte) 255}, 2, 2);
    assertThat(ImageCodec.toRgbImage(gray).rgbAt(0, 1)).isEqualTo(200 * 0x010101);
  }

  @Test
  void rgbImageChecksItsBuffer() {
    assertThatThrownBy(() -> new RgbImage(2, 2, new byte[11])).hasMessageContaining("needs 12 bytes");
    assertThatThrownBy(() -> new RgbImage(0, 2, new byte[0])).hasMessageContaining("positive");
  }

  /**
   * The grey PNG encoder is a hand-written, filter-"Up", fastest-deflate writer (about 3x faster than
   * ImageIO's here; timings belong in BENCHMARKS.md, not in a unit test). What must hold: valid PNG,
   * exact pixels, and output no larger than ImageIO's.
   */
  @Test
  void grayPngEncoderIsExactAndCompact() throws IOException {
    int w = 854;
    int h = 480;
    byte[] matte = softMatte(w, h);
    byte[] ours = ImageCodec.encodeGray8Png(matte, w, h);
    ByteArrayOutputStream imageIo = new ByteArrayOutputStream();
    ImageIO.write(ImageCodec.grayToBufferedImage(matte, w, h), "png", imageIo);
    assertThat(ImageCodec.decodeGray8Png(ours)).isEqualTo(matte);
    assertThat(ours.length).isLessThanOrEqualTo(imageIo.size());
  }

  /** A matte-like image: a soft-edged ellipse (0 outside, 255 inside, ramps at the edge). */
  static byte[] softMatte(int w, int h) {
    byte[] gray = new byte[w * h];
    double cx = w / 2.0;
    double cy = h / 2.0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double d = Math.hypot((x - cx) / (w * 0.3), (y - cy) / (h * 0.4));
        double a = Math.min(1, Math.max(0, (1.05 - d) * 10));
        gray[y * w + x] = (byte) Math.round(a * 255);
      }
    }
    return gray;
  }

  static RgbImage gradient(int w, int h) {
    byte[] rgb = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = (y * w + x) * 3;
        rgb[i] = (byte) (x * 255 / Math.max(1, w - 1));
        rgb[i + 1] = (byte) (y * 255 / Math.max(1, h - 1));
        rgb[i + 2] = (byte) ((x + y) * 3);
      }
    }
    return new RgbImage(w, h, rgb);
  }

  /** PNG signature + IHDR (8-bit RGB) with a correct CRC, and nothing else. */
  static byte[] pngHeaderOnly(int width, int height) {
    ByteBuffer ihdr = ByteBuffer.allocate(17);
    ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(width).putInt(height)
        .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
    CRC32 crc = new CRC32();
    crc.update(ihdr.array());
    ByteBuffer png = ByteBuffer.allocate(8 + 4 + 17 + 4);
    png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})
        .putInt(13).put(ihdr.array()).putInt((int) crc.getValue());
    return png.array();
  }

  /** Rewrites the frame size in a JPEG's SOF0/SOF2 segment. */
  static void patchJpegSize(byte[] jpeg, int width, int height) {
    int i = 2;
    while (i + 9 < jpeg.length) {
      if ((jpeg[i] & 0xff) != 0xff) {
        throw new IllegalArgumentException("not at a JPEG marker: offset " + i);
      }
      int marker = jpeg[i + 1] & 0xff;
      int length = ((jpeg[i + 2] & 0xff) << 8) | (jpeg[i + 3] & 0xff);
      if (marker == 0xc0 || marker == 0xc2) {
        jpeg[i + 5] = (byte) (height >>> 8);
        jpeg[i + 6] = (byte) height;
        jpeg[i + 7] = (byte) (width >>> 8);
        jpeg[i + 8] = (byte) width;
        return;
      }
      i += 2 + length;
    }
    throw new IllegalArgumentException("no SOF0/SOF2 segment");
  }
}
