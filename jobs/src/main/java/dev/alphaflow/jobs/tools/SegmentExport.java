package dev.alphaflow.jobs.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.model.eval.DavisMasks;
import dev.alphaflow.model.instances.BinaryMask;
import dev.alphaflow.model.instances.Rle;
import dev.alphaflow.schemas.Segmentation;
import dev.alphaflow.schemas.SegmentedObject;
import dev.alphaflow.schemas.serde.AvroCodec;
import dev.alphaflow.schemas.serde.AvroDecodeException;

/**
 * Writes the segments topic as DAVIS-format masks: per stream a folder of 8-bit indexed PNGs
 * {@code <out>/<stream>/<seq, 5 digits>.png} with the DAVIS palette, pixel value = object id, 0 = background — the
 * layout the DAVIS toolkit and {@code alphaflow davis-eval} read.
 *
 * <p>Reads with {@code read_committed} from the beginning up to the end offsets found at start (so it finishes on a
 * topic that keeps growing), or until nothing arrives for the idle timeout. A (stream, seq) seen again (at-least-once
 * delivery, a second run) overwrites the same file, so the output holds each frame once.
 */
public final class SegmentExport {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentExport.class);
    private static final Duration POLL = Duration.ofMillis(200);

    /** What a run wrote: masks per stream id, and records that were read again. */
    public record Summary(Path outputDir, Map<String, Long> masksPerStream, long duplicates, long undecodable) {
        public long totalMasks() {
            return masksPerStream.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final String bootstrapServers;
    private final String topic;
    private final Path outputDir;
    private final Duration idleTimeout;
    private final Set<String> streams;
    private final Map<String, String> consumerProperties;

    public SegmentExport(String bootstrapServers, String topic, Path outputDir, Duration idleTimeout,
            Set<String> streams, Map<String, String> consumerProperties) {
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.outputDir = Objects.requireNonNull(outputDir, "outputDir");
        this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
        this.streams = Set.copyOf(streams);
        this.consumerProperties = Map.copyOf(consumerProperties);
    }

    private Properties consumerConfig() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(KafkaDefaults.MAX_RECORD_BYTES + 1024 * 1024));
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "alphaflow-segment-export");
        p.putAll(consumerProperties);
        return p;
    }

    public Summary run() {
        AvroCodec<Segmentation> codec = AvroCodec.of(Segmentation.class);
        Map<String, java.util.Set<Long>> written = new TreeMap<>();
        long duplicates = 0;
        long undecodable = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(consumerConfig(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist at " + bootstrapServers);
            }
            List<TopicPartition> parts = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition()))
                    .collect(Collectors.toList());
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(parts));
            long lastProgress = System.nanoTime();
            while (!caughtUp(consumer, end)) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    lastProgress = System.nanoTime();
                    Segmentation s;
                    try {
                        s = codec.decode(record.value());
                    } catch (AvroDecodeException e) {
                        undecodable++;
                        LOG.warn("Skipping an undecodable record at {}-{}@{}: {}", record.topic(), record.partition(),
                                record.offset(), e.getMessage());
                        continue;
                    }
                    if (!streams.isEmpty() && !streams.contains(s.getStreamId())) {
                        continue;
                    }
                    if (!written.computeIfAbsent(s.getStreamId(), k -> new java.util.HashSet<>()).add(s.getSeq())) {
                        duplicates++;
                    }
                    write(s);
                }
                if (System.nanoTime() - lastProgress > idleTimeout.toNanos()) {
                    LOG.warn("Nothing new in {} for {} s; stopping before its end", topic, idleTimeout.toSeconds());
                    break;
                }
            }
        }
        Map<String, Long> counts = new TreeMap<>();
        written.forEach((id, seqs) -> counts.put(id, (long) seqs.size()));
        return new Summary(outputDir, counts, duplicates, undecodable);
    }

    private static boolean caughtUp(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** The label map of one record: each object's RLE painted with its id (objects do not overlap). */
    public static int[] labels(Segmentation s) {
        int width = s.getWidth();
        int height = s.getHeight();
        int[] labels = new int[width * height];
        for (SegmentedObject o : s.getObjects()) {
            int[] counts = o.getMask().getCounts().stream().mapToInt(Integer::intValue).toArray();
            BinaryMask mask = Rle.of(o.getMask().getHeight(), o.getMask().getWidth(), counts).decode();
            if (mask.width() != width || mask.height() != height) {
                throw new IllegalArgumentException("object " + o.getObjectId() + " of " + s.getStreamId() + "#"
                        + s.getSeq() + " has a " + mask.width() + "x" + mask.height() + " mask on a " + width + "x"
                        + height + " frame");
            }
            for (int i = 0; i < labels.length; i++) {
                if (mask.get(i)) {
                    labels[i] = o.getObjectId();
                }
            }
        }
        return labels;
    }

    private void write(Segmentation s) {
        Path dir = outputDir.resolve(Export.directoryName(s.getStreamId()));
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        DavisMasks.write(dir.resolve(String.format("%05d.png", s.getSeq())), labels(s), s.getWidth(), s.getHeight());
    }
}
