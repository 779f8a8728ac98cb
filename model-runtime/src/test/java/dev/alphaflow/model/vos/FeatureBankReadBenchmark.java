package dev.alphaflow.model.vos;

import dev.alphaflow.model.SessionSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Times the attention readout kernels on realistic sizes: 6420 queries (stride-8 positions of 854x480), key sizes
 * 64 and 128, banks of 1k/4k/16k entries. The contenders run alternately, in a rotating order, several repetitions
 * each; the table shows the median (and min) milliseconds per read, plus the largest difference from the Java result.
 *
 * <pre>
 *   mvn -o -q -pl model-runtime test-compile
 *   java -cp "model-runtime/target/test-classes:model-runtime/target/classes:$(cat cp.txt)" \
 *       dev.alphaflow.model.vos.FeatureBankReadBenchmark [reps=5] [queries=6420] [keyDims=64,128]
 *       [bankSizes=1024,4096,16384] [valueDims=2,128]
 * </pre>
 *
 * Not a test: a main method, run by hand; the numbers go into model-runtime/README.md.
 */
public final class FeatureBankReadBenchmark {

  private FeatureBankReadBenchmark() {}

  public static void main(String[] args) {
    int reps = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int queries = args.length > 1 ? Integer.parseInt(args[1]) : 6420;
    int[] keyDims = args.length > 2 ? ints(args[2]) : new int[] {64, 128};
    int[] bankSizes = args.length > 3 ? ints(args[3]) : new int[] {1024, 4096, 16384};
    int[] valueDims = args.length > 4 ? ints(args[4]) : new int[] {2, 128};
    int cores = Runtime.getRuntime().availableProcessors();

    Map<String, AttentionReadout> contenders = new LinkedHashMap<>();
    contenders.put("java (1 thread)", AttentionReadout.java());
    contenders.put("onnx 1 thread", AttentionReadout.onnx(SessionSettings.builder().intraOpThreads(1).build()));
    SessionSettings defaults = SessionSettings.defaults();
    contenders.put("onnx " + defaults.intraOpThreads() + " threads", AttentionReadout.onnx(defaults));
    List<String> names = new ArrayList<>(contenders.keySet());

    System.out.printf(Locale.ROOT, "# attention readout, %d queries, %d reps, %d cores, %s %s%n", queries, reps,
        cores, System.getProperty("java.vm.name"), System.getProperty("java.version"));
    System.out.printf(Locale.ROOT, "| d | v | bank | %s | max |java-onnx| |%n",
        String.join(" | ", names.stream().map(n -> n + " ms (median / min)").toList()));
    System.out.println("|---|---|---|" + "---|".repeat(names.size()) + "---|");
    Random random = new Random(42);
    for (int d : keyDims) {
      for (int v : valueDims) {
        for (int m : bankSizes) {
          float[] q = gaussian(random, queries * d);
          float[] k = gaussian(random, m * d);
          float[] val = gaussian(random, m * v);
          Map<String, long[]> times = new LinkedHashMap<>();
          Map<String, float[]> outputs = new LinkedHashMap<>();
          for (String name : names) {
            times.put(name, new long[reps]);
            float[] out = new float[queries * v];
            contenders.get(name).attend(q, queries, k, val, m, d, v, 1e-3f, out, new int[m]); // warm-up
            outputs.put(name, out);
          }
          for (int rep = 0; rep < reps; rep++) {
            for (int i = 0; i < names.size(); i++) {
              String name = names.get((i + rep) % names.size()); // rotate who goes first
              float[] out = outputs.get(name);
              long start = System.nanoTime();
              contenders.get(name).attend(q, queries, k, val, m, d, v, 1e-3f, out, new int[m]);
              times.get(name)[rep] = System.nanoTime() - start;
            }
          }
          float diff = 0;
          float[] reference = outputs.get(names.get(0));
          for (String name : names) {
            float[] out = outputs.get(name);
            for (int i = 0; i < out.length; i++) {
              diff = Math.max(diff, Math.abs(out[i] - reference[i]));
            }
          }
          StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %d | %d | %d |", d, v, m));
          for (String name : names) {
            long[] t = times.get(name).clone();
            Arrays.sort(t);
            row.append(String.format(Locale.ROOT, " %.0f / %.0f |", t[t.length / 2] / 1e6, t[0] / 1e6));
          }
          row.append(String.format(Locale.ROOT, " %.1e |", diff));
          System.out.println(row);
        }
      }
    }
    contenders.values().forEach(AttentionReadout::close);
    absorbTable(reps, queries, keyDims, bankSizes, random);
  }

  /**
   * Absorb of one frame into a full bank (nearest-key search, merges, eviction), with new keys that are noisy copies
   * of bank keys so that most merge as in steady state; and the snapshot / restore a checkpoint pays.
   */
  private static void absorbTable(int reps, int count, int[] keyDims, int[] bankSizes, Random random) {
    System.out.printf(Locale.ROOT, "%n# absorb %d new keys (value size 2) into a full bank (budget = bank size)%n",
        count);
    System.out.println("| d | bank | absorb ms (median / min) | merged | toHalfTensors ms | fromHalfTensors ms |");
    System.out.println("|---|---|---|---|---|---|");
    for (int d : keyDims) {
      for (int m : bankSizes) {
        FeatureBankConfig config = FeatureBankConfig.builder().budget(m).thresClose(1f).build();
        FeatureBank bank = new FeatureBank(d, 2, config);
        bank.absorb(0, gaussian(random, m * d), gaussian(random, m * 2), m);
        float[] bankKeys = bank.keys();
        float[] keys = gaussian(random, count * d);
        for (int c = 0; c < count; c++) {
          int target = random.nextInt(m);
          for (int i = 0; i < d; i++) {
            keys[c * d + i] = bankKeys[target * d + i] + 0.2f * keys[c * d + i];
          }
        }
        float[] values = gaussian(random, count * 2);
        FeatureBankConfig merging = config.toBuilder().thresClose(0.95f).build();
        long[] absorb = new long[reps + 1];
        long[] save = new long[reps + 1];
        long[] restore = new long[reps + 1];
        int merged = 0;
        for (int rep = 0; rep <= reps; rep++) { // rep 0 warms up
          long start = System.nanoTime();
          var tensors = bank.toHalfTensors();
          save[rep] = System.nanoTime() - start;
          start = System.nanoTime();
          FeatureBank copy = FeatureBank.fromHalfTensors(tensors, merging);
          restore[rep] = System.nanoTime() - start;
          start = System.nanoTime();
          merged = copy.absorb(1, keys, values, count).merged();
          absorb[rep] = System.nanoTime() - start;
        }
        System.out.printf(Locale.ROOT, "| %d | %d | %.0f / %.0f | %d | %.1f | %.1f |%n", d, m,
            median(absorb) / 1e6, min(absorb) / 1e6, merged, median(save) / 1e6, median(restore) / 1e6);
      }
    }
  }

  private static double median(long[] withWarmUp) {
    long[] t = Arrays.copyOfRange(withWarmUp, 1, withWarmUp.length);
    Arrays.sort(t);
    return t[t.length / 2];
  }

  private static double min(long[] withWarmUp) {
    return Arrays.stream(withWarmUp, 1, withWarmUp.length).min().orElseThrow();
  }

  private static int[] ints(String csv) {
    return Arrays.stream(csv.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
  }

  /** Features like a normalized embedding: N(0, 1) per channel, so q.k / sqrt(d) is about N(0, 1). */
  private static float[] gaussian(Random random, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) random.nextGaussian();
    }
    return x;
  }
}
