package dev.alphaflow.jobs;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;

import dev.alphaflow.model.ExecutionProvider;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.ThreadSpinning;
import dev.alphaflow.schemas.serde.KafkaSchemaStore;

/**
 * Options every alphaflow job shares: Kafka (servers, the frames and dead-letter topics, consumer group,
 * transactional ids, delivery, pass-through client properties), the model folder and ONNX Runtime. Each job adds its
 * own ({@code MattingJobOptions}, {@code SegmentationJobOptions}, {@code InstancesJobOptions}); the decode limits and
 * sequencer settings are the operators' ({@code DecodeLimits}, {@code SequencerOptions}).
 *
 * <p>Set them in the Flink {@code Configuration}: {@code -D key=value} on the command line, {@code key=value}
 * arguments of {@code flink run}, or the cluster's configuration file.
 */
public final class CommonOptions {
    private CommonOptions() {}

    /** Whether the sinks write Kafka transactions (exactly-once) or plain records (lower latency). */
    public enum Delivery { EXACTLY_ONCE, AT_LEAST_ONCE }

    /** Where the frame source starts when the job has no checkpoint or savepoint to resume from. */
    public enum StartingOffsets { EARLIEST, LATEST, COMMITTED_OR_EARLIEST }

    /**
     * Keys under this prefix are passed, without it, to every Kafka producer, consumer and admin client the jobs and
     * tools create: {@code alphaflow.kafka.properties.security.protocol=SASL_SSL} reaches a secured cluster.
     */
    public static final String KAFKA_PROPERTIES_PREFIX = "alphaflow.kafka.properties.";

    public static final ConfigOption<String> BOOTSTRAP_SERVERS = ConfigOptions.key("alphaflow.kafka.bootstrap-servers")
            .stringType().defaultValue("127.0.0.1:9092")
            .withDescription("Kafka bootstrap servers (host:port, comma-separated).");

    public static final ConfigOption<String> FRAMES_TOPIC = ConfigOptions.key("alphaflow.topics.frames")
            .stringType().defaultValue(KafkaDefaults.FRAMES_TOPIC)
            .withDescription("Topic of encoded Frame records (key = stream id).");

    public static final ConfigOption<String> DEAD_LETTER_TOPIC = ConfigOptions.key("alphaflow.topics.dlq")
            .stringType().defaultValue(KafkaDefaults.DLQ_TOPIC)
            .withDescription("Topic for records the job rejects, with a reason.");

    public static final ConfigOption<String> SCHEMAS_TOPIC = ConfigOptions.key("alphaflow.topics.schemas")
            .stringType().defaultValue(KafkaDefaults.SCHEMAS_TOPIC)
            .withDescription("Compacted topic of writer schemas by fingerprint, which producers register in; the "
                    + "jobs look up the schema of a Frame written by another version here (README: Dead letters).");

    public static final ConfigOption<Duration> SCHEMA_LOOKUP_TIMEOUT =
            ConfigOptions.key("alphaflow.kafka.schema-lookup-timeout")
                    .durationType().defaultValue(KafkaSchemaStore.Settings.DEFAULT_LOOKUP_TIMEOUT)
                    .withDescription("How long the decoder waits for the schemas topic when a Frame names a writer "
                            + "schema it does not know; past it the frame is an UNREADABLE_RECORD.");

    public static final ConfigOption<String> GROUP_ID = ConfigOptions.key("alphaflow.kafka.group-id")
            .stringType().noDefaultValue()
            .withDescription("Consumer group of the frame source (offsets are committed on checkpoints, for "
                    + "monitoring and for COMMITTED_OR_EARLIEST). Unset: the job's own, alphaflow-<job>.");

    public static final ConfigOption<StartingOffsets> STARTING_OFFSETS = ConfigOptions.key("alphaflow.kafka.starting-offsets")
            .enumType(StartingOffsets.class).defaultValue(StartingOffsets.COMMITTED_OR_EARLIEST)
            .withDescription("Where to start reading frames without a checkpoint to resume from.");

    public static final ConfigOption<Boolean> BOUNDED = ConfigOptions.key("alphaflow.kafka.bounded")
            .booleanType().defaultValue(false)
            .withDescription("Stop at the offsets that are the latest when the job starts (archive replay) "
                    + "instead of running until cancelled (live cameras).");

