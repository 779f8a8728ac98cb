package dev.alphaflow.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.kafka.clients.producer.RecordMetadata;

import dev.alphaflow.jobs.local.EmbeddedKafka;

/**
 * Live latency: frames are published at a fixed pace to a running job, and each frame's latency is the time from
 * its append to the frames topic (the broker's append time) to the moment a {@code read_committed} consumer
 * receives its matte. With exactly-once delivery a matte becomes visible when the checkpoint after it completes, so
 * the checkpoint interval dominates; at-least-once makes it visible as soon as it is written.
 */
final class LiveLatency {
    private LiveLatency() {}

    /**
     * @param checkpointBytes total sizes of the periodic checkpoints triggered while frames were being paced (every
     *     stream had state by then)
     */
    record Result(int streams, double fpsPerStream, int frames, double p50Millis, double p99Millis, double maxMillis,
            List<Long> checkpointBytes) {}

    static Result run(EmbeddedKafka kafka, BenchCluster cluster, List<byte[]> video, int streams,
            double fpsPerStream, Duration duration, BenchTopics.JobSettings settings, Duration checkpointInterval)
            throws Exception {
        String bootstrap = kafka.bootstrapServers();
        String name = "live-" + settings.delivery().name().toLowerCase(Locale.ROOT);
        BenchTopics topics = BenchTopics.create(bootstrap, name, settings.parallelism());
        Workload ids = Workload.manyStreams(video, streams, 1, settings.parallelism());
        Map<String, Long> appended = new ConcurrentHashMap<>();
        Map<String, Long> received = new ConcurrentHashMap<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        JobID job = cluster.submit(name, topics.jobConfiguration(bootstrap, settings), settings.parallelism(),
                checkpointInterval, null);
        try (FramePublisher publisher = new FramePublisher(bootstrap, topics);
             MatteReader reader = new MatteReader(bootstrap, topics.mattes(), true)) {
            cluster.awaitRunning(job, Duration.ofMinutes(1));
            // Warm-up: two frames per stream, not measured; their mattes show that the job is up.
            int warmup = 2;
            for (int seq = 0; seq < warmup; seq++) {
                for (int s = 0; s < streams; s++) {
                    publisher.send(s, ids.streams().get(s).streamId(), seq, video.get(seq));
                }
            }
            publisher.flush();
            reader.awaitCount(warmup * streams, Duration.ofMinutes(2));

            Thread consumer = new Thread(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        for (MatteReader.Seen m : reader.poll(20)) {
                            received.putIfAbsent(m.streamId() + "/" + m.seq(), m.receivedAtMs());
                        }
                    }
                } catch (org.apache.kafka.common.errors.InterruptException e) {
                    // stopped
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "bench-matte-consumer");
            consumer.start();

            long pacedFrom = System.currentTimeMillis();
            double aggregateFps = streams * fpsPerStream;
            int frames = (int) Math.round(aggregateFps * duration.toMillis() / 1000.0);
            long start = System.nanoTime();
            for (int i = 0; i < frames; i++) {
                long due = start + (long) (i * 1e9 / aggregateFps);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                int s = i % streams;
                long seq = warmup + i / streams;
                String key = ids.streams().get(s).streamId() + "/" + seq;
                // The frames topic uses LogAppendTime: the metadata carries the broker's clock at the append.
                RecordMetadata metadata = publisher.send(s, ids.streams().get(s).streamId(), seq,
                        video.get((int) (seq % video.size()))).get();
                appended.put(key, metadata.timestamp());
            }
            long pacedUntil = System.currentTimeMillis();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!received.keySet().containsAll(appended.keySet()) && System.nanoTime() < deadline
                    && failure.get() == null) {
                Thread.sleep(50);
            }
            consumer.interrupt();
            consumer.join(5_000);
            if (failure.get() != null) {
                throw new IllegalStateException(name + ": the matte consumer failed", failure.get());
            }
            List<Double> latencies = new ArrayList<>();
            for (Map.Entry<String, Long> e : appended.entrySet()) {
                Long got = received.get(e.getKey());
                if (got == null) {
                    throw new IllegalStateException(name + ": no matte for frame " + e.getKey() + " after 30 s");
                }
                latencies.add((double) (got - e.getValue()));
            }
            double[] values = latencies.stream().mapToDouble(Double::doubleValue).toArray();
            List<Long> sizes = new ArrayList<>();
            for (AbstractCheckpointStats c : cluster.graph(job).getCheckpointStatsSnapshot().getHistory()
                    .getCheckpoints()) {
                if (c.getStatus() == CheckpointStatsStatus.COMPLETED && c.getTriggerTimestamp() > pacedFrom
                        && c.getTriggerTimestamp() < pacedUntil) {
                    sizes.add(c.getStateSize());
                }
            }
            Result result = new Result(streams, fpsPerStream, frames, Stats.percentile(values, 50),
                    Stats.percentile(values, 99), Stats.percentile(values, 100), sizes);
            System.out.printf(Locale.ROOT, "[bench] live %s: %d stream(s) at %.1f frames/s, %d frames: p50 %.0f ms, "
                    + "p99 %.0f ms, max %.0f ms%n", settings.delivery(), streams, fpsPerStream, frames,
                    result.p50Millis(), result.p99Millis(), result.maxMillis());
            return result;
        } finally {
            cluster.cancel(job);
        }
    }
}
