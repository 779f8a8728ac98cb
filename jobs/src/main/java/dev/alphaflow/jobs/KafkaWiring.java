package dev.alphaflow.jobs;

import java.nio.charset.StandardCharsets;
import java.util.Properties;

import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;

import dev.alphaflow.operators.OperatorTypes;
import dev.alphaflow.operators.decode.RawFrameRecord;
import dev.alphaflow.operators.metrics.AlphaflowMetrics;
import dev.alphaflow.operators.metrics.SinkMetrics;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.serde.AvroCodec;

/**
 * Connects a job graph to Kafka, the same way for every job: the frames topic as the source (uid
 * {@code frames-source}), an Avro record sink per output topic keyed by stream id with the seq in header
 * {@value #SEQ_HEADER}, and the dead-letter sink (uid {@code dlq-sink}). Consumer group and transactional ids come
 * from the job's {@link JobIdentity}; {@link CommonOptions#KAFKA_PROPERTIES_PREFIX} properties reach every client.
 *
 * <p>Metrics (see {@link AlphaflowMetrics}): the source counts {@value AlphaflowMetrics#FRAMES_IN}; the result sink
 * counts {@value AlphaflowMetrics#FRAMES_OUT} and measures {@value AlphaflowMetrics#END_TO_END_LATENCY_MS}; the
 * dead-letter sink counts {@value AlphaflowMetrics#DEAD_LETTERS} per reason. The source's own
 * {@code pendingRecords} (flink-connector-kafka) is the consumer lag.
 *
 * <pre>{@code
 * DataStream<RawFrameRecord> frames = KafkaWiring.frames(env, conf, MattingJob.IDENTITY);
 * MattingJob.Outputs out = job.build(frames);
 * out.mattes().sinkTo(KafkaWiring.sink(conf, MattingJob.IDENTITY, "mattes", Matte.class, topic,
 *         Matte::getStreamId, Matte::getSeq, SinkMetrics.results(Matte::getEventTimeMs)));
 * KafkaWiring.sinkDeadLetters(out.deadLetters(), conf, MattingJob.IDENTITY);
 * }</pre>
 */
public final class KafkaWiring {
    /** Header carrying the frame's seq, so consumers can de-duplicate without decoding the value. */
    public static final String SEQ_HEADER = "alphaflow.seq";

    private static final int MAX_RECORD_BYTES = KafkaDefaults.MAX_RECORD_BYTES;

    private KafkaWiring() {}

    /** The frames topic as a stream of raw records: the source every job starts from (uid {@code frames-source}). */
    public static DataStream<RawFrameRecord> frames(StreamExecutionEnvironment env, Configuration conf, JobIdentity job) {
        return env
                .fromSource(frameSource(conf, job), WatermarkStrategy.noWatermarks(), "frames")
                .setDescription("frames from " + conf.get(CommonOptions.FRAMES_TOPIC))
                .uid("frames-source");
    }

    /**
     * Writes a job's results to {@code topic} (operator {@code out}, uid {@code <name>-sink}) and its dead letters to
     * the dead-letter topic; {@code eventTimeMs} is the result's frame's event time, for the latency metric.
     */
    public static <T extends SpecificRecord> void sinkOutputs(DataStream<T> results, DataStream<DeadLetter> deadLetters,
            Configuration conf, JobIdentity job, String name, Class<T> recordClass, String topic,
            SerializableFunction<T, String> streamId, SerializableFunction<T, Long> seq,
            SerializableFunction<T, Long> eventTimeMs) {
        // Short operator names: Flink chains them into the task's name and truncates (with a WARN) past 80
        // characters; the topic goes to the description.
        results.sinkTo(sink(conf, job, name, recordClass, topic, streamId, seq, SinkMetrics.results(eventTimeMs)))
                .name("out")
                .setDescription(name + " to " + topic).uid(name + "-sink");
        sinkDeadLetters(deadLetters, conf, job);
    }

    /** Writes a job's dead letters to the dead-letter topic (uid {@code dlq-sink}). */
    public static void sinkDeadLetters(DataStream<DeadLetter> deadLetters, Configuration conf, JobIdentity job) {
        deadLetters.sinkTo(sink(conf, job, "dlq", DeadLetter.class, conf.get(CommonOptions.DEAD_LETTER_TOPIC),
                        DeadLetter::getStreamId, DeadLetter::getSeq, SinkMetrics.deadLetters()))
                .name("dlq").setDescription("dead letters to " + conf.get(CommonOptions.DEAD_LETTER_TOPIC))
                .uid("dlq-sink");
    }

