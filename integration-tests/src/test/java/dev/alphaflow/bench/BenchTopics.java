package dev.alphaflow.bench;

import dev.alphaflow.jobs.CommonOptions;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import dev.alphaflow.jobs.local.LocalFlink;
import dev.alphaflow.jobs.matting.MattingJobOptions;

/**
 * Fresh frames / mattes / dead-letter topics for one benchmark run. Frames and mattes use
 * {@code message.timestamp.type=LogAppendTime}, so every record carries the broker's clock at the moment it was
 * appended to the log (for a transactional matte: when it was written, not when it was committed).
 */
record BenchTopics(String frames, String mattes, String dlq, int partitions) {

    static BenchTopics create(String bootstrapServers, String name, int partitions) {
        String suffix = name + "-" + UUID.randomUUID().toString().substring(0, 8);
        BenchTopics topics = new BenchTopics("frames-" + suffix, "mattes-" + suffix, "dlq-" + suffix, partitions);
        Map<String, String> appendTime = Map.of("message.timestamp.type", "LogAppendTime");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(List.of(
                    new NewTopic(topics.frames, partitions, (short) 1).configs(appendTime),
                    new NewTopic(topics.mattes, partitions, (short) 1).configs(appendTime),
                    new NewTopic(topics.dlq, 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
            awaitLeaders(admin, topics);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create benchmark topics " + topics + ": " + e, e);
        }
        return topics;
    }

    // Producing right after creation, before every partition has a leader, made the embedded broker reject
    // retried batches as out of sequence.
    private static void awaitLeaders(Admin admin, BenchTopics topics) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                Map<String, TopicDescription> descriptions = admin.describeTopics(List.of(topics.frames,
                        topics.mattes, topics.dlq)).allTopicNames().get(30, TimeUnit.SECONDS);
                boolean ready = descriptions.values().stream().flatMap(d -> d.partitions().stream())
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
                if (ready) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("benchmark topics " + topics + " have no leader after 30 s");
            }
            Thread.sleep(20);
        }
    }

    /** Job options for these topics: read from the beginning, exactly once, the given model settings. */
    Configuration jobConfiguration(String bootstrapServers, JobSettings settings) {
        Configuration conf = new Configuration();
        conf.set(CommonOptions.BOOTSTRAP_SERVERS, bootstrapServers);
        conf.set(CommonOptions.FRAMES_TOPIC, frames);
        conf.set(MattingJobOptions.MATTES_TOPIC, mattes);
        conf.set(CommonOptions.DEAD_LETTER_TOPIC, dlq);
        conf.set(CommonOptions.GROUP_ID, "bench-" + frames);
        conf.set(CommonOptions.TRANSACTIONAL_ID_PREFIX, "bench-" + frames);
        conf.set(CommonOptions.STARTING_OFFSETS, CommonOptions.StartingOffsets.EARLIEST);
        conf.set(CommonOptions.BOUNDED, settings.bounded());
        conf.set(CommonOptions.DELIVERY, settings.delivery());
        conf.set(CommonOptions.MODEL_DIR, settings.modelDir().toString());
        conf.set(CommonOptions.INTRA_OP_THREADS, settings.intraOpThreads());
        conf.set(CommonOptions.SPINNING, BenchmarkSuite.spinning(settings.delivery()).optionName());
        conf.set(CommonOptions.DYNAMIC_BLOCK_BASE, BenchmarkSuite.dynamicBlockBase());
        conf.set(CommonOptions.EXECUTION_PROVIDER, BenchmarkSuite.provider().name().toLowerCase(Locale.ROOT));
        conf.set(CommonOptions.ALLOW_CPU_FALLBACK, false);
        conf.set(MattingJobOptions.DOWNSAMPLE_RATIO, settings.ratio());
        conf.set(MattingJobOptions.BATCH_SIZE, settings.batchSize());
        conf.set(MattingJobOptions.BATCH_TIMEOUT, settings.batchTimeout());
        conf.addAll(BenchmarkSuite.extraConfiguration());
        conf.set(LocalFlink.STATE_BACKEND, settings.stateBackend());
        return conf;
    }

    /**
     * How a benchmark job runs; {@code batchSize} 1 (the default) runs the model one frame at a time, and the state
     * backend is the local runtime's default unless set (or given as
     * {@code -Dalphaflow.bench.conf.alphaflow.state.backend=...}).
     */
    record JobSettings(java.nio.file.Path modelDir, float ratio, int intraOpThreads, int parallelism,
            boolean bounded, CommonOptions.Delivery delivery, int batchSize, java.time.Duration batchTimeout,
            LocalFlink.StateBackend stateBackend) {

        JobSettings(java.nio.file.Path modelDir, float ratio, int intraOpThreads, int parallelism, boolean bounded,
                CommonOptions.Delivery delivery) {
            this(modelDir, ratio, intraOpThreads, parallelism, bounded, delivery,
                    MattingJobOptions.BATCH_SIZE.defaultValue(), MattingJobOptions.BATCH_TIMEOUT.defaultValue(),
                    BenchmarkSuite.extraConfiguration().get(LocalFlink.STATE_BACKEND));
        }

        JobSettings withBatch(int size, java.time.Duration timeout) {
            return new JobSettings(modelDir, ratio, intraOpThreads, parallelism, bounded, delivery, size, timeout,
                    stateBackend);
        }

        JobSettings withStateBackend(LocalFlink.StateBackend backend) {
            return new JobSettings(modelDir, ratio, intraOpThreads, parallelism, bounded, delivery, batchSize,
                    batchTimeout, backend);
        }
    }
}
