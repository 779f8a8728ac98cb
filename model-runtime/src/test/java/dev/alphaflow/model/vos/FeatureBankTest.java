package dev.alphaflow.model.vos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.alphaflow.model.tensor.Fp16;
import dev.alphaflow.model.tensor.HalfTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Absorb (merge, append), eviction, reads and snapshots of one object's feature bank. */
class FeatureBankTest {

  private static final AttentionReadout JAVA = AttentionReadout.java();
  private static final FeatureBankConfig NO_MERGE = FeatureBankConfig.builder().thresClose(1f).build();

  @Test
  void similarKeyMergesKeepingMagnitude() {
    FeatureBank bank = new FeatureBank(4, 3, FeatureBankConfig.defaults());
    bank.absorb(0, new float[] {2, 0, 0, 0}, new float[] {1, 2, 2}, 1);

    float[] newKey = {1, 0.25f, 0, 0}; // cosine 0.970 > 0.95
    float[] newValue = {0, 3, 0};
    FeatureBank.AbsorbResult result = bank.absorb(1, newKey, newValue, 1);

    assertThat(result).isEqualTo(new FeatureBank.AbsorbResult(1, 1, 0, 0, 0));
    assertThat(bank.size()).isEqualTo(1);
    // k = |k_old| * normalize(0.9 * k_old/|k_old| + 0.1 * k_new/|k_new|)
    double n = Math.sqrt(1 + 0.0625);
    double[] blend = {0.9 + 0.1 / n, 0.1 * 0.25 / n, 0, 0};
    assertRowClose(bank.keys(), 0, scaled(blend, 2.0));
    assertThat(NaiveAttention.norm(bank.keys(), 0, 4)).isCloseTo(2.0, offset(2e-3));
    // values the same way: |v_old| = 3
    double[] valueBlend = {0.9 / 3, 0.9 * 2 / 3 + 0.1, 0.9 * 2 / 3};
    assertRowClose(bank.values(), 0, scaled(valueBlend, 3.0));
    assertThat(NaiveAttention.norm(bank.values(), 0, 3)).isCloseTo(3.0, offset(3e-3));
    assertThat(bank.birthFrame(0)).isZero();
  }

  @Test
  void newKeysChoosingOneEntryMergeAsTheirMean() {
    FeatureBank bank = new FeatureBank(2, 1, FeatureBankConfig.builder()
        .valueMerge(FeatureBankConfig.ValueMerge.WEIGHTED_AVERAGE).build());
    bank.absorb(0, new float[] {1, 0}, new float[] {0.25f}, 1);

    // two keys at +-0.2 rad: their normalized mean points along the entry, so only the value moves
    float c = (float) Math.cos(0.2);
    float s = (float) Math.sin(0.2);
    FeatureBank.AbsorbResult result = bank.absorb(1, new float[] {c * 3, s * 3, c, -s}, new float[] {1f, 0.5f}, 2);

    assertThat(result.merged()).isEqualTo(2);
    assertThat(result.mergedEntries()).isEqualTo(1);
    // mean of the two unit keys = (cos 0.2, 0): the blend (0.9 + 0.1 cos 0.2, 0) rescaled to |k| = 1
    assertRowClose(bank.keys(), 0, new double[] {1, 0});
    // weighted average of values: 0.9 * 0.25 + 0.1 * mean(1, 0.5)
    assertThat(bank.values()[0]).isCloseTo(0.9f * 0.25f + 0.1f * 0.75f, offset(1e-3f));
  }

  @Test
  void dissimilarKeyIsAppended() {
    FeatureBank bank = new FeatureBank(2, 1, FeatureBankConfig.defaults());
    bank.absorb(0, new float[] {1, 0}, new float[] {1}, 1);
    float[] newKey = {0.9f, 0.45f}; // cosine 0.894 < 0.95
    FeatureBank.AbsorbResult result = bank.absorb(3, newKey, new float[] {0.5f}, 1);

    assertThat(result).isEqualTo(new FeatureBank.AbsorbResult(0, 0, 1, 0, 0));
    assertThat(bank.size()).isEqualTo(2);
    assertThat(bank.keys()).containsExactly(1f, 0f, round16(0.9f), round16(0.45f));
    assertThat(bank.values()).containsExactly(1f, 0.5f);
    assertThat(bank.birthFrame(1)).isEqualTo(3);
    assertThat(bank.usage(1)).isZero();
  }