    /** The frame source: read_committed, offsets committed on checkpoints, bounded when {@link CommonOptions#BOUNDED}. */
    public static KafkaSource<RawFrameRecord> frameSource(Configuration conf, JobIdentity job) {
        KafkaSourceBuilder<RawFrameRecord> builder = KafkaSource.<RawFrameRecord>builder()
                .setProperties(CommonOptions.kafkaProperties(conf))
                .setBootstrapServers(conf.get(CommonOptions.BOOTSTRAP_SERVERS))
                .setTopics(conf.get(CommonOptions.FRAMES_TOPIC))
                .setGroupId(job.groupId(conf))
                .setDeserializer(new RawFrameDeserializer())
                .setProperty("isolation.level", "read_committed")
                .setProperty("max.partition.fetch.bytes", String.valueOf(MAX_RECORD_BYTES))
                .setProperty("fetch.max.bytes", String.valueOf(4 * MAX_RECORD_BYTES))
                // Commit offsets on checkpoints only for lag monitoring; the checkpoint holds the truth.
                .setProperty("commit.offsets.on.checkpoint", "true");
        switch (conf.get(CommonOptions.STARTING_OFFSETS)) {
            case EARLIEST -> builder.setStartingOffsets(OffsetsInitializer.earliest());
            case LATEST -> builder.setStartingOffsets(OffsetsInitializer.latest());
            case COMMITTED_OR_EARLIEST -> builder.setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST));
        }
        if (conf.get(CommonOptions.BOUNDED)) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        KafkaSourceSettings.apply(builder, conf.get(CommonOptions.BOUNDED));
        return builder.build();
    }

    /**
     * A sink of Avro records to {@code topic}: key = stream id, seq in header {@value #SEQ_HEADER}, exactly once
     * (transactional ids {@code <prefix>-<name>}) or at least once as {@link CommonOptions#DELIVERY} says;
     * {@code metrics} sees every record as it is written.
     */
    public static <T extends SpecificRecord> KafkaSink<T> sink(Configuration conf, JobIdentity job, String name,
            Class<T> recordClass, String topic, SerializableFunction<T, String> streamId,
            SerializableFunction<T, Long> seq, SinkMetrics<T> metrics) {
        boolean exactlyOnce = conf.get(CommonOptions.DELIVERY) == CommonOptions.Delivery.EXACTLY_ONCE;
        Properties producer = CommonOptions.kafkaProperties(conf);
        producer.setProperty("max.request.size", String.valueOf(MAX_RECORD_BYTES));
        producer.setProperty("transaction.timeout.ms", String.valueOf(conf.get(CommonOptions.TRANSACTION_TIMEOUT).toMillis()));
        if (!exactlyOnce) {
            producer.setProperty("linger.ms", "0");
        }
        return KafkaSink.<T>builder()
                .setBootstrapServers(conf.get(CommonOptions.BOOTSTRAP_SERVERS))
                .setKafkaProducerConfig(producer)
                .setRecordSerializer(new AvroRecordSerializer<>(recordClass, topic, streamId, seq, metrics))
                .setDeliveryGuarantee(exactlyOnce ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE)
                .setTransactionalIdPrefix(job.transactionalIdPrefix(conf) + "-" + name)
                .build();
    }

    /**
     * Passes every Kafka record on as raw bytes; decoding happens in the graph so that failures reach the DLQ. Counts
     * them as {@value AlphaflowMetrics#FRAMES_IN}.
     */
    static final class RawFrameDeserializer implements KafkaRecordDeserializationSchema<RawFrameRecord> {
        private static final long serialVersionUID = 1L;
        private transient Counter framesIn;

        @Override
        public void open(DeserializationSchema.InitializationContext context) {
            framesIn = context.getMetricGroup().counter(AlphaflowMetrics.FRAMES_IN);
        }

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawFrameRecord> out) {
            framesIn.inc();
            out.collect(new RawFrameRecord(record.topic(), record.partition(), record.offset(), record.timestamp(),
                    record.key(), record.value()));
        }

        @Override
        public TypeInformation<RawFrameRecord> getProducedType() {
            return OperatorTypes.RAW_FRAME_RECORD;
        }
    }

    /** Key = stream id (keeps a stream's outputs in order on one partition); seq also in a header. */
    static final class AvroRecordSerializer<T extends SpecificRecord>
            implements KafkaRecordSerializationSchema<T> {
        private static final long serialVersionUID = 1L;
        private final AvroCodec<T> codec;
        private final String topic;
        private final SerializableFunction<T, String> streamId;
        private final SerializableFunction<T, Long> seq;
        private final SinkMetrics<T> metrics;
        private transient boolean metricsOpen;

        AvroRecordSerializer(Class<T> recordClass, String topic, SerializableFunction<T, String> streamId,
                SerializableFunction<T, Long> seq, SinkMetrics<T> metrics) {
            this.codec = AvroCodec.of(recordClass);
            this.topic = topic;
            this.streamId = streamId;
            this.seq = seq;
            this.metrics = metrics;
        }

        @Override
        public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
            // The exactly-once sink opens its serializer once per writer it makes, and makes two in a subtask; a
            // second registration would collide with the first and count into metrics nobody reports.
            if (!metricsOpen) {
                metrics.open(context.getMetricGroup());
                metricsOpen = true;
            }
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(T record, KafkaSinkContext context, Long timestamp) {
            String id = streamId.apply(record);
            byte[] key = id == null ? null : id.getBytes(StandardCharsets.UTF_8);
            ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(topic, null, timestamp, key, codec.encode(record));
            Long n = seq.apply(record);
            if (n != null) {
                out.headers().add(new RecordHeader(SEQ_HEADER, String.valueOf(n).getBytes(StandardCharsets.UTF_8)));
            }
            metrics.written(record, System.currentTimeMillis());
            return out;
        }
    }
}
