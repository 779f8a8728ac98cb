package dev.alphaflow.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.flink.api.common.JobID;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;

import dev.alphaflow.jobs.local.EmbeddedKafka;
import dev.alphaflow.model.ModelCards;
import dev.alphaflow.model.ModelRegistry;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.rvm.RecurrentState;
import dev.alphaflow.model.rvm.RvmMatter;
import dev.alphaflow.model.rvm.RvmOptions;
import dev.alphaflow.operators.state.RecurrentStateSerializer;

/** The size of a stream's checkpointed state, and how long checkpoints and restores take for N streams. */
final class StateBench {
    private StateBench() {}

    /** A real RVM state at 854×480 (after two dance-twirl frames) and what the keyed-state serializer writes for it. */
    record StateSize(RecurrentState state, long fp16Bytes, long serializedBytes) {
        double serializedRatio() {
            return (double) serializedBytes / fp16Bytes;
        }
    }

    static StateSize measureSerializer(Path modelDir, SessionSettings settings, RvmOptions options, List<byte[]> video)
            throws Exception {
        RecurrentState state = RecurrentState.initial();
        try (RvmMatter matter = RvmMatter.open(new ModelRegistry(modelDir), ModelCards.RVM_MOBILENETV3, settings, options)) {
            for (int i = 0; i < 2; i++) {
                state = matter.infer(ImageCodec.decode(video.get(i)), state).nextState();
            }
        }
        DataOutputSerializer out = new DataOutputSerializer(1 << 20);
        RecurrentStateSerializer.INSTANCE.serialize(state, out);
        return new StateSize(state, state.byteSize(), out.length());
    }

    /**
     * @param checkpointMillis end-to-end durations of the manual checkpoints, as the checkpoint coordinator timed them
     * @param checkpointBytes the last triggered checkpoint's total size
     * @param startMillis job submission → first matte appended, without a restore
     * @param restoreMillis job submission from the retained checkpoint → first matte appended
     * @param restoreAllMillis job submission from the retained checkpoint → last stream's matte appended
     */
    record CheckpointRestore(int streams, List<Double> checkpointMillis, long checkpointBytes, long startMillis,
            long restoreMillis, long restoreAllMillis) {
        double medianCheckpointMillis() {
            return Stats.median(checkpointMillis);
        }
    }

    /**
     * N streams through an exactly-once job whose periodic checkpoints are off. Three rounds: one frame per stream,
     * wait until every stream's matte is written, trigger a checkpoint and wait for it; so each checkpoint snapshots
     * N freshly written states while the job is otherwise idle (the cost of snapshotting and writing N states, not of
     * waiting behind queued frames). The job is then cancelled, one more frame per stream is published, and a new job
     * is started from the retained checkpoint: the time from its submission to its first matte includes deployment,
     * the state restore (heap or RocksDB), model session load and one frame. Every restored matte must continue its
     * stream's state (no reset), or the run fails.
     */
    static CheckpointRestore checkpointAndRestore(EmbeddedKafka kafka, BenchCluster cluster, List<byte[]> video,
            int streams, BenchTopics.JobSettings settings) throws Exception {
        String bootstrap = kafka.bootstrapServers();
        String name = "checkpoint-" + streams;
        BenchTopics topics = BenchTopics.create(bootstrap, name, settings.parallelism());
        List<Workload.StreamFrames> ids = Workload.manyStreams(video, streams, 1, settings.parallelism()).streams();
        Duration noPeriodicCheckpoints = Duration.ofHours(1);
        int rounds = 3;
        var conf = topics.jobConfiguration(bootstrap, settings);
        try (MatteReader reader = new MatteReader(bootstrap, topics.mattes(), false)) {
            long submitted = System.currentTimeMillis();
            JobID job = cluster.submit(name, conf, settings.parallelism(), noPeriodicCheckpoints, null);
            long startMillis = -1;
            List<Double> durations = new ArrayList<>();
            CompletedCheckpointStats last = null;
            for (int round = 0; round < rounds; round++) {
                long seq = round;
                publish(bootstrap, topics, oneFrameEach(ids, video, round), seq);
                List<MatteReader.Seen> mattes = reader.awaitCount(streams, m -> m.seq() == seq, Duration.ofMinutes(5));
                if (round == 0) {
                    startMillis = mattes.stream().mapToLong(MatteReader.Seen::appendTimeMs).min().orElseThrow()
                            - submitted;
                }
                last = cluster.checkpoint(job);
                durations.add((double) last.getEndToEndDuration());
            }
            cluster.cancel(job);

            publish(bootstrap, topics, oneFrameEach(ids, video, rounds), rounds);
            long resubmitted = System.currentTimeMillis();
            JobID restored = cluster.submit(name, conf, settings.parallelism(), noPeriodicCheckpoints,
                    last.getExternalPath());
            List<MatteReader.Seen> after = reader.awaitCount(streams, m -> m.seq() == rounds, Duration.ofMinutes(5));
            cluster.cancel(restored);
            long reset = after.stream().filter(MatteReader.Seen::stateReset).count();
            if (reset > 0) {
                throw new IllegalStateException(name + ": " + reset + " of " + streams + " streams lost their state in "
                        + "the restore from " + last.getExternalPath());
            }
            long firstRestored = after.stream().mapToLong(MatteReader.Seen::appendTimeMs).min().orElseThrow();
            long lastRestored = after.stream().mapToLong(MatteReader.Seen::appendTimeMs).max().orElseThrow();
            CheckpointRestore result = new CheckpointRestore(streams, durations, last.getStateSize(), startMillis,
                    firstRestored - resubmitted, lastRestored - resubmitted);
            System.out.printf(Locale.ROOT, "[bench] %d stream(s): checkpoints %s ms, last %d bytes; start → first "
                    + "matte %d ms; restore → first matte %d ms, → all %d ms%n", streams,
                    Stats.format(durations, "%.0f"), result.checkpointBytes(), startMillis, result.restoreMillis(),
                    result.restoreAllMillis());
            return result;
        }
    }

    static Workload oneFrameEach(List<Workload.StreamFrames> ids, List<byte[]> video, int t) {
        return new Workload(ids.stream()
                .map(s -> new Workload.StreamFrames(s.streamId(), List.of(video.get(t % video.size())))).toList());
    }

    // A producer per batch: an idempotent producer left idle across the job's cancellation had its next batch
    // rejected as out of sequence by the embedded broker.
    static void publish(String bootstrap, BenchTopics topics, Workload workload, long firstSeq) {
        try (FramePublisher publisher = new FramePublisher(bootstrap, topics)) {
            publisher.sendAll(workload, firstSeq);
        }
    }
}
