package dev.alphaflow.model.vos;

import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.eval.DavisMasks;
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
import java.util.Map;

/**
 * The long-video proof of issue 3 (not a test; run it by hand): a DAVIS sequence played forward and backward until
 * {@code frames} frames have gone by, segmented by one {@link VideoObjectSegmenter} with the default options and a
 * small bank budget, and in the same run the same video with eviction off (the bank grows without bound) for
 * {@code unboundedFrames} frames, once with merging on and once with merging off too. Frames are decoded and scaled once beforehand: the segmenter is what is measured.
 *
 * <p>Prints and writes to {@code target/benchmarks/vos.long_video.md}: bank size never above the budget, state bytes
 * per 500 frames (flat after warm-up), {@code vos.long_video.end_vs_start_throughput} (frames/s over the last 1,000
 * frames / over the first 1,000), and for the unbounded bank its size and frame time as it grows.
 *
 * <pre>
 * mvn -o -q -B -pl model-runtime install -DskipTests \
 *   &amp;&amp; mvn -o -q -B -pl model-runtime dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt \
 *        -Dmdep.includeScope=test \
 *   &amp;&amp; java -cp model-runtime/target/test-classes:model-runtime/target/classes:$(cat \
 *        model-runtime/target/test-classpath.txt) \
 *        dev.alphaflow.model.vos.VosLongVideoBenchmark [frames=10000] [scale=0.5] [budget=1024] [unbounded=1500]
 * </pre>
 */
public final class VosLongVideoBenchmark {

  private VosLongVideoBenchmark() {}

