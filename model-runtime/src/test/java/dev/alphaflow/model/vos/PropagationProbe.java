package dev.alphaflow.model.vos;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.alphaflow.model.eval.DavisMasks;
import dev.alphaflow.model.eval.SegmentationMetrics;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.testing.SharedTestData;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Exploration probe (not a test): training-free label propagation variants on cached MobileNetV2 keys. */
public final class PropagationProbe {

  static final class Seq {
    String name;
    int w, h, gw, gh, dim;
    List<float[]> keys = new ArrayList<>(); // [gh*gw*dim]
    List<boolean[]> truth = new ArrayList<>();
    List<float[]> truthGrid = new ArrayList<>();
    List<RgbImage> images = new ArrayList<>();
  }

  public static void main(String[] args) throws Exception {
    float s16w = Float.parseFloat(System.getProperty("s16w", "1"));
    double scale = Double.parseDouble(System.getProperty("scale", "1"));
    List<Seq> seqs = new ArrayList<>();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions so = new OrtSession.SessionOptions();
    so.setIntraOpNumThreads(2);
    try (OrtSession session = env.createSession(
        SharedTestData.modelDir().resolve("mobilenetv2/mobilenetv2_int8_features.onnx").toString(), so)) {
      for (String name : System.getProperty("seqs", "blackswan,dance-twirl").split(",")) {
        seqs.add(load(env, session, name, s16w, scale));
      }
    }
    String[] configs = System.getProperty("configs", "k=10,r=12,n=7,tau=0.05").split(";");
    for (String c : configs) {
      Map<String, Float> p = parse(c);
      StringBuilder row = new StringBuilder(String.format("| %s |", c));
      double sum = 0;
      for (Seq s : seqs) {
        double[] jf = run(s, p);
        row.append(String.format(" %s J %.3f F %.3f JF %.3f |", s.name, jf[0], jf[1], (jf[0] + jf[1]) / 2));
        sum += (jf[0] + jf[1]) / 2;
      }
      row.append(String.format(" mean %.3f |", sum / seqs.size()));
      System.out.println(row);
    }
  }

  static Map<String, Float> parse(String c) {
    Map<String, Float> m = new java.util.HashMap<>();
    for (String kv : c.split(",")) {
      String[] a = kv.split("=");
      m.put(a[0].trim(), Float.parseFloat(a[1]));
    }
    return m;
  }

