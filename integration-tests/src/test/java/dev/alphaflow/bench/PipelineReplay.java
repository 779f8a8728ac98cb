package dev.alphaflow.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;

import dev.alphaflow.jobs.local.EmbeddedKafka;

/**
 * Archive replay through the whole pipeline: the workload is published to a fresh frames topic first, then a
 * bounded exactly-once job (Kafka source → decode → sequencer → RVM → transactional Kafka sink, checkpoints every
 * {@code checkpointInterval}) runs over it to the end of the topic.
 *
 * <p>Throughput is taken from the mattes topic, whose records carry the broker's append time: (mattes − 1) ÷ (last
 * append − first append). Job start-up (deployment, model load) comes before the first matte and is not counted,
 * as the bare loop's session open is not; checkpoints, transactions and every stage of the job are. The job's whole
 * wall time, start-up included, is kept for the notes.
 */
final class PipelineReplay {
    private final EmbeddedKafka kafka;
    private final BenchCluster cluster;
    private final Duration checkpointInterval;

    PipelineReplay(EmbeddedKafka kafka, BenchCluster cluster, Duration checkpointInterval) {
        this.kafka = kafka;
        this.cluster = cluster;
        this.checkpointInterval = checkpointInterval;
    }

    /**
     * @param checkpointBytes total sizes of the checkpoints triggered while every stream had state (after each
     *     stream's first matte, before the last matte), as the checkpoint coordinator reported them
     */
    record Result(Throughput throughput, Throughput laterHalf, double jobWallSeconds, List<Long> checkpointBytes) {}

    Result run(String name, Workload workload, BenchTopics.JobSettings settings) throws Exception {
        String bootstrap = kafka.bootstrapServers();
        BenchTopics topics = BenchTopics.create(bootstrap, name, settings.parallelism());
        try (FramePublisher publisher = new FramePublisher(bootstrap, topics)) {
            publisher.sendAll(workload, 0);
        }
        Configuration conf = topics.jobConfiguration(bootstrap, settings);
        long submitted = System.nanoTime();
        JobID job = cluster.submit(name, conf, settings.parallelism(), checkpointInterval, null);
        cluster.awaitSuccess(job, Duration.ofMinutes(10));
        double wall = (System.nanoTime() - submitted) / 1e9;

        int expected = workload.frameCount();
        List<MatteReader.Seen> mattes = awaitEveryMatteOnce(name, bootstrap, topics, expected);
        long first = mattes.stream().mapToLong(MatteReader.Seen::appendTimeMs).min().orElseThrow();
        long last = mattes.stream().mapToLong(MatteReader.Seen::appendTimeMs).max().orElseThrow();
        Map<String, Long> firstPerStream = new HashMap<>();
        mattes.forEach(m -> firstPerStream.merge(m.streamId(), m.appendTimeMs(), Math::min));
        long allStarted = Collections.max(firstPerStream.values());
        List<Long> sizes = new ArrayList<>();
        for (AbstractCheckpointStats c : cluster.graph(job).getCheckpointStatsSnapshot().getHistory().getCheckpoints()) {
            if (c.getStatus() == CheckpointStatsStatus.COMPLETED && c.getTriggerTimestamp() > allStarted
                    && c.getTriggerTimestamp() < last) {
                sizes.add(c.getStateSize());
            }
        }
        return new Result(Throughput.ofMillis(expected, first, last), laterHalf(mattes), wall, sizes);
    }

    static Throughput laterHalf(List<MatteReader.Seen> mattes) {
        return Throughput.laterHalf(mattes.stream().map(MatteReader.Seen::appendTimeMs).toList());
    }

    /**
     * Reads the finished replay's mattes ({@code read_committed}) and fails unless every one of the {@code expected}
     * (stream, seq) is there exactly once; prints where a frame's time went inside the job.
     */
    static List<MatteReader.Seen> awaitEveryMatteOnce(String name, String bootstrap, BenchTopics topics, int expected)
            throws InterruptedException {
        List<MatteReader.Seen> mattes;
        try (MatteReader reader = new MatteReader(bootstrap, topics.mattes(), true)) {
            mattes = reader.awaitCount(expected, Duration.ofSeconds(60));
            // A little longer, so that duplicates would show up too.
            Thread.sleep(300);
            mattes = reader.poll(100);
        }
        Set<String> distinct = new HashSet<>();
        mattes.forEach(m -> distinct.add(m.streamId() + "/" + m.seq()));
        if (mattes.size() != expected || distinct.size() != expected) {
            throw new IllegalStateException(name + ": expected " + expected + " distinct mattes, got " + mattes.size()
                    + " (" + distinct.size() + " distinct)");
        }
        // a diagnostic for the notes: where a frame's time goes inside the job, against the bare loop's
        StageTimes stages = new StageTimes();
        mattes.forEach(m -> stages.add(m.timingsMicros()));
        System.out.println("[bench] " + name + " pipeline stages: " + stages);
        return mattes;
    }
}
