package dev.alphaflow.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

/**
 * What both contenders process: streams of JPEG frames, held in memory as the original file bytes. The frames are
 * DAVIS 2016 dance-twirl (854×480, 90 frames) from the shared data folder.
 */
record Workload(List<StreamFrames> streams) {
    static final int WIDTH = 854;
    static final int HEIGHT = 480;

    /** One stream's frames in order. */
    record StreamFrames(String streamId, List<byte[]> jpegs) {}

    int frameCount() {
        return streams.stream().mapToInt(s -> s.jpegs().size()).sum();
    }

    /** The 90 dance-twirl JPEGs, in order. */
    static List<byte[]> danceTwirl(Path sharedDir) {
        Path dir = sharedDir.resolve("data/davis2016/JPEGImages/480p/dance-twirl");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("benchmark frames not found: " + dir
                    + " (set -Dalphaflow.shared.dir to the folder holding data/ and models/)");
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<byte[]> frames = new ArrayList<>();
            for (Path p : files.filter(p -> p.toString().endsWith(".jpg")).sorted().toList()) {
                frames.add(Files.readAllBytes(p));
            }
            return frames;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir, e);
        }
    }

    /** One stream of {@code n} frames: the video forwards, then backwards, and so on, so motion stays continuous. */
    static Workload singleStream(List<byte[]> video, int n) {
        List<byte[]> frames = new ArrayList<>(n);
        int period = 2 * video.size() - 2;
        for (int i = 0; i < n; i++) {
            int t = i % period;
            frames.add(video.get(t < video.size() ? t : period - t));
        }
        return new Workload(List.of(new StreamFrames("dance-twirl", frames)));
    }

    /**
     * {@code count} streams of {@code perStream} frames each; stream k starts at a different frame of the video. The
     * stream ids are picked so that the keyed operators' {@code parallelism} subtasks own equally many streams (as
     * many cameras would spread on average), instead of leaving that to a few hash values.
     */
    static Workload manyStreams(List<byte[]> video, int count, int perStream, int parallelism) {
        int maxParallelism = KeyGroupRangeAssignment.computeDefaultMaxParallelism(parallelism);
        int[] owned = new int[parallelism];
        int perSubtask = (count + parallelism - 1) / parallelism;
        List<StreamFrames> streams = new ArrayList<>(count);
        for (int candidate = 0; streams.size() < count; candidate++) {
            String id = String.format("cam-%03d", candidate);
            int subtask = KeyGroupRangeAssignment.assignKeyToParallelOperator(id, maxParallelism, parallelism);
            if (owned[subtask] >= perSubtask) {
                continue;
            }
            owned[subtask]++;
            int k = streams.size();
            int offset = count == 1 ? 0 : k * Math.max(0, video.size() - perStream) / (count - 1);
            List<byte[]> frames = new ArrayList<>(perStream);
            for (int i = 0; i < perStream; i++) {
                frames.add(video.get((offset + i) % video.size()));
            }
            streams.add(new StreamFrames(id, frames));
        }
        return new Workload(List.copyOf(streams));
    }
}
