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

    private static Throughput of(int frames, double seconds, long firstMillis, long lastMillis) {
        if (frames < 2 || seconds <= 0) {
            throw new IllegalArgumentException("need at least two outputs over a positive span: " + frames
                    + " frames in " + seconds + " s");
        }
        return new Throughput(frames, seconds, (frames - 1) / seconds, firstMillis, lastMillis);
    }
}