  static Seq load(OrtEnvironment env, OrtSession session, String name, float s16w, double scale) throws Exception {
    Seq s = new Seq();
    s.name = name;
    Path jpegs = SharedTestData.data("davis2016/JPEGImages/480p/" + name);
    Path masks = SharedTestData.data("davis2016/Annotations/480p/" + name);
    List<Path> files;
    try (var f = Files.list(jpegs)) {
      files = f.filter(x -> x.toString().endsWith(".jpg")).sorted().toList();
    }
    float[] mean = {0.485f, 0.456f, 0.406f};
    float[] std = {0.229f, 0.224f, 0.225f};
    for (Path file : files) {
      RgbImage img = ImageCodec.decode(Files.readAllBytes(file));
      s.images.add(img);
      s.w = img.width();
      s.h = img.height();
      int iw = (int) Math.round(img.width() * scale);
      int ih = (int) Math.round(img.height() * scale);
      float[] input = new float[3 * iw * ih];
      byte[] rgb = img.rgb();
      for (int y = 0; y < ih; y++) {
        int sy = Math.min(img.height() - 1, (int) ((y + 0.5) / scale));
        for (int x = 0; x < iw; x++) {
          int sx = Math.min(img.width() - 1, (int) ((x + 0.5) / scale));
          for (int c = 0; c < 3; c++) {
            input[c * iw * ih + y * iw + x] = ((rgb[(sy * img.width() + sx) * 3 + c] & 0xff) / 255f - mean[c]) / std[c];
          }
        }
      }
      try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[] {1, 3, ih, iw});
          OrtSession.Result r = session.run(Map.of("input", t), java.util.Set.of("feat_s8", "feat_s16"))) {
        OnnxTensor f8 = (OnnxTensor) r.get("feat_s8").get();
        OnnxTensor f16 = (OnnxTensor) r.get("feat_s16").get();
        long[] sh8 = f8.getInfo().getShape();
        long[] sh16 = f16.getInfo().getShape();
        int c8 = (int) sh8[1], gh = (int) sh8[2], gw = (int) sh8[3];
        int c16 = (int) sh16[1], h16 = (int) sh16[2], w16 = (int) sh16[3];
        float[] a = new float[c8 * gh * gw];
        f8.getFloatBuffer().get(a);
        float[] b = new float[c16 * h16 * w16];
        f16.getFloatBuffer().get(b);
        s.gw = gw;
        s.gh = gh;
        int dim = c8 + (s16w > 0 ? c16 : 0);
        s.dim = dim;
        float[] keys = new float[gh * gw * dim];
        for (int y = 0; y < gh; y++) {
          for (int x = 0; x < gw; x++) {
            int o = (y * gw + x) * dim;
            double n8 = 0;
            for (int c = 0; c < c8; c++) {
              float v = a[c * gh * gw + y * gw + x];
              keys[o + c] = v;
              n8 += v * v;
            }
            n8 = Math.sqrt(n8) + 1e-6;
            for (int c = 0; c < c8; c++) {
              keys[o + c] /= n8;
            }
            if (s16w > 0) {
              float fy = Math.max(0, Math.min(h16 - 1, (y + 0.5f) / 2 - 0.5f));
              float fx = Math.max(0, Math.min(w16 - 1, (x + 0.5f) / 2 - 0.5f));
              int y0 = (int) fy, x0 = (int) fx;
              int y1 = Math.min(h16 - 1, y0 + 1), x1 = Math.min(w16 - 1, x0 + 1);
              float wy = fy - y0, wx = fx - x0;
              double n16 = 0;
              for (int c = 0; c < c16; c++) {
                int base = c * h16 * w16;
                float v = (1 - wy) * ((1 - wx) * b[base + y0 * w16 + x0] + wx * b[base + y0 * w16 + x1])
                    + wy * ((1 - wx) * b[base + y1 * w16 + x0] + wx * b[base + y1 * w16 + x1]);
                keys[o + c8 + c] = v;
                n16 += v * v;
              }
              n16 = Math.sqrt(n16) + 1e-6;
              for (int c = 0; c < c16; c++) {
                keys[o + c8 + c] = (float) (keys[o + c8 + c] / n16 * s16w);
              }
            }
            double n = 0;
            for (int c = 0; c < dim; c++) {
              n += keys[o + c] * keys[o + c];
            }
            n = Math.sqrt(n) + 1e-6;
            for (int c = 0; c < dim; c++) {
              keys[o + c] /= n;
            }
          }
        }
        s.keys.add(keys);
      }
    }
    List<Path> pngs;
    try (var f = Files.list(masks)) {
      pngs = f.filter(x -> x.toString().endsWith(".png")).sorted().toList();
    }
    for (Path png : pngs) {
      DavisMasks.LabelMap lm = DavisMasks.read(png);
      boolean[] m = lm.mask(1);
      s.truth.add(m);
      s.truthGrid.add(toGrid(m, s));
    }
    return s;
  }

  static float[] toGrid(boolean[] m, Seq s) {
    float[] g = new float[s.gh * s.gw];
    float sx = (float) s.w / s.gw, sy = (float) s.h / s.gh;
    for (int y = 0; y < s.gh; y++) {
      for (int x = 0; x < s.gw; x++) {
        int x0 = (int) (x * sx), x1 = Math.min(s.w, (int) ((x + 1) * sx));
        int y0 = (int) (y * sy), y1 = Math.min(s.h, (int) ((y + 1) * sy));
        int on = 0, all = 0;
        for (int yy = y0; yy < y1; yy++) {
          for (int xx = x0; xx < x1; xx++) {
            all++;
            if (m[yy * s.w + xx]) {
              on++;
            }
          }
        }
        g[y * s.gw + x] = all == 0 ? 0 : (float) on / all;
      }
    }
    return g;
  }

  /** Returns mean J, mean F over frames 1..n-2. */
  static double[] run(Seq s, Map<String, Float> p) {
    int k = p.getOrDefault("k", 10f).intValue();
    int r = p.getOrDefault("r", 12f).intValue();
    int rref = p.getOrDefault("rref", (float) r).intValue();
    int n = p.getOrDefault("n", 7f).intValue();
    float tau = p.getOrDefault("tau", 0.05f);
    float prior = p.getOrDefault("prior", 0f); // sigma (cells) of a spatial prior around the previous mask; 0 = off
    float hard = p.getOrDefault("hard", 0f); // 1: binarize propagated labels before storing
    int frames = s.keys.size();
    List<float[]> labels = new ArrayList<>();
    labels.add(s.truthGrid.get(0));
    double sumJ = 0, sumF = 0;
    int scored = 0;
    int G = s.gw * s.gh;
    for (int t = 1; t < frames; t++) {
      List<Integer> ctx = new ArrayList<>();
      ctx.add(0);
      for (int u = Math.max(1, t - n); u < t; u++) {
        ctx.add(u);
      }
      float[] q = s.keys.get(t);
      float[] out = new float[G];
      float[] topS = new float[k];
      float[] topL = new float[k];
      for (int y = 0; y < s.gh; y++) {
        for (int x = 0; x < s.gw; x++) {
          int qi = (y * s.gw + x) * s.dim;
          int filled = 0;
          Arrays.fill(topS, -9);
          for (int u : ctx) {
            float[] kk = s.keys.get(u);
            float[] ll = labels.get(u);
            int rad = u == 0 ? rref : r;
            for (int yy = Math.max(0, y - rad); yy <= Math.min(s.gh - 1, y + rad); yy++) {
              for (int xx = Math.max(0, x - rad); xx <= Math.min(s.gw - 1, x + rad); xx++) {
                int ki = (yy * s.gw + xx) * s.dim;
                float d = 0;
                for (int c = 0; c < s.dim; c++) {
                  d += q[qi + c] * kk[ki + c];
                }
                // insert into top-k (min at the end)
                if (d > topS[k - 1]) {
                  int pos = k - 1;
                  while (pos > 0 && topS[pos - 1] < d) {
                    topS[pos] = topS[pos - 1];
                    topL[pos] = topL[pos - 1];
                    pos--;
                  }
                  topS[pos] = d;
                  topL[pos] = ll[yy * s.gw + xx];
                }
              }
            }
          }
          double z = 0, v = 0;
          for (int j = 0; j < k; j++) {
            if (topS[j] < -8) {
              continue;
            }
            double e = Math.exp((topS[j] - topS[0]) / tau);
            z += e;
            v += e * topL[j];
          }
          out[y * s.gw + x] = (float) (v / z);
        }
      }
      if (prior > 0) {
        float[] prev = labels.get(t - 1);
        float[] dist = distanceToMask(prev, s.gw, s.gh);
        for (int i = 0; i < G; i++) {
          out[i] *= (float) Math.exp(-dist[i] * dist[i] / (2 * prior * prior));
        }
      }
      float[] stored = out.clone();
      if (hard > 0) {
        for (int i = 0; i < G; i++) {
          stored[i] = out[i] > 0.5f ? 1f : 0f;
        }
      }
      labels.add(stored);
      if (t < frames - 1) {
        boolean[] pred = upsample(out, s);
        sumJ += SegmentationMetrics.regionJ(pred, s.truth.get(t));
        sumF += SegmentationMetrics.boundaryF(pred, s.truth.get(t), s.w, s.h);
        scored++;
      }
    }
    return new double[] {sumJ / scored, sumF / scored};
  }

  static float[] distanceToMask(float[] m, int gw, int gh) {
    float[] d = new float[gw * gh];
    float inf = 1e9f;
    for (int i = 0; i < d.length; i++) {
      d[i] = m[i] > 0.5f ? 0 : inf;
    }
    // two-pass chamfer (city block approx, good enough for a prior)
    for (int y = 0; y < gh; y++) {
      for (int x = 0; x < gw; x++) {
        int i = y * gw + x;
        if (x > 0) d[i] = Math.min(d[i], d[i - 1] + 1);
        if (y > 0) d[i] = Math.min(d[i], d[i - gw] + 1);
      }
    }
    for (int y = gh - 1; y >= 0; y--) {
      for (int x = gw - 1; x >= 0; x--) {
        int i = y * gw + x;
        if (x < gw - 1) d[i] = Math.min(d[i], d[i + 1] + 1);
        if (y < gh - 1) d[i] = Math.min(d[i], d[i + gw] + 1);
      }
    }
    return d;
  }

  static boolean[] upsample(float[] g, Seq s) {
    boolean[] out = new boolean[s.w * s.h];
    float sx = (float) s.gw / s.w, sy = (float) s.gh / s.h;
    for (int y = 0; y < s.h; y++) {
      float fy = Math.max(0, Math.min(s.gh - 1, (y + 0.5f) * sy - 0.5f));
      int y0 = (int) fy, y1 = Math.min(s.gh - 1, y0 + 1);
      float wy = fy - y0;
      for (int x = 0; x < s.w; x++) {
        float fx = Math.max(0, Math.min(s.gw - 1, (x + 0.5f) * sx - 0.5f));
        int x0 = (int) fx, x1 = Math.min(s.gw - 1, x0 + 1);
        float wx = fx - x0;
        float v = (1 - wy) * ((1 - wx) * g[y0 * s.gw + x0] + wx * g[y0 * s.gw + x1])
            + wy * ((1 - wx) * g[y1 * s.gw + x0] + wx * g[y1 * s.gw + x1]);
        out[y * s.w + x] = v > 0.5f;
      }
    }
    return out;
  }
}