  public static void main(String[] args) throws IOException {
    int frames = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    double scale = args.length > 1 ? Double.parseDouble(args[1]) : 0.5;
    int budget = args.length > 2 ? Integer.parseInt(args[2]) : 1024;
    int unboundedFrames = args.length > 3 ? Integer.parseInt(args[3]) : 1500;
    String sequence = "blackswan";

    List<RgbImage> clip = new ArrayList<>();
    Path jpegs = SharedTestData.data("davis2016/JPEGImages/480p/" + sequence);
    try (var files = Files.list(jpegs)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".jpg")).sorted().toList()) {
        clip.add(scaled(ImageCodec.decode(Files.readAllBytes(p)), scale));
      }
    }
    DavisMasks.LabelMap first = DavisMasks.read(SharedTestData.data(
        "davis2016/Annotations/480p/" + sequence + "/00000.png"));
    BinaryMask prompt = scaledMask(first, clip.get(0).width(), clip.get(0).height());

    VosOptions defaults = VosOptions.defaults();
    VosOptions bounded = defaults.toBuilder().bank(defaults.bank().toBuilder().budget(budget).build()).build();
    VosOptions unbounded = defaults.toBuilder().bank(defaults.bank().toBuilder().evictionEnabled(false).build())
        .build();
    SessionSettings settings = SessionSettings.builder().intraOpThreads(2).interOpThreads(1).build();

    StringBuilder report = new StringBuilder();
    report.append(String.format("Long video: %s (%dx%d, scale %.2f) played forward and backward, %d frames; "
        + "defaults with bank budget %d vs eviction off.%n%n", sequence, clip.get(0).width(), clip.get(0).height(),
        scale, frames, budget));

    // eviction off but merging on: on a clip that repeats, merges into near-identical entries slow the growth; with
    // merging off too (thresClose 1) the bank takes every absorbed cell, as it would on a video that never repeats
    VosOptions unboundedNoMerge = unbounded.toBuilder().bank(unbounded.bank().toBuilder().thresClose(1f).build())
        .build();

    Run boundedRun = run("bounded", bounded, settings, clip, prompt, frames);
    Run unboundedRun = run("unbounded", unbounded, settings, clip, prompt, Math.min(frames, unboundedFrames));
    Run noMergeRun = run("unbounded, no merge", unboundedNoMerge, settings, clip, prompt,
        Math.min(frames, unboundedFrames));

    int window = Math.min(1000, frames / 4);
    double startFps = boundedRun.fps(0, window);
    double endFps = boundedRun.fps(frames - window, frames);
    // the median frame time resists what other processes on a shared machine do to a few frames
    double startMedianFps = 1000.0 / boundedRun.medianMs(0, window);
    double endMedianFps = 1000.0 / boundedRun.medianMs(frames - window, frames);
    report.append("| frame | bounded: bank entries | bounded: state KiB | bounded: ms/frame (last 500) "
        + "| unbounded: bank entries | unbounded: state KiB | unbounded: ms/frame (last 500) "
        + "| unbounded, no merge: bank entries | unbounded, no merge: ms/frame (last 500) |\n"
        + "|---|---|---|---|---|---|---|---|---|\n");
    for (int t = 499; t < frames; t += 500) {
      report.append(String.format("| %d | %d | %.0f | %.1f | %s | %s | %s | %s | %s |%n", t + 1, boundedRun.bankSize[t],
          boundedRun.stateBytes[t] / 1024.0, boundedRun.msPerFrame(t - 499, t + 1),
          t < unboundedRun.count ? Integer.toString(unboundedRun.bankSize[t]) : "",
          t < unboundedRun.count ? String.format("%.0f", unboundedRun.stateBytes[t] / 1024.0) : "",
          t < unboundedRun.count ? String.format("%.1f", unboundedRun.msPerFrame(t - 499, t + 1)) : "",
          t < noMergeRun.count ? Integer.toString(noMergeRun.bankSize[t]) : "",
          t < noMergeRun.count ? String.format("%.1f", noMergeRun.msPerFrame(t - 499, t + 1)) : ""));
    }
    int maxBank = Arrays.stream(boundedRun.bankSize).max().orElseThrow();
    long warmState = boundedRun.stateBytes[Math.min(frames - 1, 999)];
    long maxStateAfterWarmup = Arrays.stream(boundedRun.stateBytes, Math.min(frames - 1, 999), frames).max()
        .orElseThrow();
    String command = "see the javadoc of `VosLongVideoBenchmark` (model-runtime test sources)";
    report.append(String.format("%n| metric | value | command |%n|---|---|---|%n"));
    report.append(String.format("| vos.long_video.end_vs_start_throughput | %.3f (medians of the frame times: %.1f "
        + "vs %.1f frames/s, %d-frame windows; means: %.1f vs %.1f, %.3f) | %s |%n", endMedianFps / startMedianFps,
        endMedianFps, startMedianFps, window, endFps, startFps, endFps / startFps, command));
    report.append(String.format("| vos.long_video.max_bank_entries | %d (budget %d) | %s |%n", maxBank, budget,
        command));
    report.append(String.format("| vos.long_video.state_bytes_after_warmup | %d at frame 1000, max %d after "
        + "(%.3f×) | %s |%n", warmState, maxStateAfterWarmup, (double) maxStateAfterWarmup / warmState, command));
    int u = unboundedRun.count;
    report.append(String.format("| vos.long_video.unbounded | bank %d → %d entries (frames 500 → %d), %.1f → %.1f "
        + "ms/frame | %s |%n", unboundedRun.bankSize[Math.min(u - 1, 499)], unboundedRun.bankSize[u - 1], u,
        unboundedRun.msPerFrame(0, Math.min(u, 500)), unboundedRun.msPerFrame(Math.max(0, u - 500), u), command));
    int v = noMergeRun.count;
    report.append(String.format("| vos.long_video.unbounded_no_merge | bank %d → %d entries (frames 500 → %d), %.1f → "
        + "%.1f ms/frame | %s |%n", noMergeRun.bankSize[Math.min(v - 1, 499)], noMergeRun.bankSize[v - 1], v,
        noMergeRun.msPerFrame(0, Math.min(v, 500)), noMergeRun.msPerFrame(Math.max(0, v - 500), v), command));

    report.append("\nBounded run, mean ms per frame of each segmenter stage, first vs last 1,000 frames:\n\n"
        + "| stage | first 1000 | last 1000 |\n|---|---|---|\n");
    for (Map.Entry<String, long[]> e : boundedRun.stageMicros.entrySet()) {
      report.append(String.format("| %s | %.2f | %.2f |%n", e.getKey(), e.getValue()[0] / 1000.0 / window,
          e.getValue()[1] / 1000.0 / window));
    }
    System.out.print(report);
    Path out = Path.of("target", "benchmarks");
    Files.createDirectories(out);
    Files.writeString(out.resolve("vos.long_video.md"), report.toString());
  }

  /** Per-frame measurements of one contender. */
  private static final class Run {
    final long[] nanos;
    final int[] bankSize;
    final long[] stateBytes;
    /** Per segmenter stage (its timings), microseconds summed over the first and over the last 1,000 frames. */
    final Map<String, long[]> stageMicros = new LinkedHashMap<>();
    int count;

    Run(int frames) {
      nanos = new long[frames];
      bankSize = new int[frames];
      stateBytes = new long[frames];
    }

    double fps(int from, int to) {
      long sum = 0;
      for (int t = from; t < to; t++) {
        sum += nanos[t];
      }
      return (to - from) / (sum / 1e9);
    }

    double msPerFrame(int from, int to) {
      return 1000.0 / fps(from, to);
    }

    double medianMs(int from, int to) {
      long[] sorted = Arrays.copyOfRange(nanos, from, to);
      Arrays.sort(sorted);
      return sorted[sorted.length / 2] / 1e6;
    }
  }

  private static Run run(String name, VosOptions options, SessionSettings settings, List<RgbImage> clip,
      BinaryMask prompt, int frames) {
    Run run = new Run(frames);
    try (VideoObjectSegmenter segmenter = VideoObjectSegmenter.open(SharedTestData.modelRegistry(), settings,
        options)) {
      VosMemory memory = new VosMemory();
      int period = 2 * clip.size() - 2; // forward then backward, without repeating the end frames
      for (int t = 0; t < frames; t++) {
        int phase = t % period;
        RgbImage frame = clip.get(phase < clip.size() ? phase : period - phase);
        List<VosPrompt> prompts = t == 0 ? List.of(VosPrompt.add(1, prompt)) : List.of();
        long start = System.nanoTime();
        VosResult result = segmenter.segment(frame, t, memory, prompts);
        run.nanos[t] = System.nanoTime() - start;
        int slot = t < 1000 ? 0 : t >= frames - 1000 ? 1 : -1;
        if (slot >= 0) {
          for (Map.Entry<String, Long> e : result.timingsMicros().entrySet()) {
            run.stageMicros.computeIfAbsent(e.getKey(), k -> new long[2])[slot] += e.getValue();
          }
        }
        run.bankSize[t] = memory.banks().get(1).size();
        run.stateBytes[t] = memory.stateBytes();
        run.count = t + 1;
        if ((t + 1) % 1000 == 0) {
          System.out.printf("%s: frame %d, bank %d, %.1f ms/frame over the last 1000%n", name, t + 1,
              run.bankSize[t],
              run.msPerFrame(t - 999, t + 1));
        }
      }
    }
    return run;
  }

  /** Area-averaged downscale (or the image itself at scale 1). */
  static RgbImage scaled(RgbImage image, double scale) {
    if (scale == 1.0) {
      return image;
    }
    int w = (int) Math.round(image.width() * scale);
    int h = (int) Math.round(image.height() * scale);
    byte[] src = image.rgb();
    byte[] out = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      int y0 = (int) (y / scale);
      int y1 = Math.max(y0 + 1, (int) ((y + 1) / scale));
      for (int x = 0; x < w; x++) {
        int x0 = (int) (x / scale);
        int x1 = Math.max(x0 + 1, (int) ((x + 1) / scale));
        for (int c = 0; c < 3; c++) {
          int sum = 0;
          for (int yy = y0; yy < y1; yy++) {
            for (int xx = x0; xx < x1; xx++) {
              sum += src[(yy * image.width() + xx) * 3 + c] & 0xff;
            }
          }
          out[(y * w + x) * 3 + c] = (byte) (sum / ((y1 - y0) * (x1 - x0)));
        }
      }
    }
    return new RgbImage(w, h, out);
  }

  /** Nearest-neighbour scaled object-1 mask. */
  static BinaryMask scaledMask(DavisMasks.LabelMap labels, int width, int height) {
    byte[] on = new byte[width * height];
    for (int y = 0; y < height; y++) {
      int sy = Math.min(labels.height() - 1, (int) ((y + 0.5) * labels.height() / height));
      for (int x = 0; x < width; x++) {
        int sx = Math.min(labels.width() - 1, (int) ((x + 0.5) * labels.width() / width));
        on[y * width + x] = labels.labels()[sy * labels.width() + sx] == 1 ? (byte) 1 : 0;
      }
    }
    return BinaryMask.fromBytes(width, height, on);
  }
}
