package dev.alphaflow.model.flow;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_GRAYSCALE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.testing.SharedTestData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * EPE of each DIS preset on every pair of {@code ../shared/data/flow} (see its MANIFEST), and DIS's time per pair
 * at 854x480 (a Sintel pair resized; median of 15 after 3 warm-ups, one thread as in a Flink task). Prints the
 * {@code flow.*} rows of BENCHMARKS.md. Run (after {@code mvn -o -q -pl model-runtime -am test-compile} and
 * {@code mvn -o -q -pl model-runtime dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt
 * -Dmdep.includeScope=test}):
 *
 * <pre>
 * java -cp model-runtime/target/test-classes:model-runtime/target/classes:$(cat model-runtime/target/test-classpath.txt) \
 *   dev.alphaflow.model.flow.FlowBenchmark
 * </pre>
 */
public final class FlowBenchmark {

  private FlowBenchmark() {}

  /** One pair: frames A and B, ground truth A → B, and Sintel's invalid mask (or null). */
  record Pair(String dataset, String sequence, Path a, Path b, Path gt, Path invalid) {}

  /** EPE over pixels with known ground truth, and (Sintel) also excluding its invalid mask (the benchmark's EPE). */
  record Epe(double valid, double validAndMasked) {}

  static List<Pair> pairs() {
    Path root = SharedTestData.data("flow");
    List<Pair> pairs = new ArrayList<>();
    pairs.add(new Pair("middlebury", "Hydrangea", root.resolve("middlebury/Hydrangea/frame10.png"),
        root.resolve("middlebury/Hydrangea/frame11.png"), root.resolve("middlebury/Hydrangea/flow10.flo"), null));
    pairs.add(new Pair("middlebury", "Urban3", root.resolve("middlebury/Urban3/frame10.png"),
        root.resolve("middlebury/Urban3/frame11.png"), root.resolve("middlebury/Urban3/flow10.flo"), null));
    pairs.add(new Pair("middlebury", "RubberWhale", root.resolve("middlebury/RubberWhale/frame10.png"),
        root.resolve("middlebury/RubberWhale/frame11.png"), root.resolve("middlebury/RubberWhale/flow_gt.flo"),
        null));
    for (String pass : List.of("clean", "final")) {
      for (String seq : List.of("alley_1", "cave_2")) {
        Path s = root.resolve("sintel").resolve(seq);
        pairs.add(new Pair("sintel_" + pass, seq, s.resolve(pass + "/frame_0002.png"),
            s.resolve(pass + "/frame_0003.png"), s.resolve("gt/frame_0002.flo"),
            s.resolve("gt/invalid/frame_0002.png")));
      }
    }
    for (String n : List.of("0000000", "0000001")) {
      Path f = root.resolve("flyingchairs/FlyingChairs_examples");
      pairs.add(new Pair("flyingchairs", n, f.resolve(n + "-img0.ppm"), f.resolve(n + "-img1.ppm"),
          f.resolve(n + "-gt.flo"), null));
    }
    return pairs;
  }

  static Epe epe(FlowField flow, FlowField gt, boolean[] invalid) {
    double sum = 0;
    double sumMasked = 0;
    long count = 0;
    long countMasked = 0;
    for (int y = 0; y < gt.height(); y++) {
      for (int x = 0; x < gt.width(); x++) {
        float u = gt.dx(x, y);
        float v = gt.dy(x, y);
        if (!(Math.abs(u) <= 1e9f && Math.abs(v) <= 1e9f)) {
          continue; // unknown in the ground truth
        }
        double e = Math.hypot(flow.dx(x, y) - u, flow.dy(x, y) - v);
        sum += e;
        count++;
        if (invalid == null || !invalid[y * gt.width() + x]) {
          sumMasked += e;
          countMasked++;
        }
      }
    }
    return new Epe(sum / count, sumMasked / countMasked);
  }

  /** A Middlebury .flo file: tag 202021.25, int32 width, height, then interleaved float32 (u, v), little-endian. */
  static FlowField readFlo(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    float tag = b.getFloat();
    if (tag != 202021.25f) {
      throw new IOException(file + " is not a .flo file (tag " + tag + ")");
    }
    int w = b.getInt();
    int h = b.getInt();
    int n = w * h;
    float[] planar = new float[2 * n];
    for (int i = 0; i < n; i++) {
      planar[i] = b.getFloat();
      planar[n + i] = b.getFloat();
    }
    return new FlowField(w, h, planar);
  }

