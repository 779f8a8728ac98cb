package dev.alphaflow.model.vos;

import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.eval.SequenceScores;
import dev.alphaflow.model.flow.DisPreset;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.instances.BinaryMask;
import dev.alphaflow.model.testing.SharedTestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Measures {@link VideoObjectSegmenter} on the ten DAVIS 2016 val sequences of {@code ../shared/data/davis2016}
 * (657 frames), 854x480 (not a test; run it by hand). The first frame's mask is the prompt; frames 1..N-1 are scored with DAVIS J (IoU),
 * F (boundary, toolkit tolerance) and J&amp;F = (J + F) / 2. Prints per sequence J, F, J&amp;F and the wall time of
 * {@code segment()} per frame (median and mean over frames 1..N-1; ONNX Runtime with 2 intra-op threads), for
 * {@link VosOptions#defaults()} and then for an ablation: each row changes one part of the defaults. Writes the
 * table to {@code target/vos-evaluation.md} (relative to the working directory).
 *
 * <pre>
 * cd alphaflow &amp;&amp; mvn -o -q -B -pl model-runtime install -DskipTests \
 *   &amp;&amp; mvn -o -q -B -pl model-runtime dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt \
 *        -Dmdep.includeScope=test \
 *   &amp;&amp; java -Xmx3g -cp model-runtime/target/test-classes:model-runtime/target/classes:$(cat \
 *        model-runtime/target/test-classpath.txt) \
 *        dev.alphaflow.model.vos.VosEvaluation [row names or overrides]
 * </pre>
 *
 * <p>Arguments: none runs every row; otherwise each argument is a row name from the ablation, or an ad-hoc row
 * {@code name:key=value,key=value} on top of the defaults (keys: layers (e.g. S8+S16), scale, temp, coarse, balance,
 * budget, evict, thres, rate, every, keep, bgstride, band, margin, radius, ltemp, lweight, prior, pdil, prad, pfall,
 * flow (off|ULTRAFAST|FAST|MEDIUM), fside, refine, uth, rr, reps, cband, cweight; and topk, the experimental
 * top-k read of {@link TopKAttentionReadout}). {@code -Dvos.reverse=true} runs every sequence backwards from its
 * last frame's mask; {@code -Dvos.stride=2} keeps every second frame (faster motion); {@code -Dvos.sequences=a,b}
 * limits the sequences; {@code -Dvos.dump=<folder>} writes every 8th frame with the prediction (red) and the ground
 * truth (green) overlaid. The shared folder is found as in the tests ({@code -Dalphaflow.shared.dir}, else
 * {@code ../shared}).
 */
public final class VosEvaluation {

  private VosEvaluation() {}

  /** The ten DAVIS 2016 val sequences in {@code ../shared/data/davis2016}; every change is measured on all of them. */
  static final List<String> ALL_SEQUENCES = List.of("blackswan", "car-shadow", "cows", "dance-twirl", "dog",
      "drift-straight", "goat", "horsejump-high", "paragliding-launch", "scooter-black");

  static final List<String> SEQUENCES = System.getProperty("vos.sequences") == null ? ALL_SEQUENCES
      : List.of(System.getProperty("vos.sequences").split(","));

  /**
   * {@code -Dvos.reverse=true}: every sequence runs backwards, prompted with its last frame's mask. Ten more trials of
   * the same defaults (other start frames, the motion reversed), for choices the forward runs alone cannot settle.
   */
  static final boolean REVERSE = Boolean.getBoolean("vos.reverse");

  /**
   * {@code -Dvos.stride=N}: only every Nth frame is kept (after any reversal), so the object moves N times as far
   * between frames: trials of fast, large motion, the case an independent evaluation found hardest.
   */
  static final int STRIDE = Integer.getInteger("vos.stride", 1);

  /** One row of the table: a name, what it changes, and the options. */
  record Row(String name, String change, VosOptions options, int topK) {
    Row(String name, String change, VosOptions options) {
      this(name, change, options, 0);
    }
  }

  /** The default configuration and one row per part taken out or changed. */
  static List<Row> ablation() {
    VosOptions d = VosOptions.defaults();
    FeatureBankConfig bank = d.bank();
    List<Row> rows = new ArrayList<>();
    rows.add(new Row("defaults", "the defaults: " + describe(d), d));
    // keys
    rows.add(new Row("s8-only", "keys from stride 8 alone", d.toBuilder().layers(List.of(FeatureLayer.S8)).build()));
    rows.add(new Row("s16-only", "keys from stride 16 alone (16-pixel grid)",
        d.toBuilder().layers(List.of(FeatureLayer.S16)).build()));
    rows.add(new Row("s8-s16-s32", "keys from strides 8, 16 and 32",
        d.toBuilder().layers(List.of(FeatureLayer.S8, FeatureLayer.S16, FeatureLayer.S32)).build()));
    rows.add(new Row("scale-1.5", "frame enlarged 1.5x before the extractor (finer grid)",
        d.toBuilder().inputScale(1.5f).build()));
    rows.add(new Row("temperature-0.05", "softer read (temperature 0.05)", d.toBuilder().temperature(0.05f).build()));
    rows.add(new Row("temperature-0.02", "sharper read (temperature 0.02)", d.toBuilder().temperature(0.02f).build()));
    // reading
    rows.add(new Row("no-balance", "bank class prior kept (classBalance 0)", d.toBuilder().classBalance(0).build()));
    rows.add(new Row("no-prior", "no previous-mask prior (priorStrength 0)", d.toBuilder().priorStrength(0).build()));
    rows.add(new Row("flat-prior", "prior with a flat floor beyond its blur (priorFalloff 0)",
        d.toBuilder().priorFalloff(0).build()));
    rows.add(new Row("no-flow", "prior not moved by flow (flowPreset off: stays where the object was)",
        d.toBuilder().flowPreset(null).build()));
    rows.add(new Row("flow-ultrafast", "prior moved by DIS ULTRAFAST flow",
        d.toBuilder().flowPreset(DisPreset.ULTRAFAST).build()));
    rows.add(new Row("flow-medium", "prior moved by DIS MEDIUM flow",
        d.toBuilder().flowPreset(DisPreset.MEDIUM).build()));
    rows.add(new Row("flow-214", "flow on luma at most 214 px wide (427 by default)",
        d.toBuilder().flowMaxSide(214).build()));
    rows.add(new Row("local-window", "plus previous-frame match in a 9x9 window (localRadius 4, weight 0.3)",
        d.toBuilder().localRadius(4).build()));
    rows.add(new Row("no-colour", "no local colour models (colourBand 0)", d.toBuilder().colourBand(0).build()));
    rows.add(new Row("colour-5", "local colour models on a 5-px band", d.toBuilder().colourBand(5).build()));
    rows.add(new Row("colour-12", "local colour models on a 12-px band", d.toBuilder().colourBand(12).build()));
    rows.add(new Row("colour-weight-2", "colour likelihood squared (colourWeight 2)",
        d.toBuilder().colourWeight(2f).build()));
    rows.add(new Row("no-refine", "no uncertain-region refinement", d.toBuilder().refine(false).build()));
    // memory
    rows.add(new Row("prompt-only", "banks hold the prompt frame only (no memory updates)",
        d.toBuilder().memoryEvery(Integer.MAX_VALUE).build()));
    rows.add(new Row("every-5", "banks absorb every 5th frame", d.toBuilder().memoryEvery(5).build()));
    rows.add(new Row("every-20", "banks absorb every 20th frame", d.toBuilder().memoryEvery(20).build()));
    rows.add(new Row("no-keep-prompt", "prompt-frame entries may be evicted (plain LFU)",
        d.toBuilder().keepPromptFrame(false).build()));
    rows.add(new Row("all-background", "every background cell absorbed (backgroundStride 1)",
        d.toBuilder().backgroundStride(1).build()));
    rows.add(new Row("all-cells", "mixed boundary cells absorbed too (absorbMargin 0.5, as AFB-URR)",
        d.toBuilder().absorbMargin(0.5f).build()));
    rows.add(new Row("budget-1024", "bank budget 1024 entries per object",
        d.toBuilder().bank(bank.toBuilder().budget(1024).build()).build()));
    rows.add(new Row("budget-4096", "bank budget 4096 entries per object",
        d.toBuilder().bank(bank.toBuilder().budget(4096).build()).build()));
    rows.add(new Row("no-eviction", "bank without budget (eviction off)",
        d.toBuilder().bank(bank.toBuilder().evictionEnabled(false).build()).build()));
    rows.add(new Row("plain-afb", "plain AFB-URR read: every frame and cell absorbed, no balance, no prior, no "
        + "colour, no refinement, temperature 0.05", d.toBuilder().memoryEvery(1).backgroundStride(1).absorbMargin(0.5f)
            .keepPromptFrame(false).classBalance(0).priorStrength(0).refine(false).colourBand(0).temperature(0.05f)
            .build()));
    return rows;
  }

  public static void main(String[] args) throws IOException {
    List<Row> all = ablation();
    List<Row> rows = new ArrayList<>();
    if (args.length == 0) {
      rows.addAll(all);
    }
    for (String arg : args) {
      Row named = all.stream().filter(r -> r.name().equals(arg)).findFirst().orElse(null);
      rows.add(named != null ? named : parse(arg));
    }
    Map<String, Sequence> sequences = new LinkedHashMap<>();
    for (String name : SEQUENCES) {
      sequences.put(name, Sequence.load(name));
    }
    SessionSettings settings = SessionSettings.builder().intraOpThreads(2).build();
    // one column per sequence (J&F), then the mean, the worst sequence and the median ms/frame over all frames
    List<String> lines = new ArrayList<>();
    lines.add("| row | change | " + String.join(" | ", SEQUENCES) + " | mean J&F | min J&F | ms/frame |");
    lines.add("|---|---|" + "---|".repeat(SEQUENCES.size()) + "---|---|---|");
    List<String> details = new ArrayList<>();
    details.add("| row | sequence | J | F | J&F | ms/frame (median) |");
    details.add("|---|---|---|---|---|---|");
    for (Row row : rows) {
      StringBuilder line = new StringBuilder("| " + row.name() + " | " + row.change() + " |");
      double sumJF = 0;
      double minJF = Double.POSITIVE_INFINITY;
      List<Double> allMs = new ArrayList<>();
      try (VideoObjectSegmenter segmenter = row.topK() > 0
          ? VideoObjectSegmenter.open(SharedTestData.modelRegistry(), settings, row.options(),
              new TopKAttentionReadout(row.topK()))
          : VideoObjectSegmenter.open(SharedTestData.modelRegistry(), settings, row.options())) {
        for (Sequence sequence : sequences.values()) {
          Run run = run(segmenter, sequence);
          SequenceScores s = run.scores();
          System.out.printf(Locale.ROOT, "%-12s %-18s J %.4f  F %.4f  J&F %.4f  %.1f ms/frame (median; mean %.1f)"
              + "  %s%n", row.name(), sequence.name(), s.meanJ(), s.meanF(), s.meanJF(), run.medianMs(),
              run.meanMs(), run.steps());
          line.append(String.format(Locale.ROOT, " %.3f |", s.meanJF()));
          details.add(String.format(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.3f | %.0f |", row.name(),
              sequence.name(), s.meanJ(), s.meanF(), s.meanJF(), run.medianMs()));
          sumJF += s.meanJF();
          minJF = Math.min(minJF, s.meanJF());
          for (double ms : run.frameMs()) {
            allMs.add(ms);
          }
        }
      }
      allMs.sort(null);
      line.append(String.format(Locale.ROOT, " %.3f | %.3f | %.0f |", sumJF / sequences.size(), minJF,
          allMs.isEmpty() ? Double.NaN : allMs.get(allMs.size() / 2)));
      lines.add(line.toString());
      System.out.println(line);
    }
    lines.add("");
    lines.addAll(details);
    Path out = Path.of("target", "vos-evaluation.md");
    Files.createDirectories(out.getParent());
    String header = "# VOS evaluation (DAVIS 2016, 854x480, "
        + (REVERSE ? "run backwards, prompt = last frame mask" : "prompt = frame 0 mask")
        + (STRIDE > 1 ? ", frames " + STRIDE + " apart" : "") + ", the other frames scored)\n\n"
        + "ms/frame: median wall time of segment() on this machine, ONNX Runtime with 2 intra-op threads.\n\n";
    Files.writeString(out, header + String.join("\n", lines) + "\n");
    System.out.println(String.join("\n", lines));
    System.out.println("wrote " + out.toAbsolutePath());
  }

  /** The frames and ground-truth masks of one DAVIS sequence. */
  record Sequence(String name, List<RgbImage> frames, List<boolean[]> truth) {
    static Sequence load(String name) throws IOException {
      Path images = SharedTestData.data("davis2016/JPEGImages/480p/" + name);
      List<Path> jpegs;
      try (Stream<Path> files = Files.list(images)) {
        jpegs = files.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
      }
      List<RgbImage> frames = new ArrayList<>();
      List<boolean[]> truth = new ArrayList<>();
      for (Path jpeg : jpegs) {
        String stem = jpeg.getFileName().toString().replace(".jpg", "");
        frames.add(ImageCodec.decode(Files.readAllBytes(jpeg)));
        byte[] mask = ImageCodec.decodeGray8Png(Files.readAllBytes(
            SharedTestData.data("davis2016/Annotations/480p/" + name + "/" + stem + ".png")));
        boolean[] t = new boolean[mask.length];
        for (int i = 0; i < mask.length; i++) {
          t[i] = (mask[i] & 0xff) > 127;
        }
        truth.add(t);
      }
      if (REVERSE) {
        java.util.Collections.reverse(frames);
        java.util.Collections.reverse(truth);
      }
      if (STRIDE > 1) {
        List<RgbImage> keptFrames = new ArrayList<>();
        List<boolean[]> keptTruth = new ArrayList<>();
        for (int i = 0; i < frames.size(); i += STRIDE) {
          keptFrames.add(frames.get(i));
          keptTruth.add(truth.get(i));
        }
        frames = keptFrames;
        truth = keptTruth;
      }
      return new Sequence(name, frames, truth);
    }

    BinaryMask promptMask() {
      RgbImage first = frames.get(0);
      BinaryMask.Builder b = BinaryMask.builder(first.width(), first.height());
      boolean[] t = truth.get(0);
      for (int i = 0; i < t.length; i++) {
        if (t[i]) {
          b.set(i);
        }
      }
      return b.build();
    }
  }

  /** Scores and per-frame times of one run through a sequence. */
  record Run(SequenceScores scores, double[] frameMs, Map<String, Double> stepMeanMs) {
    double medianMs() {
      double[] sorted = frameMs.clone();
      Arrays.sort(sorted);
      return sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2];
    }

    double meanMs() {
      return Arrays.stream(frameMs).average().orElse(Double.NaN);
    }

    String steps() {
      StringBuilder s = new StringBuilder();
      stepMeanMs.forEach((k, v) -> s.append(k).append(' ').append(String.format(Locale.ROOT, "%.1f", v))
          .append(' '));
      return s.toString().trim();
    }
  }

  /** Prompts frame 0 with its ground truth and segments the rest, scoring frames 1..N-1. */
  static Run run(VideoObjectSegmenter segmenter, Sequence sequence) {
    VosMemory memory = new VosMemory();
    int width = sequence.frames().get(0).width();
    int height = sequence.frames().get(0).height();
    segmenter.segment(sequence.frames().get(0), 0, memory, List.of(VosPrompt.add(1, sequence.promptMask())));
    SequenceScores scores = new SequenceScores();
    int n = sequence.frames().size();
    double[] ms = new double[n - 1];
    Map<String, Double> steps = new LinkedHashMap<>();
    for (int f = 1; f < n; f++) {
      long start = System.nanoTime();
      VosResult result = segmenter.segment(sequence.frames().get(f), f, memory, List.of());
      ms[f - 1] = (System.nanoTime() - start) / 1e6;
      result.timingsMicros().forEach((k, v) -> steps.merge(k, v / 1000.0 / (n - 1), Double::sum));
      byte[] labels = result.labels();
      boolean[] predicted = new boolean[labels.length];
      for (int i = 0; i < labels.length; i++) {
        predicted[i] = labels[i] == 1;
      }
      scores.add(predicted, sequence.truth().get(f), width, height);
      String dump = System.getProperty("vos.dump");
      if (dump != null && f % 8 == 0) {
        byte[] rgb = sequence.frames().get(f).rgb().clone();
        boolean[] t = sequence.truth().get(f);
        for (int i = 0; i < predicted.length; i++) {
          if (predicted[i]) {
            rgb[3 * i] = (byte) Math.min(255, (rgb[3 * i] & 0xff) / 2 + 128);
          }
          if (t[i]) {
            rgb[3 * i + 1] = (byte) Math.min(255, (rgb[3 * i + 1] & 0xff) / 2 + 100);
          }
        }
        try {
          Files.createDirectories(Path.of(dump));
          Files.write(Path.of(dump, sequence.name() + "-" + f + ".png"),
              ImageCodec.encodeRgbPng(new RgbImage(width, height, rgb)));
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    }
    return new Run(scores, ms, steps);
  }

  static String describe(VosOptions o) {
    return String.format(Locale.ROOT, "layers %s, scale %s, temperature %s, class balance %s, budget %d%s, "
        + "memory every %d frames%s, background stride %d (band %d), absorb margin %s, local window %s, "
        + "prior %s (dilation %d, blur %d, falloff %s), colour %s, refine %s", o.layers(), o.inputScale(), o.temperature(),
        o.classBalance(), o.bank().budget(), o.bank().evictionEnabled() ? "" : " (no eviction)", o.memoryEvery(),
        o.keepPromptFrame() ? " keeping the prompt frame" : "", o.backgroundStride(), o.boundaryBand(),
        o.absorbMargin(), o.localRadius() == 0 ? "off" : "r=" + o.localRadius() + " w=" + o.localWeight(),
        o.priorStrength(), o.priorDilation(), o.priorRadius(), o.priorFalloff(),
        o.colourBand() == 0 ? "off" : "band " + o.colourBand() + " px, weight " + o.colourWeight(),
        o.refine() ? "u > " + o.uncertaintyThreshold() + ", r=" + o.refineRadius() + ", eps " + o.refineEpsilon()
            : "off");
  }

  /** An ad-hoc row {@code name:key=value,...} on top of the defaults. */
  static Row parse(String arg) {
    int colon = arg.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("unknown row '" + arg + "'; rows: " + ablation().stream().map(Row::name)
          .toList() + ", or name:key=value,...");
    }
    String name = arg.substring(0, colon);
    VosOptions.Builder b = VosOptions.defaults().toBuilder();
    FeatureBankConfig.Builder bank = VosOptions.defaults().bank().toBuilder();
    int topK = 0;
    for (String pair : arg.substring(colon + 1).split(",")) {
      String[] kv = pair.split("=", 2);
      String v = kv[1];
      switch (kv[0]) {
        case "layers" -> b.layers(Arrays.stream(v.split("\\+")).map(FeatureLayer::valueOf).toList());
        case "scale" -> b.inputScale(Float.parseFloat(v));
        case "temp" -> b.temperature(Float.parseFloat(v));
        case "coarse" -> b.coarseLayerWeight(Float.parseFloat(v));
        case "balance" -> b.classBalance(Float.parseFloat(v));
        case "budget" -> bank.budget(Integer.parseInt(v));
        case "evict" -> bank.evictionEnabled(Boolean.parseBoolean(v));
        case "thres" -> bank.thresClose(Float.parseFloat(v));
        case "rate" -> bank.updateRate(Float.parseFloat(v));
        case "every" -> b.memoryEvery(Integer.parseInt(v));
        case "keep" -> b.keepPromptFrame(Boolean.parseBoolean(v));
        case "bgstride" -> b.backgroundStride(Integer.parseInt(v));
        case "band" -> b.boundaryBand(Integer.parseInt(v));
        case "margin" -> b.absorbMargin(Float.parseFloat(v));
        case "radius" -> b.localRadius(Integer.parseInt(v));
        case "ltemp" -> b.localTemperature(Float.parseFloat(v));
        case "lweight" -> b.localWeight(Float.parseFloat(v));
        case "prior" -> b.priorStrength(Float.parseFloat(v));
        case "pdil" -> b.priorDilation(Integer.parseInt(v));
        case "prad" -> b.priorRadius(Integer.parseInt(v));
        case "pfall" -> b.priorFalloff(Float.parseFloat(v));
        case "flow" -> b.flowPreset(v.equals("off") ? null : DisPreset.valueOf(v));
        case "fside" -> b.flowMaxSide(Integer.parseInt(v));
        case "refine" -> b.refine(Boolean.parseBoolean(v));
        case "uth" -> b.uncertaintyThreshold(Float.parseFloat(v));
        case "rr" -> b.refineRadius(Integer.parseInt(v));
        case "reps" -> b.refineEpsilon(Float.parseFloat(v));
        case "cband" -> b.colourBand(Integer.parseInt(v));
        case "cweight" -> b.colourWeight(Float.parseFloat(v));
        case "topk" -> topK = Integer.parseInt(v);
        default -> throw new IllegalArgumentException("unknown key '" + kv[0] + "' in " + arg);
      }
    }
    VosOptions options = b.bank(bank.build()).build();
    return new Row(name, arg.substring(colon + 1), options, topK);
  }
}