  @Test
  void absorbMatchesNaiveReference() {
    int d = 16;
    int v = 4;
    Random random = new Random(11);
    FeatureBankConfig config = FeatureBankConfig.builder().budget(100_000).build();
    FeatureBank bank = new FeatureBank(d, v, config);
    NaiveBank naive = new NaiveBank(d, v, config);
    float[] first = NaiveAttention.gaussian(random, 300 * d, 1.0);
    float[] firstValues = NaiveAttention.gaussian(random, 300 * v, 1.0);
    bank.absorb(0, first, firstValues, 300);
    naive.absorb(first, firstValues, 300);

    for (int frame = 1; frame <= 3; frame++) {
      // half of the new keys are small perturbations of bank keys (merge), half are fresh (append)
      int count = 200;
      float[] keys = NaiveAttention.gaussian(random, count * d, 1.0);
      float[] bankKeys = bank.keys();
      for (int c = 0; c < count; c += 2) {
        int target = random.nextInt(bank.size());
        for (int i = 0; i < d; i++) {
          keys[c * d + i] = bankKeys[target * d + i] * 1.3f + 0.03f * keys[c * d + i];
        }
      }
      float[] values = NaiveAttention.gaussian(random, count * v, 1.0);
      FeatureBank.AbsorbResult result = bank.absorb(frame, keys, values, count);
      int naiveMerged = naive.absorb(keys, values, count);

      assertThat(result.merged()).isEqualTo(naiveMerged).isEqualTo(count / 2);
      assertThat(bank.size()).isEqualTo(naive.size());
      float[] actualKeys = bank.keys();
      float[] actualValues = bank.values();
      for (int e = 0; e < naive.size(); e++) {
        assertRowClose(actualKeys, e * d, naive.keys.get(e));
        assertRowClose(actualValues, e * v, naive.values.get(e));
      }
    }
  }

  @Test
  void evictsLowestUsageOverAge() {
    // budget 4, never merge; values identify entries
    FeatureBank bank = new FeatureBank(2, 1, NO_MERGE.toBuilder().budget(4).build());
    bank.absorb(0, keys(2), new float[] {10, 11}, 2);   // A, B born at 0
    bank.absorb(10, keys(2), new float[] {12, 13}, 2);  // C, D born at 10
    bank.recordUsage(new int[] {9, 0, 2, 1});           // usage ln 10, 0, ln 3, ln 2
    // at frame 20: A 2.303/20 = 0.115, B 0, C 1.099/10 = 0.110, D 0.693/10 = 0.069
    assertThat(bank.leastFrequentlyUsedScore(0, 20)).isCloseTo((float) (Math.log(10) / 20), offset(1e-6f));

    FeatureBank.AbsorbResult result = bank.absorb(20, keys(2), new float[] {14, 15}, 2);

    assertThat(result.evicted()).isEqualTo(2);
    assertThat(bank.values()).containsExactly(10, 12, 14, 15); // B and D went; order kept
    assertThat(bank.size()).isEqualTo(4);
  }

  @Test
  void ageOutweighsOldUsage() {
    FeatureBank bank = new FeatureBank(2, 1, NO_MERGE.toBuilder().budget(2).build());
    bank.absorb(0, keys(1), new float[] {1}, 1);
    bank.absorb(90, keys(1), new float[] {2}, 1);
    bank.recordUsage(new int[] {10, 1}); // ln 11 = 2.40 vs ln 2 = 0.69
    // at frame 100: 2.40 / 100 = 0.024 < 0.69 / 10 = 0.069: the well-used but old entry goes
    bank.absorb(100, keys(1), new float[] {3}, 1);
    assertThat(bank.values()).containsExactly(2, 3);
  }

  @Test
  void tiesEvictTheOlderEntry() {
    FeatureBank bank = new FeatureBank(2, 1, NO_MERGE.toBuilder().budget(2).build());
    bank.absorb(0, keys(1), new float[] {1}, 1);
    bank.absorb(5, keys(1), new float[] {2}, 1);
    bank.absorb(6, keys(1), new float[] {3}, 1); // both unused (score 0): the one born at 0 goes
    assertThat(bank.values()).containsExactly(2, 3);
    assertThat(bank.birthFrame(0)).isEqualTo(5);
  }

