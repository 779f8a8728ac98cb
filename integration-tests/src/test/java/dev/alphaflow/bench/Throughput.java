package dev.alphaflow.bench;

/**
 * Frames per second between the first and the last output of a run: (frames − 1) ÷ (last − first). The first
 * frame's latency (start-up, warm-up, pipeline fill) is left out for every contender alike. {@code firstMillis} and
 * {@code lastMillis} are the window's wall-clock ends (epoch ms).
 */
record Throughput(int frames, double seconds, double fps, long firstMillis, long lastMillis) {
    static Throughput ofNanos(int frames, long firstNanos, long lastNanos, long lastMillis) {
        double seconds = (lastNanos - firstNanos) / 1e9;
        return of(frames, seconds, lastMillis - Math.round(seconds * 1000), lastMillis);
    }

    static Throughput ofMillis(int frames, long firstMillis, long lastMillis) {
        return of(frames, (lastMillis - firstMillis) / 1e3, firstMillis, lastMillis);
    }

    /**
     * The later half of a run's outputs (by append time): frames/s once start-up and warm-up (JIT, the model's first
     * runs, pipeline fill) are behind; a diagnostic beside {@link #ofMillis}, taken alike for every contender.
     */
    static Throughput laterHalf(java.util.List<Long> appendMillis) {
        long[] t = appendMillis.stream().mapToLong(Long::longValue).sorted().toArray();
        int from = t.length / 2;
        return ofMillis(t.length - from, t[from], t[t.length - 1]);
    }

    private static Throughput of(int frames, double seconds, long firstMillis, long lastMillis) {
        if (frames < 2 || seconds <= 0) {
            throw new IllegalArgumentException("need at least two outputs over a positive span: " + frames
                    + " frames in " + seconds + " s");
        }
        return new Throughput(frames, seconds, (frames - 1) / seconds, firstMillis, lastMillis);
    }
}