    public static final ConfigOption<Delivery> DELIVERY = ConfigOptions.key("alphaflow.delivery")
            .enumType(Delivery.class).defaultValue(Delivery.EXACTLY_ONCE)
            .withDescription("EXACTLY_ONCE: outputs become visible to read_committed consumers when a checkpoint "
                    + "completes. AT_LEAST_ONCE: visible at once; consumers de-duplicate by (streamId, seq).");

    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT = ConfigOptions.key("alphaflow.kafka.transaction-timeout")
            .durationType().defaultValue(Duration.ofMinutes(5))
            .withDescription("Kafka transaction timeout of the exactly-once sinks. Must be below the broker's "
                    + "transaction.max.timeout.ms (15 min by default) and well above the checkpoint interval.");

    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX = ConfigOptions.key("alphaflow.kafka.transactional-id-prefix")
            .stringType().noDefaultValue()
            .withDescription("Prefix of the sinks' transactional ids; must be unique per job writing to the same "
                    + "cluster. Unset: the job's consumer group default, alphaflow-<job>.");

    public static final ConfigOption<String> MODEL_DIR = ConfigOptions.key("alphaflow.model.dir")
            .stringType().defaultValue("../shared/models")
            .withDescription("Folder holding the model files named by the model cards (weights are not shipped); "
                    + "must be readable on every TaskManager.");

    public static final ConfigOption<Integer> INTRA_OP_THREADS = ConfigOptions.key("alphaflow.ort.intra-op-threads")
            .intType().noDefaultValue()
            .withDescription("ONNX Runtime threads inside one operator. Unset: the number of cores of the machine "
                    + "the operator runs on, read when it opens.");

    public static final ConfigOption<Integer> INTER_OP_THREADS = ConfigOptions.key("alphaflow.ort.inter-op-threads")
            .intType().defaultValue(1).withDescription("ONNX Runtime threads across independent graph nodes.");

    public static final ConfigOption<String> SPINNING = ConfigOptions.key("alphaflow.ort.spinning")
            .stringType().noDefaultValue()
            .withDescription("When ONNX Runtime's pool threads busy-wait for work: never (idle pool threads sleep, "
                    + "so decoding, encoding, Kafka and Flink get a core even during a model run: the most frames/s "
                    + "on a busy machine), during-run (spin inside a run, stop when it returns: faster model steps, "
                    + "lower latency at moderate load) or always (ONNX Runtime's own default). Unset: never with "
                    + "EXACTLY_ONCE delivery (replay, throughput), during-run with AT_LEAST_ONCE (live, latency); "
                    + "see BENCHMARKS.md for both measurements.");

    public static final ConfigOption<Integer> DYNAMIC_BLOCK_BASE = ConfigOptions.key("alphaflow.ort.dynamic-block-base")
            .intType().defaultValue(0)
            .withDescription("How ONNX Runtime splits a parallel loop among its threads: 0 = one equal block per "
                    + "thread (ONNX Runtime's default); b > 0 = blocks that start at n / (threads × b) and shrink, "
                    + "taken by whichever thread is free, so a thread preempted by decoding, encoding, Kafka or "
                    + "Flink does not hold up the others.");

    public static final ConfigOption<String> EXECUTION_PROVIDER = ConfigOptions.key("alphaflow.ort.provider")
            .stringType().defaultValue("cpu").withDescription("Execution provider: cpu, cuda or tensorrt.");

    public static final ConfigOption<Boolean> ALLOW_CPU_FALLBACK = ConfigOptions.key("alphaflow.ort.allow-cpu-fallback")
            .booleanType().defaultValue(false)
            .withDescription("When a GPU provider is requested but unavailable: true = warn and run on CPU, false = fail at start.");

    /**
     * ONNX Runtime's thread spinning when {@code alphaflow.ort.spinning} is not set. On 2 cores, replay through the
     * exactly-once job ran 3-5% faster (relative to the bare model loop) with sleeping pool threads, while live
     * at-least-once latency was lower with spinning during runs (p99 72-96 ms against 108-212 ms).
     */
    public static ThreadSpinning defaultSpinning(Delivery delivery) {
        return delivery == Delivery.AT_LEAST_ONCE ? ThreadSpinning.DURING_RUN : ThreadSpinning.NEVER;
    }