  @Test
  void keepFirstFrameNeverEvictsTheFirstFramesEntries() {
    FeatureBank bank = new FeatureBank(2, 1, NO_MERGE.toBuilder().budget(4).build());
    bank.absorb(3, keys(2), new float[] {1, 2}, 2, true);   // the first frame: nothing to protect yet
    bank.absorb(5, keys(1), new float[] {3}, 1, true);
    bank.absorb(6, keys(1), new float[] {4}, 1, true);
    bank.recordUsage(new int[] {0, 0, 9, 9});                // the first frame's entries are the least used
    FeatureBank.AbsorbResult result = bank.absorb(7, keys(2), new float[] {5, 6}, 2, true);
    assertThat(result.evicted()).isEqualTo(2);
    assertThat(bank.values()).containsExactly(1, 2, 5, 6);   // frames 5 and 6 went, frame 3 stayed

    // more new entries than the room the first frame leaves: an evenly spaced subset of that room
    result = bank.absorb(8, keys(5), new float[] {10, 11, 12, 13, 14}, 5, true);
    assertThat(result).isEqualTo(new FeatureBank.AbsorbResult(0, 0, 2, 2, 3));
    assertThat(bank.values()).containsExactly(1, 2, 10, 12);
    assertThat(bank.birthFrame(0)).isEqualTo(3);

    // without the flag the same bank evicts by usage alone: the unused first-frame entries go first
    FeatureBank plain = FeatureBank.fromHalfTensors(bank.toHalfTensors(), bank.config());
    plain.recordUsage(new int[] {0, 0, 9, 9});
    plain.absorb(9, keys(2), new float[] {20, 21}, 2);
    assertThat(plain.values()).containsExactly(10, 12, 20, 21);
  }

  @Test
  void keepFirstFrameWithAFirstFrameFillingTheBudgetAppendsNothing() {
    FeatureBank bank = new FeatureBank(2, 1, NO_MERGE.toBuilder().budget(2).build());
    bank.absorb(0, keys(3), new float[] {1, 2, 3}, 3, true);
    assertThat(bank.values()).containsExactly(1, 2);         // floor(i * 3 / 2) = rows 0, 1
    FeatureBank.AbsorbResult result = bank.absorb(1, keys(2), new float[] {4, 5}, 2, true);
    assertThat(result).isEqualTo(new FeatureBank.AbsorbResult(0, 0, 0, 0, 2));
    assertThat(bank.values()).containsExactly(1, 2);
  }

  @Test
  void moreNewFeaturesThanBudgetKeepsAnEvenlySpacedSubset() {
    FeatureBank bank = new FeatureBank(2, 1, NO_MERGE.toBuilder().budget(4).build());
    bank.absorb(0, keys(3), new float[] {100, 101, 102}, 3);
    float[] values = new float[10];
    for (int i = 0; i < 10; i++) {
      values[i] = i;
    }
    FeatureBank.AbsorbResult result = bank.absorb(1, keys(10), values, 10);
    assertThat(result).isEqualTo(new FeatureBank.AbsorbResult(0, 0, 4, 3, 6));
    assertThat(bank.values()).containsExactly(0, 2, 5, 7); // rows floor(i * 10 / 4)
  }

  @Test
  void budgetIsNeverExceededWhileAnUnboundedBankGrows() {
    int d = 16;
    int v = 2;
    FeatureBankConfig config = FeatureBankConfig.builder().budget(50).build();
    FeatureBank bounded = new FeatureBank(d, v, config);
    FeatureBank unbounded = new FeatureBank(d, v, config.toBuilder().evictionEnabled(false).build());
    Random random = new Random(5);
    int appended = 0;
    for (int frame = 0; frame < 150; frame++) {
      float[] keys = NaiveAttention.gaussian(random, 20 * d, 1.0);
      float[] values = NaiveAttention.gaussian(random, 20 * v, 1.0);
      if (!bounded.isEmpty()) {
        bounded.read(JAVA, keys, 20);
      }
      bounded.absorb(frame, keys, values, 20);
      appended += unbounded.absorb(frame, keys, values, 20).appended();
      assertThat(bounded.size()).as("frame %d", frame).isLessThanOrEqualTo(50);
    }
    assertThat(bounded.size()).isEqualTo(50);
    assertThat(unbounded.size()).isEqualTo(appended).isGreaterThan(2000);
    assertThat(bounded.stateBytes()).isEqualTo(50L * ((d + v) * 2 + 12));
  }