  static RgbImage readRgb(Path file) throws IOException {
    try (Mat bgr = imread(file.toString(), IMREAD_COLOR); Mat rgb = new Mat()) {
      if (bgr.empty()) {
        throw new IOException("cannot read " + file);
      }
      cvtColor(bgr, rgb, COLOR_BGR2RGB);
      byte[] bytes = new byte[rgb.cols() * rgb.rows() * 3];
      rgb.data().get(bytes);
      return new RgbImage(rgb.cols(), rgb.rows(), bytes);
    }
  }

  static boolean[] readMask(Path file) throws IOException {
    if (file == null) {
      return null;
    }
    try (Mat gray = imread(file.toString(), IMREAD_GRAYSCALE)) {
      if (gray.empty()) {
        throw new IOException("cannot read " + file);
      }
      byte[] bytes = new byte[gray.cols() * gray.rows()];
      gray.data().get(bytes);
      boolean[] mask = new boolean[bytes.length];
      for (int i = 0; i < bytes.length; i++) {
        mask[i] = bytes[i] != 0;
      }
      return mask;
    }
  }

  public static void main(String[] args) throws IOException {
    org.bytedeco.opencv.global.opencv_core.setNumThreads(1);
    List<Pair> pairs = pairs();
    System.out.println("| metric | " + String.join(" | ", names()) + " |");
    java.util.Map<String, double[]> sums = new java.util.LinkedHashMap<>(); // per dataset: one sum per preset, count
    int presets = DisPreset.values().length;
    for (Pair p : pairs) {
      RgbImage a = readRgb(p.a());
      RgbImage b = readRgb(p.b());
      FlowField gt = readFlo(p.gt());
      boolean[] invalid = readMask(p.invalid());
      StringBuilder row = new StringBuilder("| flow." + p.dataset() + "." + p.sequence() + ".epe |");
      StringBuilder all = new StringBuilder("| flow." + p.dataset() + "." + p.sequence() + ".epe_with_invalid |");
      double[] sum = sums.computeIfAbsent(p.dataset(), d -> new double[presets + 1]);
      for (DisPreset preset : DisPreset.values()) {
        try (DisFlowEstimator dis = new DisFlowEstimator(preset)) {
          Epe e = epe(dis.estimate(a, b), gt, invalid);
          row.append(String.format(Locale.ROOT, " %.3f |", e.validAndMasked()));
          all.append(String.format(Locale.ROOT, " %.3f |", e.valid()));
          sum[preset.ordinal()] += e.validAndMasked();
        }
      }
      sum[presets]++;
      System.out.println(row);
      if (invalid != null) {
        System.out.println(all);
      }
    }
    for (java.util.Map.Entry<String, double[]> d : sums.entrySet()) {
      StringBuilder row = new StringBuilder("| flow." + d.getKey() + ".epe |");
      for (int i = 0; i < presets; i++) {
        row.append(String.format(Locale.ROOT, " %.3f |", d.getValue()[i] / d.getValue()[presets]));
      }
      System.out.println(row);
    }
    RgbImage a = resize(readRgb(pairs.get(3).a()), 854, 480);
    RgbImage b = resize(readRgb(pairs.get(3).b()), 854, 480);
    StringBuilder ms = new StringBuilder("| flow.ms_per_frame.854x480 |");
    for (DisPreset preset : DisPreset.values()) {
      try (DisFlowEstimator dis = new DisFlowEstimator(preset)) {
        double[] t = new double[15];
        for (int i = -3; i < t.length; i++) {
          long start = System.nanoTime();
          dis.estimate(a, b);
          if (i >= 0) {
            t[i] = (System.nanoTime() - start) / 1e6;
          }
        }
        Arrays.sort(t);
        ms.append(String.format(Locale.ROOT, " %.1f |", t[t.length / 2]));
      }
    }
    System.out.println(ms);
  }

  private static List<String> names() {
    return Arrays.stream(DisPreset.values()).map(Enum::name).toList();
  }

  private static RgbImage resize(RgbImage image, int w, int h) {
    try (Mat src = new Mat(image.height(), image.width(), org.bytedeco.opencv.global.opencv_core.CV_8UC3);
         Mat dst = new Mat()) {
      src.data().put(image.rgb());
      org.bytedeco.opencv.global.opencv_imgproc.resize(src, dst, new org.bytedeco.opencv.opencv_core.Size(w, h));
      byte[] bytes = new byte[w * h * 3];
      dst.data().get(bytes);
      return new RgbImage(w, h, bytes);
    }
  }
}