    /**
     * ONNX Runtime settings from the {@code alphaflow.ort.*} options. Without {@link #INTRA_OP_THREADS} the thread
     * count is left to the operator ({@link SessionSettings#CORES_OF_THE_MACHINE}): it is the TaskManager's core count,
     * not the client's.
     *
     * @throws InvalidOptionException naming the option that has a value the runtime cannot take
     */
    public static SessionSettings sessionSettings(ReadableConfig conf) {
        int intraOp = conf.getOptional(INTRA_OP_THREADS).orElse(SessionSettings.CORES_OF_THE_MACHINE);
        InvalidOptionException.check(intraOp >= 1 || !conf.getOptional(INTRA_OP_THREADS).isPresent(),
                INTRA_OP_THREADS, "must be at least 1, got %d", intraOp);
        int interOp = conf.get(INTER_OP_THREADS);
        InvalidOptionException.check(interOp >= 1, INTER_OP_THREADS, "must be at least 1, got %d", interOp);
        int blockBase = conf.get(DYNAMIC_BLOCK_BASE);
        InvalidOptionException.check(blockBase >= 0, DYNAMIC_BLOCK_BASE, "must be 0 (off) or more, got %d", blockBase);
        ThreadSpinning spinning;
        try {
            spinning = conf.getOptional(SPINNING).map(ThreadSpinning::parse)
                    .orElseGet(() -> defaultSpinning(conf.get(DELIVERY)));
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException(SPINNING, e.getMessage());
        }
        ExecutionProvider provider;
        try {
            provider = ExecutionProvider.parse(conf.get(EXECUTION_PROVIDER));
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException(EXECUTION_PROVIDER, e.getMessage());
        }
        return SessionSettings.builder()
                .intraOpThreads(intraOp)
                .interOpThreads(interOp)
                .spinning(spinning)
                .dynamicBlockBase(blockBase)
                .executionProvider(provider)
                .allowCpuFallback(conf.get(ALLOW_CPU_FALLBACK))
                .build();
    }

    /**
     * Checks the Kafka options every job uses (servers given, transaction timeout within the broker's default
     * maximum), so that a bad value fails before anything starts.
     */
    public static void checkKafka(ReadableConfig conf) {
        InvalidOptionException.check(!conf.get(BOOTSTRAP_SERVERS).isBlank(), BOOTSTRAP_SERVERS,
                "is empty; give host:port of at least one broker");
        Duration timeout = conf.get(TRANSACTION_TIMEOUT);
        InvalidOptionException.check(!timeout.isNegative() && !timeout.isZero()
                        && timeout.compareTo(Duration.ofMinutes(15)) < 0, TRANSACTION_TIMEOUT,
                "must be above 0 and below the broker's default transaction.max.timeout.ms of 15 min, got %s", timeout);
        InvalidOptionException.check(!conf.get(FRAMES_TOPIC).isBlank(), FRAMES_TOPIC, "is empty");
        InvalidOptionException.check(!conf.get(DEAD_LETTER_TOPIC).isBlank(), DEAD_LETTER_TOPIC, "is empty");
        InvalidOptionException.check(!conf.get(SCHEMAS_TOPIC).isBlank(), SCHEMAS_TOPIC, "is empty");
        Duration lookup = conf.get(SCHEMA_LOOKUP_TIMEOUT);
        InvalidOptionException.check(!lookup.isNegative() && !lookup.isZero(), SCHEMA_LOOKUP_TIMEOUT,
                "must be above 0, got %s", lookup);
    }

    /**
     * The schema store the decoders look unknown writer schemas up in: {@link #SCHEMAS_TOPIC} on the job's cluster,
     * with the pass-through client properties.
     */
    public static KafkaSchemaStore.Settings schemaStore(Configuration conf) {
        Map<String, String> props = new java.util.HashMap<>();
        kafkaProperties(conf).forEach((k, v) -> props.put(k.toString(), v.toString()));
        return KafkaSchemaStore.Settings.of(conf.get(BOOTSTRAP_SERVERS), conf.get(SCHEMAS_TOPIC), props,
                conf.get(SCHEMA_LOOKUP_TIMEOUT));
    }

    /** The pass-through Kafka client properties ({@value #KAFKA_PROPERTIES_PREFIX}*), without the prefix. */
    public static Properties kafkaProperties(Configuration conf) {
        Properties out = new Properties();
        for (Map.Entry<String, String> e : conf.toMap().entrySet()) {
            if (e.getKey().startsWith(KAFKA_PROPERTIES_PREFIX) && e.getKey().length() > KAFKA_PROPERTIES_PREFIX.length()) {
                out.setProperty(e.getKey().substring(KAFKA_PROPERTIES_PREFIX.length()), e.getValue());
            }
        }
        return out;
    }
}