  @Test
  void readMatchesNaiveAttentionAndCountsUses() {
    int d = 8;
    int v = 3;
    int m = 40;
    int n = 25;
    Random random = new Random(9);
    FeatureBank bank = new FeatureBank(d, v, NO_MERGE);
    bank.absorb(0, NaiveAttention.gaussian(random, m * d, 1.5), NaiveAttention.gaussian(random, m * v, 1.0), m);
    float[] q = NaiveAttention.gaussian(random, n * d, 1.5);

    float[] out = bank.read(JAVA, q, n);

    double[][] w = NaiveAttention.weights(q, n, bank.keys(), m, d);
    double[] expected = NaiveAttention.readout(w, bank.values(), m, v);
    for (int i = 0; i < out.length; i++) {
      assertThat((double) out[i]).isCloseTo(expected[i], offset(1e-5));
    }
    int[] hits = NaiveAttention.hits(w, m, bank.config().usageThreshold());
    for (int j = 0; j < m; j++) {
      assertThat(bank.usage(j)).as("usage of %d", j).isCloseTo((float) Math.log1p(hits[j]), offset(1e-6f));
    }
    // a second read adds
    bank.read(JAVA, q, n);
    assertThat(bank.usage(0)).isCloseTo((float) (2 * Math.log1p(hits[0])), offset(1e-5f));
  }

  @Test
  void usageIsCapped() {
    FeatureBank bank = new FeatureBank(2, 1, NO_MERGE);
    bank.absorb(0, keys(1), new float[] {1}, 1);
    for (int i = 0; i < 20_000; i++) {
      bank.recordUsage(new int[] {1_000_000});
    }
    assertThat(bank.usage(0)).isEqualTo(FeatureBank.USAGE_CAP);
  }

  @Test
  void emptyBankReadsZeros() {
    FeatureBank bank = new FeatureBank(3, 2, FeatureBankConfig.defaults());
    assertThat(bank.read(JAVA, new float[6], 2)).containsExactly(0, 0, 0, 0);
    assertThat(bank.absorb(0, new float[0], new float[0], 0)).isEqualTo(new FeatureBank.AbsorbResult(0, 0, 0, 0, 0));
  }

  @Test
  void snapshotKeepsFeaturesWithinFp16AndFramesExactly() {
    Random random = new Random(20);
    float[] keys = NaiveAttention.gaussian(random, 10 * 4, 1.0);
    float[] values = NaiveAttention.gaussian(random, 10 * 3, 1.0);
    FeatureBank bank = new FeatureBank(4, 3, NO_MERGE);
    bank.absorb(5_000_000_007L, keys, values, 10); // past 2^32: all four halves of the int64 matter

    FeatureBank restored = FeatureBank.fromHalfTensors(bank.toHalfTensors(), NO_MERGE);

    assertFp16Close(restored.keys(), keys);
    assertFp16Close(restored.values(), values);
    assertThat(restored.birthFrame(9)).isEqualTo(5_000_000_007L);
  }

  @Test
  void snapshotRoundTripIsLosslessAndBehavesIdentically() {
    int d = 6;
    int v = 2;
    Random random = new Random(21);
    FeatureBankConfig config = FeatureBankConfig.builder().budget(60).thresClose(0.8f).build(); // merges and evicts
    FeatureBank bank = new FeatureBank(d, v, config);
    for (int frame = 0; frame < 6; frame++) {
      float[] keys = NaiveAttention.gaussian(random, 30 * d, 1.0);
      if (frame > 0) {
        bank.read(JAVA, keys, 30);
      }
      bank.absorb(frame, keys, NaiveAttention.gaussian(random, 30 * v, 1.0), 30);
    }
    List<HalfTensor> tensors = bank.toHalfTensors();
    assertThat(tensors).extracting(HalfTensor::rank).containsExactly(2, 2, 2);
    assertThat(tensors.get(0).shape()).containsExactly(bank.size(), d);
    assertThat(tensors.stream().mapToLong(HalfTensor::byteSize).sum()).isEqualTo(bank.stateBytes());

    FeatureBank restored = FeatureBank.fromHalfTensors(tensors, config);

    assertThat(restored.size()).isEqualTo(bank.size());
    assertThat(restored.keys()).isEqualTo(bank.keys());
    assertThat(restored.values()).isEqualTo(bank.values());
    for (int i = 0; i < bank.size(); i++) {
      assertThat(restored.birthFrame(i)).isEqualTo(bank.birthFrame(i));
      assertThat(restored.usage(i)).isEqualTo(bank.usage(i));
    }
    // the same next frame gives bit-identical results
    float[] q = NaiveAttention.gaussian(random, 30 * d, 1.0);
    float[] values = NaiveAttention.gaussian(random, 30 * v, 1.0);
    assertThat(restored.read(JAVA, q, 30)).isEqualTo(bank.read(JAVA, q, 30));
    assertThat(restored.absorb(6, q, values, 30)).isEqualTo(bank.absorb(6, q, values, 30));
    assertThat(restored.toHalfTensors()).isEqualTo(bank.toHalfTensors());
  }

