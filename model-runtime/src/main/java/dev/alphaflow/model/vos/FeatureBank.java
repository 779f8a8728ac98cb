package dev.alphaflow.model.vos;

import dev.alphaflow.model.tensor.Fp16;
import dev.alphaflow.model.tensor.HalfTensor;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One object's adaptive feature bank (AFB-URR): keys ({@code keyDim} floats each), values ({@code valueDim} floats
 * each) and per entry the frame it was born on and a usage score. Bounded by the config's budget on videos of any
 * length.
 *
 * <pre>{@code
 * FeatureBank bank = new FeatureBank(keyDim, valueDim, config);
 * bank.absorb(0, firstFrameKeys, firstFrameValues, positions);          // the prompt frame
 * for (long t = 1; ; t++) {
 *   float[] memory = bank.read(readout, queryKeys, positions);          // [positions, valueDim]
 *   ...                                                                 // decode the mask from memory
 *   bank.absorb(t, queryKeys, maskValues, positions);
 * }
 * }</pre>
 *
 * <ul>
 *   <li><b>Absorb</b>: each new key is compared, by cosine similarity, with every bank key in one blocked matrix
 *       product of the normalized keys. Above {@code thresClose} it merges into its nearest entry: the new keys that
 *       chose one entry are averaged (normalized), and {@code k = |k| * normalize((1 - r) k/|k| + r * mean)}, so the
 *       entry keeps its magnitude exactly (AFB-URR keeps it approximately: it skips the renormalisation). Values merge
 *       as {@link FeatureBankConfig.ValueMerge} says. The others are appended, born on this frame with usage 0.
 *   <li><b>Evict</b>: when the entries plus the appended ones would exceed the budget, the existing entries with
 *       the lowest {@code usage / max(1, frame - birth)} go, ties going oldest first, exactly as many as needed (AFB-URR
 *       removes in rounds by an integer threshold, often far more). New entries are never evicted for old ones; if a
 *       single frame brings more new entries than the budget, the bank is replaced by an evenly spaced subset of them.
 *       With {@code keepFirstFrame} (see {@link #absorb(long, float[], float[], int, boolean)}) the entries of the
 *       bank's first frame are never evicted and new entries share what budget they leave.
 *   <li><b>Read</b>: softmax attention of query keys over the bank keys, scaled by 1/sqrt(keyDim), returning the
 *       weighted values; then each entry's usage grows by {@code ln(1 + n)} where n is the number of queries that
 *       gave it a weight above {@code usageThreshold} (AFB-URR's update), capped at {@value #USAGE_CAP}.
 * </ul>
 *
 * <p>Keys and values are stored rounded to fp16, as they would be in a checkpoint; birth frames and usage are kept
 * exactly. So {@link #toHalfTensors()} loses nothing, and a bank restored from a checkpoint behaves bit for bit like
 * the uninterrupted one. Not thread-safe.
 */
public final class FeatureBank {

  /** Usage scores stop growing here (AFB-URR clamps at 1e5 too). */
  public static final float USAGE_CAP = 1e5f;
  /** Largest finite fp16 magnitude: larger features cannot be stored. */
  private static final float FP16_MAX = 65504f;
  /** Shorts per entry in the info tensor: birth frame (int64) then usage (float32) bit patterns, high halves first. */
  static final int INFO_WIDTH = 6;

  private final int keyDim;
  private final int valueDim;
  private final FeatureBankConfig config;
  private float[] keys;
  private float[] values;
  private long[] birth;
  private float[] usage;
  private int size;

  public FeatureBank(int keyDim, int valueDim, FeatureBankConfig config) {
    if (keyDim < 1 || valueDim < 1) {
      throw new IllegalArgumentException("keyDim and valueDim must be positive, got " + keyDim + " and " + valueDim);
    }
    this.keyDim = keyDim;
    this.valueDim = valueDim;
    this.config = Objects.requireNonNull(config, "config");
    int capacity = 16;
    this.keys = new float[capacity * keyDim];
    this.values = new float[capacity * valueDim];
    this.birth = new long[capacity];
    this.usage = new float[capacity];
  }

  /**
   * What one {@link #absorb} did: {@code merged} new features went into {@code mergedEntries} distinct existing
   * entries, {@code appended} became new entries, {@code evicted} existing entries were removed to stay within the
   * budget, and {@code dropped} new features were neither merged nor appended (more than the budget arrived at once).
   */
  public record AbsorbResult(int merged, int mergedEntries, int appended, int evicted, int dropped) {}

  /**
   * Adds one frame's features: merges each into its nearest entry when their cosine similarity exceeds
   * {@code thresClose}, appends the rest, and evicts to stay within the budget.
   *
   * @param frameIndex the frame these features come from; frames should not go backwards (ages are clamped at 1)
   * @param newKeys row-major {@code [count, keyDim]}, finite, magnitude at most 65504 (fp16)
   * @param newValues row-major {@code [count, valueDim]}, same limits
   */
  public AbsorbResult absorb(long frameIndex, float[] newKeys, float[] newValues, int count) {
    return absorb(frameIndex, newKeys, newValues, count, false);
  }

  /**
   * {@link #absorb(long, float[], float[], int)}, optionally keeping the bank's first frame: with
   * {@code keepFirstFrame}, the entries born on the earliest birth frame in the bank (for a bank started from a prompt,
   * the prompt frame) are never evicted, and new entries only get the budget those entries leave. A reference frame
   * whose features stop matching for a while (an object turning away) is then still there when it turns back. The
   * protected frame is read from the entries' birth frames, which snapshots keep, so a restored bank protects the
   * same entries.
   */
  public AbsorbResult absorb(long frameIndex, float[] newKeys, float[] newValues, int count,
      boolean keepFirstFrame) {
    checkFeatures("newKeys", newKeys, count, keyDim);
    checkFeatures("newValues", newValues, count, valueDim);
    if (count == 0) {
      return new AbsorbResult(0, 0, 0, 0, 0);
    }
    float[] normalized = normalizedRows(newKeys, count, keyDim);
    int[] nearest = new int[count];
    boolean[] merge = new boolean[count];
    int merged = 0;
    if (size > 0 && config.thresClose() < 1f) {
      float[] similarity = new float[count];
      nearestEntries(normalized, count, nearest, similarity);
      for (int c = 0; c < count; c++) {
        if (similarity[c] > config.thresClose()) {
          merge[c] = true;
          merged++;
        }
      }
    }
    int mergedEntries = merged == 0 ? 0 : mergeInto(normalized, newValues, count, nearest, merge);

    int[] appends = new int[count - merged];
    for (int c = 0, a = 0; c < count; c++) {
      if (!merge[c]) {
        appends[a++] = c;
      }
    }
    int dropped = 0;
    int evicted = 0;
    if (config.evictionEnabled()) {
      int budget = config.budget();
      long firstFrame = keepFirstFrame && size > 0 ? firstBirthFrame() : Long.MIN_VALUE;
      int kept = firstFrame == Long.MIN_VALUE ? 0 : Math.min(budget, countBornOn(firstFrame));
      int room = budget - kept;
      if (appends.length > room) {
        dropped = appends.length - room;
        appends = evenlySpaced(appends, room);
      }
      int excess = size + appends.length - budget;
      if (excess > 0) {
        evicted = evict(excess, frameIndex, firstFrame);
      }
    }
    append(frameIndex, newKeys, newValues, appends);
    return new AbsorbResult(merged, mergedEntries, appends.length, evicted, dropped);
  }

  /**
   * Reads the bank with {@code queryCount} query keys (row-major {@code [queryCount, keyDim]}): returns
   * {@code [queryCount, valueDim]} row-major readout values (zeros when the bank is empty) and counts the uses.
   */
  public float[] read(AttentionReadout readout, float[] queryKeys, int queryCount) {
    Read read = readWithoutCounting(readout, queryKeys, queryCount);
    countUses(read);
    return read.values();
  }

  /**
   * What {@link #readWithoutCounting} found: the readout values ({@code [queryCount, valueDim]} row-major) and per
   * entry the number of queries that used it, to be counted with {@link #countUses} once the frame is sure to go on.
   */
  public record Read(float[] values, int[] hits) {}

  /**
   * {@link #read} without changing the bank: a caller that may still fail later on the same frame (and must then
   * leave the bank as it was) reads first and calls {@link #countUses} when nothing can fail any more.
   */
  public Read readWithoutCounting(AttentionReadout readout, float[] queryKeys, int queryCount) {
    Objects.requireNonNull(readout, "readout");
    float[] out = new float[queryCount * valueDim];
    if (size == 0) {
      Kernels.checkReadArguments(queryKeys, queryCount, keys, values, 0, keyDim, valueDim, out, null);
      return new Read(out, new int[0]);
    }
    int[] hits = new int[size];
    readout.attend(queryKeys, queryCount, keys, values, size, keyDim, valueDim, config.usageThreshold(), out, hits);
    return new Read(out, hits);
  }

  /**
   * Counts the uses of a {@link #readWithoutCounting} of this bank, as {@link #read} would have.
   *
   * @throws IllegalStateException when the bank has changed size since that read (its hits belong to other entries)
   */
  public void countUses(Read read) {
    if (read.hits().length != size) {
      throw new IllegalStateException("the read counted " + read.hits().length + " entries but the bank holds " + size
          + ": count a read's uses before the bank absorbs or evicts");
    }
    recordUsage(read.hits());
  }

  /**
   * This bank with {@code config} instead of its own: itself when the configs are equal, else a copy (entries, birth
   * frames and usage bit for bit). The segmenter uses it so that a bank restored from a checkpoint follows the job's
   * current options (budget, thresholds), not the ones it was saved with.
   */
  public FeatureBank withConfig(FeatureBankConfig config) {
    Objects.requireNonNull(config, "config");
    if (config.equals(this.config)) {
      return this;
    }
    FeatureBank copy = new FeatureBank(keyDim, valueDim, config);
    copy.ensureCapacity(size);
    System.arraycopy(keys, 0, copy.keys, 0, size * keyDim);
    System.arraycopy(values, 0, copy.values, 0, size * valueDim);
    System.arraycopy(birth, 0, copy.birth, 0, size);
    System.arraycopy(usage, 0, copy.usage, 0, size);
    copy.size = size;
    return copy;
  }

  /** Adds {@code ln(1 + hits[j])} to each entry's usage, capped at {@link #USAGE_CAP}. */
  void recordUsage(int[] hits) {
    for (int j = 0; j < size; j++) {
      if (hits[j] > 0) {
        usage[j] = Math.min(USAGE_CAP, usage[j] + (float) Math.log1p(hits[j]));
      }
    }
  }

  // ---- absorb internals -------------------------------------------------------------------------------------------

  /** For each new (normalized) key, the index and cosine similarity of the most similar bank key (lowest index on ties). */
  private void nearestEntries(float[] normalized, int count, int[] nearest, float[] similarity) {
    int m = size;
    float[] inverseNorms = new float[m];
    for (int j = 0; j < m; j++) {
      double norm = norm(keys, j * keyDim, keyDim);
      inverseNorms[j] = norm > 0 ? (float) (1.0 / norm) : 0f; // a zero key has similarity 0 to everything
    }
    int width = Kernels.tileWidth(m);
    int tiles = Kernels.tileCount(m, width);
    float[][] kt = Kernels.packTransposed(keys, m, keyDim, width, 1f, inverseNorms);
    int blockRows = Math.min(Kernels.scoreBlockRows(m), count + (count & 1));
    float[][] s = Kernels.newScoreBlock(blockRows, tiles, width);
    for (int c0 = 0; c0 < count; c0 += blockRows) {
      int rows = Math.min(blockRows, count - c0);
      Kernels.scores(normalized, c0, rows, keyDim, kt, tiles, s);
      for (int r = 0; r < rows; r++) {
        float best = Float.NEGATIVE_INFINITY;
        int bestIndex = 0;
        for (int t = 0; t < tiles; t++) {
          float[] tile = s[r * tiles + t];
          int n = Kernels.tileLength(t, m, width);
          for (int j = 0; j < n; j++) {
            if (tile[j] > best) {
              best = tile[j];
              bestIndex = t * width + j;
            }
          }
        }
        nearest[c0 + r] = bestIndex;
        similarity[c0 + r] = best;
      }
    }
  }

  /** Merges the marked new features into their nearest entries; returns how many distinct entries changed. */
  private int mergeInto(float[] normalizedKeys, float[] newValues, int count, int[] nearest, boolean[] merge) {
    boolean keepValueMagnitude = config.valueMerge() == FeatureBankConfig.ValueMerge.KEEP_MAGNITUDE;
    int[] slotOf = new int[size];
    Arrays.fill(slotOf, -1);
    int slots = 0;
    for (int c = 0; c < count; c++) {
      if (merge[c] && slotOf[nearest[c]] < 0) {
        slotOf[nearest[c]] = slots++;
      }
    }
    float[] keySum = new float[slots * keyDim];
    float[] valueSum = new float[slots * valueDim];
    int[] members = new int[slots];
    for (int c = 0; c < count; c++) {
      if (!merge[c]) {
        continue;
      }
      int slot = slotOf[nearest[c]];
      members[slot]++;
      addRow(keySum, slot * keyDim, normalizedKeys, c * keyDim, keyDim, 1f);
      int v = c * valueDim;
      float factor = 1f;
      if (keepValueMagnitude) {
        double norm = norm(newValues, v, valueDim);
        factor = norm > 0 ? (float) (1.0 / norm) : 0f;
      }
      addRow(valueSum, slot * valueDim, newValues, v, valueDim, factor);
    }
    float rate = config.updateRate();
    for (int e = 0; e < size; e++) {
      int slot = slotOf[e];
      if (slot < 0) {
        continue;
      }
      float inverseMembers = 1f / members[slot];
      blendKeepingMagnitude(keys, e * keyDim, keySum, slot * keyDim, keyDim, inverseMembers, rate);
      if (keepValueMagnitude) {
        blendKeepingMagnitude(values, e * valueDim, valueSum, slot * valueDim, valueDim, inverseMembers, rate);
      } else {
        int o = e * valueDim;
        int s = slot * valueDim;
        for (int i = 0; i < valueDim; i++) {
          values[o + i] = round16((1f - rate) * values[o + i] + rate * valueSum[s + i] * inverseMembers);
        }
      }
    }
    return slots;
  }

  /**
   * {@code x = |x| * normalize((1 - rate) * x/|x| + rate * sum * inverseMembers)}, rounded to fp16. A zero entry, or
   * a blend that cancels to zero, is left as it is.
   */
  private static void blendKeepingMagnitude(float[] x, int offset, float[] sum, int sumOffset, int n,
      float inverseMembers, float rate) {
    double magnitude = norm(x, offset, n);
    if (magnitude == 0) {
      return;
    }
    double[] blend = new double[n];
    double blendNorm = 0;
    for (int i = 0; i < n; i++) {
      double b = (1.0 - rate) * (x[offset + i] / magnitude) + rate * (double) sum[sumOffset + i] * inverseMembers;
      blend[i] = b;
      blendNorm += b * b;
    }
    blendNorm = Math.sqrt(blendNorm);
    if (blendNorm == 0) {
      return;
    }
    double factor = magnitude / blendNorm;
    for (int i = 0; i < n; i++) {
      x[offset + i] = round16((float) (blend[i] * factor));
    }
  }

  /** The earliest birth frame of any entry; the bank must not be empty. */
  private long firstBirthFrame() {
    long first = Long.MAX_VALUE;
    for (int i = 0; i < size; i++) {
      first = Math.min(first, birth[i]);
    }
    return first;
  }

  private int countBornOn(long frame) {
    int n = 0;
    for (int i = 0; i < size; i++) {
      if (birth[i] == frame) {
        n++;
      }
    }
    return n;
  }

  /**
   * Removes up to {@code excess} entries with the lowest usage / age, never one born on {@code protectedFrame}
   * ({@code Long.MIN_VALUE}: none protected); returns how many went.
   */
  private int evict(int excess, long frameIndex, long protectedFrame) {
    int candidates = 0;
    for (int i = 0; i < size; i++) {
      if (birth[i] != protectedFrame) {
        candidates++;
      }
    }
    int remove = Math.min(excess, candidates);
    if (remove == 0) {
      return 0;
    }
    if (remove == size) {
      size = 0;
      return remove;
    }
    // Sort keys: LFU score bits (non-negative floats order like their bits) above the index, so ties go to the
    // lower index, which is the older entry: entries are appended in frame order and compaction keeps the order.
    long[] order = new long[candidates];
    for (int i = 0, c = 0; i < size; i++) {
      if (birth[i] != protectedFrame) {
        order[c++] = ((long) Float.floatToIntBits(leastFrequentlyUsedScore(i, frameIndex)) << 32) | i;
      }
    }
    Arrays.sort(order);
    boolean[] gone = new boolean[size];
    for (int i = 0; i < remove; i++) {
      gone[(int) order[i]] = true;
    }
    int kept = 0;
    for (int i = 0; i < size; i++) {
      if (gone[i]) {
        continue;
      }
      if (kept != i) {
        System.arraycopy(keys, i * keyDim, keys, kept * keyDim, keyDim);
        System.arraycopy(values, i * valueDim, values, kept * valueDim, valueDim);
        birth[kept] = birth[i];
        usage[kept] = usage[i];
      }
      kept++;
    }
    size = kept;
    return remove;
  }

  /** AFB-URR's LFU score: usage divided by age in frames (at least 1). */
  float leastFrequentlyUsedScore(int entry, long frameIndex) {
    long age = Math.max(1L, frameIndex - birth[entry]);
    return usage[entry] / (float) age;
  }

  private void append(long frameIndex, float[] newKeys, float[] newValues, int[] rows) {
    ensureCapacity(size + rows.length);
    for (int row : rows) {
      for (int i = 0; i < keyDim; i++) {
        keys[size * keyDim + i] = round16(newKeys[row * keyDim + i]);
      }
      for (int i = 0; i < valueDim; i++) {
        values[size * valueDim + i] = round16(newValues[row * valueDim + i]);
      }
      birth[size] = frameIndex;
      usage[size] = 0f;
      size++;
    }
  }

  private void ensureCapacity(int entries) {
    int capacity = birth.length;
    if (entries <= capacity) {
      return;
    }
    int grown = Math.max(entries, capacity + (capacity >> 1));
    keys = Arrays.copyOf(keys, Math.multiplyExact(grown, keyDim));
    values = Arrays.copyOf(values, Math.multiplyExact(grown, valueDim));
    birth = Arrays.copyOf(birth, grown);
    usage = Arrays.copyOf(usage, grown);
  }

  /** {@code k} of {@code rows}, evenly spread: {@code rows[floor(i * n / k)]}. */
  private static int[] evenlySpaced(int[] rows, int k) {
    int[] out = new int[k];
    for (int i = 0; i < k; i++) {
      out[i] = rows[(int) ((long) i * rows.length / k)];
    }
    return out;
  }

  private static float[] normalizedRows(float[] src, int count, int dim) {
    float[] out = new float[count * dim];
    for (int c = 0; c < count; c++) {
      double norm = norm(src, c * dim, dim);
      if (norm > 0) {
        float inverse = (float) (1.0 / norm);
        for (int i = 0; i < dim; i++) {
          out[c * dim + i] = src[c * dim + i] * inverse;
        }
      }
    }
    return out;
  }

  private static void addRow(float[] dst, int dstOffset, float[] src, int srcOffset, int n, float factor) {
    for (int i = 0; i < n; i++) {
      dst[dstOffset + i] += src[srcOffset + i] * factor;
    }
  }

  private static double norm(float[] x, int offset, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      double v = x[offset + i];
      s += v * v;
    }
    return Math.sqrt(s);
  }

  private static float round16(float x) {
    return Fp16.toFloat(Fp16.fromFloat(x));
  }

  static void checkFeatures(String name, float[] features, int count, int dim) {
    Objects.requireNonNull(features, name);
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
    long needed = (long) count * dim;
    if (features.length < needed) {
      throw new IllegalArgumentException(name + " holds " + features.length + " floats, need " + count + " x " + dim
          + " = " + needed);
    }
    for (int i = 0; i < needed; i++) {
      float x = features[i];
      if (!(Math.abs(x) <= FP16_MAX)) {
        throw new IllegalArgumentException(name + "[" + i + "] (row " + i / dim + ") is " + x + ": features must be "
            + "finite and within +-65504 to be stored in fp16; scale them down");
      }
    }
  }

  // ---- accessors --------------------------------------------------------------------------------------------------

  /** Number of entries. */
  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  public int keyDim() {
    return keyDim;
  }

  public int valueDim() {
    return valueDim;
  }

  public FeatureBankConfig config() {
    return config;
  }

  /** A copy of the keys, row-major {@code [size, keyDim]}. */
  public float[] keys() {
    return Arrays.copyOf(keys, size * keyDim);
  }

  /** A copy of the values, row-major {@code [size, valueDim]}. */
  public float[] values() {
    return Arrays.copyOf(values, size * valueDim);
  }

  /** The frame entry {@code i} was appended on. */
  public long birthFrame(int i) {
    Objects.checkIndex(i, size);
    return birth[i];
  }

  /** Entry {@code i}'s usage score: the sum over reads of ln(1 + queries that used it). */
  public float usage(int i) {
    Objects.checkIndex(i, size);
    return usage[i];
  }

  /** Bytes of {@link #toHalfTensors()} data: entries x ((keyDim + valueDim) x 2 + 12). */
  public long stateBytes() {
    return (long) size * ((keyDim + valueDim) * 2L + INFO_WIDTH * 2L);
  }

  // ---- snapshot ---------------------------------------------------------------------------------------------------

  /**
   * The bank as three fp16 tensors, for {@code HalfTensorListSerializer}: keys {@code [n, keyDim]}, values
   * {@code [n, valueDim]}, and info {@code [n, 6]}. Info is not fp16 numbers (frame indices pass 2048 within a
   * minute of video): each row carries bit patterns, the birth frame as an int64 and the usage as a float32, high
   * 16 bits first. Lossless: keys and values are already fp16 values.
   */
  public List<HalfTensor> toHalfTensors() {
    short[] info = new short[size * INFO_WIDTH];
    for (int i = 0; i < size; i++) {
      long b = birth[i];
      int u = Float.floatToRawIntBits(usage[i]);
      int o = i * INFO_WIDTH;
      info[o] = (short) (b >>> 48);
      info[o + 1] = (short) (b >>> 32);
      info[o + 2] = (short) (b >>> 16);
      info[o + 3] = (short) b;
      info[o + 4] = (short) (u >>> 16);
      info[o + 5] = (short) u;
    }
    return List.of(
        HalfTensor.fromFloats(new long[] {size, keyDim}, Arrays.copyOf(keys, size * keyDim)),
        HalfTensor.fromFloats(new long[] {size, valueDim}, Arrays.copyOf(values, size * valueDim)),
        HalfTensor.wrapBits(new long[] {size, INFO_WIDTH}, info));
  }

  /**
   * Restores a bank from {@link #toHalfTensors()}. The config may differ from the one the bank was saved with; a
   * smaller budget takes effect at the next {@link #absorb}.
   */
  public static FeatureBank fromHalfTensors(List<HalfTensor> tensors, FeatureBankConfig config) {
    Objects.requireNonNull(tensors, "tensors");
    if (tensors.size() != 3) {
      throw new IllegalArgumentException("a feature bank snapshot has 3 tensors (keys, values, info), got "
          + tensors.size());
    }
    HalfTensor k = Objects.requireNonNull(tensors.get(0), "keys");
    HalfTensor v = Objects.requireNonNull(tensors.get(1), "values");
    HalfTensor info = Objects.requireNonNull(tensors.get(2), "info");
    if (k.rank() != 2 || v.rank() != 2 || info.rank() != 2 || k.dim(0) != v.dim(0) || k.dim(0) != info.dim(0)
        || info.dim(1) != INFO_WIDTH || k.dim(1) < 1 || v.dim(1) < 1) {
      throw new IllegalArgumentException("feature bank snapshot shapes must be keys [n, d], values [n, v], info [n, "
          + INFO_WIDTH + "] with d, v >= 1; got " + k + ", " + v + ", " + info);
    }
    int n = (int) k.dim(0);
    FeatureBank bank = new FeatureBank((int) k.dim(1), (int) v.dim(1), config);
    bank.ensureCapacity(n);
    k.copyFloatsTo(bank.keys, 0);
    v.copyFloatsTo(bank.values, 0);
    checkFinite("keys", bank.keys, n * bank.keyDim);
    checkFinite("values", bank.values, n * bank.valueDim);
    for (int i = 0; i < n; i++) {
      int o = i * INFO_WIDTH;
      long b = 0;
      for (int s = 0; s < 4; s++) {
        b = (b << 16) | (info.bitsAt(o + s) & 0xffffL);
      }
      float u = Float.intBitsToFloat(((info.bitsAt(o + 4) & 0xffff) << 16) | (info.bitsAt(o + 5) & 0xffff));
      if (!(u >= 0f && u <= USAGE_CAP)) {
        throw new IllegalArgumentException("feature bank snapshot entry " + i + " has usage " + u
            + ", expected a score in [0, " + USAGE_CAP + "]: the info tensor is corrupt");
      }
      bank.birth[i] = b;
      bank.usage[i] = u;
    }
    bank.size = n;
    return bank;
  }

  private static void checkFinite(String name, float[] x, int n) {
    for (int i = 0; i < n; i++) {
      if (!Float.isFinite(x[i])) {
        throw new IllegalArgumentException("feature bank snapshot " + name + "[" + i + "] is " + x[i]
            + ": the snapshot is corrupt");
      }
    }
  }

  @Override
  public String toString() {
    return "FeatureBank{entries=" + size + ", keyDim=" + keyDim + ", valueDim=" + valueDim + "}";
  }
}
