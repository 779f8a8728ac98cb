package dev.alphaflow.schemas.serde;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.SchemaParseException;
import org.apache.avro.message.SchemaStore;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writer schemas by fingerprint from a compacted Kafka topic that producers register in: the schema store of a
 * self-contained deployment (no schema registry needed). A reader that meets a record written with a schema it
 * does not know (a newer producer, say) finds the writer's schema here and reads the record with Avro's resolution
 * rules: unknown enum symbols become the reader's default, new fields are skipped, missing ones take their default.
 *
 * <p>The topic ({@code alphaflow.schemas} by default) holds one record per schema: key = the schema's 64-bit
 * parsing fingerprint as 16 lower-case hex digits ({@link #key}), value = the schema's JSON in UTF-8. Compaction
 * keeps one record per key, so registering the same schema again costs nothing. Producers call {@link #register}
 * before their first record ({@code Replay} does).
 *
 * <p>Lookups first ask the schemas this build knows ({@link KnownSchemas}), then the schemas already read from the
 * topic; only an unknown fingerprint makes the store read the topic, from where it stopped up to the topic's current
 * end, waiting at most {@link Settings#lookupTimeout()}. A producer registers before it writes, so a schema is in the
 * topic before any record that needs it. The Kafka consumer is created at the first unknown fingerprint: a job that
 * only ever sees known schemas never connects. Not thread-safe: one store per operator instance, like
 * {@link AvroCodec}.
 *
 * <pre>{@code
 * KafkaSchemaStore.Settings settings = KafkaSchemaStore.Settings.of("127.0.0.1:9092", "alphaflow.schemas");
 * KafkaSchemaStore.register(settings, Frame.getClassSchema());        // producer side, before the first frame
 * try (KafkaSchemaStore store = KafkaSchemaStore.open(settings)) {    // reader side
 *     AvroCodec<Frame> codec = AvroCodec.of(Frame.class, store);
 *     Frame frame = codec.decode(bytes);
 * }
 * }</pre>
 *
 * <p>Where a schema registry exists, a {@link SchemaStore} backed by it can be given to {@link AvroCodec} the same
 * way; this class is the registry-less default.
 */
public final class KafkaSchemaStore implements SchemaStore, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaSchemaStore.class);

    private final Settings settings;
    private final SchemaStore.Cache learned = new SchemaStore.Cache();
    private KafkaConsumer<byte[], byte[]> consumer;
    private List<TopicPartition> partitions;
    private boolean closed;

    private KafkaSchemaStore(Settings settings) {
        this.settings = settings;
    }

    /** A store reading {@code settings.topic()}; connects at the first fingerprint it does not know. */
    public static KafkaSchemaStore open(Settings settings) {
        return new KafkaSchemaStore(Objects.requireNonNull(settings, "settings"));
    }

    /** The record key of a schema in the topic: its parsing fingerprint as 16 lower-case hex digits. */
    public static String key(long fingerprint) {
        return String.format("%016x", fingerprint);
    }

    /** The fingerprint single-object encoding writes and the topic is keyed by. */
    public static long fingerprint(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    /**
     * Writes {@code schema} to the store's topic and waits until the broker has it (acks=all), so that records
     * written afterwards can always be resolved.
     *
     * @throws IllegalStateException naming the topic when the broker does not take the record within the timeout
     *     (e.g. the topic does not exist and the broker does not create topics)
     */
    public static void register(Settings settings, Schema schema) {
        Objects.requireNonNull(schema, "schema");
        Properties props = settings.clientProperties();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        long timeoutMs = Math.max(settings.lookupTimeout().toMillis(), 1000);
        // the producer requires delivery.timeout.ms >= request.timeout.ms + linger.ms
        long deliveryMs = timeoutMs + 1000;
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(timeoutMs));
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(timeoutMs));
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(deliveryMs));
        long fingerprint = fingerprint(schema);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(settings.topic(), key(fingerprint).getBytes(StandardCharsets.UTF_8),
                    schema.toString().getBytes(StandardCharsets.UTF_8)))
                    .get(deliveryMs + timeoutMs, TimeUnit.MILLISECONDS);
            LOG.info("Registered schema {} (fingerprint {}) in topic {}", schema.getFullName(), key(fingerprint),
                    settings.topic());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while registering schema " + schema.getFullName(), e);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException(String.format("cannot register schema %s (fingerprint %s) in topic %s "
                            + "at %s: %s; create the topic (compacted, e.g. with `alphaflow kafka`) or set %s",
                    schema.getFullName(), key(fingerprint), settings.topic(), settings.bootstrapServers(), cause,
                    "alphaflow.topics.schemas"), cause);
        }
    }

    @Override
    public Schema findByFingerprint(long fingerprint) {
        Schema schema = KnownSchemas.store().findByFingerprint(fingerprint);
        if (schema == null) {
            schema = learned.findByFingerprint(fingerprint);
        }
        if (schema == null && !closed) {
            catchUp();
            schema = learned.findByFingerprint(fingerprint);
        }
        return schema;
    }

    /** Reads the topic from where the last read stopped up to its current end, within the lookup timeout. */
    private void catchUp() {
        long deadline = System.nanoTime() + settings.lookupTimeout().toNanos();
        try {
            if (!connected()) {
                return;
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, remaining(deadline));
            while (!reached(end)) {
                Duration left = remaining(deadline);
                if (left.isZero()) {
                    LOG.warn("Schema topic {} not read to its end within {}; unknown schemas stay unknown for now",
                            settings.topic(), settings.lookupTimeout());
                    return;
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(left)) {
                    learn(record);
                }
            }
        } catch (KafkaException e) {
            LOG.warn("Cannot read the schema topic {} at {}: {}", settings.topic(), settings.bootstrapServers(),
                    e.toString());
        }
    }

    private boolean connected() {
        if (consumer == null) {
            Properties props = settings.clientProperties();
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }
        if (partitions == null) {
            List<PartitionInfo> infos = consumer.partitionsFor(settings.topic(), settings.lookupTimeout());
            if (infos == null || infos.isEmpty()) {
                LOG.warn("Schema topic {} does not exist at {}; records with unknown schemas cannot be read",
                        settings.topic(), settings.bootstrapServers());
                return false;
            }
            partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition()))
                    .collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }
        return true;
    }

    private boolean reached(Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void learn(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return; // a tombstone: nothing to learn
        }
        try {
            Schema schema = new Schema.Parser().parse(new String(record.value(), StandardCharsets.UTF_8));
            String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
            if (!key(fingerprint(schema)).equals(key)) {
                LOG.warn("Schema topic {} offset {}: key {} is not the fingerprint {} of the schema it holds; "
                        + "using the schema's own", settings.topic(), record.offset(), key, key(fingerprint(schema)));
            }
            learned.addSchema(schema);
        } catch (SchemaParseException e) {
            LOG.warn("Schema topic {} partition {} offset {} does not hold an Avro schema: {}", settings.topic(),
                    record.partition(), record.offset(), e.getMessage());
        }
    }

    private static Duration remaining(long deadlineNanos) {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    @Override
    public void close() {
        closed = true;
        if (consumer != null) {
            consumer.close(Duration.ofSeconds(5));
            consumer = null;
        }
    }

    @Override
    public String toString() {
        return "schema topic " + settings.topic() + " at " + settings.bootstrapServers();
    }

    /** Where the store is and how long a lookup may wait; serializable so Flink functions can carry it. */
    public static final class Settings implements Serializable {
        private static final long serialVersionUID = 1L;

        /** How long a lookup of an unknown fingerprint (or a registration) waits for Kafka by default. */
        public static final Duration DEFAULT_LOOKUP_TIMEOUT = Duration.ofSeconds(10);

        private final String bootstrapServers;
        private final String topic;
        private final HashMap<String, String> clientProperties;
        private final Duration lookupTimeout;

        private Settings(String bootstrapServers, String topic, Map<String, String> clientProperties,
                Duration lookupTimeout) {
            this.bootstrapServers = requireText(bootstrapServers, "bootstrapServers");
            this.topic = requireText(topic, "topic");
            this.clientProperties = new HashMap<>(Objects.requireNonNull(clientProperties, "clientProperties"));
            this.lookupTimeout = Objects.requireNonNull(lookupTimeout, "lookupTimeout");
            if (lookupTimeout.isNegative() || lookupTimeout.isZero()) {
                throw new IllegalArgumentException("lookupTimeout must be positive, got " + lookupTimeout);
            }
        }

        public static Settings of(String bootstrapServers, String topic) {
            return of(bootstrapServers, topic, Map.of(), DEFAULT_LOOKUP_TIMEOUT);
        }

        /**
         * @param clientProperties passed to the store's Kafka clients (security settings of a secured cluster)
         * @param lookupTimeout how long one lookup of an unknown fingerprint may wait for the topic
         */
        public static Settings of(String bootstrapServers, String topic, Map<String, String> clientProperties,
                Duration lookupTimeout) {
            return new Settings(bootstrapServers, topic, clientProperties, lookupTimeout);
        }

        public String bootstrapServers() {
            return bootstrapServers;
        }

        public String topic() {
            return topic;
        }

        public Duration lookupTimeout() {
            return lookupTimeout;
        }

        /** A fresh copy of the client properties, with the bootstrap servers set. */
        Properties clientProperties() {
            Properties props = new Properties();
            props.putAll(clientProperties);
            props.put("bootstrap.servers", bootstrapServers);
            return props;
        }

        private static String requireText(String value, String name) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(name + " must not be empty");
            }
            return value;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Settings other
                    && bootstrapServers.equals(other.bootstrapServers)
                    && topic.equals(other.topic)
                    && clientProperties.equals(other.clientProperties)
                    && lookupTimeout.equals(other.lookupTimeout);
        }

        @Override
        public int hashCode() {
            return Objects.hash(bootstrapServers, topic, clientProperties, lookupTimeout);
        }

        @Override
        public String toString() {
            return "KafkaSchemaStore.Settings{" + topic + " at " + bootstrapServers + ", lookupTimeout="
                    + lookupTimeout + "}";
        }
    }
}