  @Test
  void emptySnapshotRoundTrips() {
    FeatureBank empty = new FeatureBank(5, 1, FeatureBankConfig.defaults());
    FeatureBank restored = FeatureBank.fromHalfTensors(empty.toHalfTensors(), FeatureBankConfig.defaults());
    assertThat(restored.size()).isZero();
    assertThat(restored.keyDim()).isEqualTo(5);
    assertThat(restored.valueDim()).isEqualTo(1);
  }

  @Test
  void rejectsBadFeaturesAndSnapshots() {
    FeatureBank bank = new FeatureBank(2, 1, FeatureBankConfig.defaults());
    assertThatThrownBy(() -> bank.absorb(0, new float[] {1, Float.NaN}, new float[] {1}, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("newKeys[1]");
    assertThatThrownBy(() -> bank.absorb(0, new float[] {1, 1}, new float[] {70_000f}, 1))
        .hasMessageContaining("within +-65504");
    assertThatThrownBy(() -> bank.absorb(0, new float[] {1}, new float[] {1}, 1))
        .hasMessageContaining("newKeys holds 1 floats, need 1 x 2");
    assertThatThrownBy(() -> FeatureBank.fromHalfTensors(
        List.of(HalfTensor.zeros(3, 2), HalfTensor.zeros(2, 1), HalfTensor.zeros(3, 6)), FeatureBankConfig.defaults()))
        .hasMessageContaining("shapes must be");
    short[] info = new short[6];
    info[4] = (short) 0xbf80; // usage -1.0
    assertThatThrownBy(() -> FeatureBank.fromHalfTensors(
        List.of(HalfTensor.zeros(1, 2), HalfTensor.zeros(1, 1), HalfTensor.ofBits(new long[] {1, 6}, info)),
        FeatureBankConfig.defaults()))
        .hasMessageContaining("info tensor is corrupt");
  }

  @Test
  void configDefaultsAndValidation() {
    FeatureBankConfig config = FeatureBankConfig.defaults();
    assertThat(config.thresClose()).isEqualTo(0.95f);
    assertThat(config.updateRate()).isEqualTo(0.1f);
    assertThat(config.usageThreshold()).isEqualTo(1e-3f);
    assertThat(config.evictionEnabled()).isTrue();
    assertThat(config.readoutKernel()).isEqualTo(ReadoutKernel.ONNX);
    assertThat(config.toBuilder().build()).isEqualTo(config).hasSameHashCodeAs(config);
    assertThatThrownBy(() -> FeatureBankConfig.builder().budget(0).build())
        .hasMessageContaining("evictionEnabled(false)");
    assertThatThrownBy(() -> FeatureBankConfig.builder().thresClose(1.5f).build()).hasMessageContaining("[-1, 1]");
    assertThatThrownBy(() -> FeatureBankConfig.builder().updateRate(-0.1f).build()).hasMessageContaining("[0, 1]");
    assertThatThrownBy(() -> FeatureBankConfig.builder().usageThreshold(0f).build())
        .hasMessageContaining("[1e-20, 1)");
  }

  // ---- helpers ----------------------------------------------------------------------------------------------------

  /** n mutually orthogonal-ish keys that never merge with each other under NO_MERGE anyway. */
  private static float[] keys(int n) {
    float[] k = new float[n * 2];
    for (int i = 0; i < n; i++) {
      k[i * 2] = 1 + i;
      k[i * 2 + 1] = 1;
    }
    return k;
  }

  private static float round16(float x) {
    return Fp16.toFloat(Fp16.fromFloat(x));
  }

  private static double[] scaled(double[] x, double factor) {
    double norm = 0;
    for (double e : x) {
      norm += e * e;
    }
    norm = Math.sqrt(norm);
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] / norm * factor;
    }
    return out;
  }

  private static void assertFp16Close(float[] actual, float[] expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i]).isCloseTo(expected[i], offset(Math.abs(expected[i]) * 0x1p-11f + 1e-7f));
    }
  }

  /** Within fp16 rounding (relative 2^-10, plus a little absolute slack for values near zero). */
  private static void assertRowClose(float[] actual, int offset, double[] expected) {
    for (int i = 0; i < expected.length; i++) {
      assertThat((double) actual[offset + i]).as("element %d", i)
          .isCloseTo(expected[i], offset(Math.abs(expected[i]) * 0x1p-10 + 1e-4));
    }
  }

  /**
   * The absorb rule written out plainly: double precision, cosine by loops, first index on ties, normalized mean of
   * the merged keys, magnitude kept, fp16 rounding where the bank rounds. No eviction.
   */
  private static final class NaiveBank {
    final int d;
    final int v;
    final FeatureBankConfig config;
    final List<double[]> keys = new ArrayList<>();
    final List<double[]> values = new ArrayList<>();

    NaiveBank(int d, int v, FeatureBankConfig config) {
      this.d = d;
      this.v = v;
      this.config = config;
    }

    int size() {
      return keys.size();
    }

    int absorb(float[] newKeys, float[] newValues, int count) {
      int m = keys.size();
      int[] nearest = new int[count];
      boolean[] merge = new boolean[count];
      int merged = 0;
      for (int c = 0; c < count && m > 0; c++) {
        double best = Double.NEGATIVE_INFINITY;
        for (int e = 0; e < m; e++) {
          double cos = cosine(keys.get(e), newKeys, c * d);
          if (cos > best) {
            best = cos;
            nearest[c] = e;
          }
        }
        if (best > config.thresClose()) {
          merge[c] = true;
          merged++;
        }
      }
      double r = config.updateRate();
      for (int e = 0; e < m; e++) {
        double[] keySum = new double[d];
        double[] valueSum = new double[v];
        int members = 0;
        for (int c = 0; c < count; c++) {
          if (merge[c] && nearest[c] == e) {
            members++;
            addNormalized(keySum, newKeys, c * d, d);
            addNormalized(valueSum, newValues, c * v, v);
          }
        }
        if (members > 0) {
          blend(keys.get(e), keySum, members, r);
          blend(values.get(e), valueSum, members, r);
        }
      }
      for (int c = 0; c < count; c++) {
        if (!merge[c]) {
          keys.add(rounded(newKeys, c * d, d));
          values.add(rounded(newValues, c * v, v));
        }
      }
      return merged;
    }

    private static double cosine(double[] a, float[] b, int offset) {
      double dot = 0;
      double na = 0;
      double nb = 0;
      for (int i = 0; i < a.length; i++) {
        dot += a[i] * b[offset + i];
        na += a[i] * a[i];
        nb += (double) b[offset + i] * b[offset + i];
      }
      return dot / Math.sqrt(na * nb);
    }

    private static void addNormalized(double[] sum, float[] x, int offset, int n) {
      double norm = NaiveAttention.norm(x, offset, n);
      for (int i = 0; i < n; i++) {
        sum[i] += x[offset + i] / norm;
      }
    }

    private static void blend(double[] x, double[] sum, int members, double r) {
      double magnitude = 0;
      for (double e : x) {
        magnitude += e * e;
      }
      magnitude = Math.sqrt(magnitude);
      double[] b = new double[x.length];
      double bn = 0;
      for (int i = 0; i < x.length; i++) {
        b[i] = (1 - r) * x[i] / magnitude + r * sum[i] / members;
        bn += b[i] * b[i];
      }
      bn = Math.sqrt(bn);
      for (int i = 0; i < x.length; i++) {
        x[i] = round16((float) (b[i] / bn * magnitude));
      }
    }

    private static double[] rounded(float[] x, int offset, int n) {
      double[] out = new double[n];
      for (int i = 0; i < n; i++) {
        out[i] = round16(x[offset + i]);
      }
      return out;
    }
  }
}
