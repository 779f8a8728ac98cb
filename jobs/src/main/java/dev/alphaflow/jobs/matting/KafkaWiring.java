package dev.alphaflow.jobs.matting;

import java.nio.charset.StandardCharsets;
import java.util.Properties;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
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
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.Matte;
import dev.alphaflow.schemas.Segmentation;
import dev.alphaflow.jobs.segmentation.SegmentationJob;
import dev.alphaflow.schemas.serde.AvroCodec;

/** Connects the matting job graph to Kafka: the frame source, the matte sink and the dead-letter sink. */
public final class KafkaWiring {
    /** Header carrying the frame's seq, so consumers can de-duplicate without decoding the value. */
    public static final String SEQ_HEADER = "alphaflow.seq";

    private static final int MAX_RECORD_BYTES = 16 << 20;

    private KafkaWiring() {}

    /** Runs the job graph between Kafka topics: the whole job the {@code alphaflow run} command submits. */
    public static MattingJob.Outputs wire(StreamExecutionEnvironment env, Configuration conf) {
        return wire(env, conf, MattingJob.fromConfiguration(conf));
    }

    /** Runs the given job graph between the Kafka topics named in {@code conf}. */
    public static MattingJob.Outputs wire(StreamExecutionEnvironment env, Configuration conf, MattingJob job) {
        MattingJob.Outputs outputs = job.build(frames(env, conf));
        outputs.mattes().sinkTo(matteSink(conf)).name("mattes: " + conf.get(MattingJobOptions.MATTES_TOPIC)).uid("mattes-sink");
        sinkDeadLetters(outputs.deadLetters(), conf);
        return outputs;
    }

    /** The frames topic as a stream of raw records: the source every job starts from (uid {@code frames-source}). */
    public static DataStream<RawFrameRecord> frames(StreamExecutionEnvironment env, Configuration conf) {
        return env
                .fromSource(frameSource(conf), WatermarkStrategy.noWatermarks(), "frames: " + conf.get(MattingJobOptions.FRAMES_TOPIC))
                .uid("frames-source");
    }

    /** Writes a job's dead letters to the dead-letter topic (uid {@code dlq-sink}). */
    public static void sinkDeadLetters(DataStream<DeadLetter> deadLetters, Configuration conf) {
        deadLetters.sinkTo(deadLetterSink(conf)).name("dlq: " + conf.get(MattingJobOptions.DEAD_LETTER_TOPIC)).uid("dlq-sink");
    }

    public static KafkaSource<RawFrameRecord> frameSource(Configuration conf) {
        KafkaSourceBuilder<RawFrameRecord> builder = KafkaSource.<RawFrameRecord>builder()
                .setBootstrapServers(conf.get(MattingJobOptions.BOOTSTRAP_SERVERS))
                .setTopics(conf.get(MattingJobOptions.FRAMES_TOPIC))
                .setGroupId(conf.get(MattingJobOptions.GROUP_ID))
                .setDeserializer(new RawFrameDeserializer())
                .setProperty("isolation.level", "read_committed")
                .setProperty("max.partition.fetch.bytes", String.valueOf(MAX_RECORD_BYTES))
                .setProperty("fetch.max.bytes", String.valueOf(4 * MAX_RECORD_BYTES))
                // Commit offsets on checkpoints only for lag monitoring; the checkpoint holds the truth.
                .setProperty("commit.offsets.on.checkpoint", "true");
        switch (conf.get(MattingJobOptions.STARTING_OFFSETS)) {
            case EARLIEST -> builder.setStartingOffsets(OffsetsInitializer.earliest());
            case LATEST -> builder.setStartingOffsets(OffsetsInitializer.latest());
            case COMMITTED_OR_EARLIEST -> builder.setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST));
        }
        if (conf.get(MattingJobOptions.BOUNDED)) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    public static KafkaSink<Matte> matteSink(Configuration conf) {
        return sink(conf, conf.get(MattingJobOptions.TRANSACTIONAL_ID_PREFIX) + "-mattes", new AvroRecordSerializer<>(
                Matte.class, conf.get(MattingJobOptions.MATTES_TOPIC), Matte::getStreamId, Matte::getSeq));
    }

    public static KafkaSink<Segmentation> segmentSink(Configuration conf) {
        return sink(conf, conf.get(MattingJobOptions.TRANSACTIONAL_ID_PREFIX) + "-segments", new AvroRecordSerializer<>(
                Segmentation.class, conf.get(MattingJobOptions.SEGMENTS_TOPIC), Segmentation::getStreamId,
                Segmentation::getSeq));
    }

    /** Runs the segmentation job graph between the Kafka topics named in {@code conf}. */
    public static SegmentationJob.Outputs wireSegmentation(StreamExecutionEnvironment env, Configuration conf,
            SegmentationJob job) {
        SegmentationJob.Outputs outputs = job.build(frames(env, conf));
        outputs.segments().sinkTo(segmentSink(conf)).name("segments: " + conf.get(MattingJobOptions.SEGMENTS_TOPIC)).uid("segments-sink");
        sinkDeadLetters(outputs.deadLetters(), conf);
        return outputs;
    }

    public static KafkaSink<DeadLetter> deadLetterSink(Configuration conf) {
        return sink(conf, conf.get(MattingJobOptions.TRANSACTIONAL_ID_PREFIX) + "-dlq", new AvroRecordSerializer<>(
                DeadLetter.class, conf.get(MattingJobOptions.DEAD_LETTER_TOPIC), DeadLetter::getStreamId, DeadLetter::getSeq));
    }

    /**
     * The instance-segmentation job's sink: {@code Instances} records to {@code topic}, keyed by stream id with the seq
     * in header {@value #SEQ_HEADER}, exactly once (or at least once) like the matte sink.
     */
    public static KafkaSink<dev.alphaflow.schemas.Instances> instancesSink(Configuration conf, String topic) {
        return sink(conf, conf.get(MattingJobOptions.TRANSACTIONAL_ID_PREFIX) + "-instances", new AvroRecordSerializer<>(
                dev.alphaflow.schemas.Instances.class, topic, dev.alphaflow.schemas.Instances::getStreamId,
                dev.alphaflow.schemas.Instances::getSeq));
    }

    private static <T> KafkaSink<T> sink(Configuration conf, String transactionalIdPrefix, KafkaRecordSerializationSchema<T> serializer) {
        boolean exactlyOnce = conf.get(MattingJobOptions.DELIVERY) == MattingJobOptions.Delivery.EXACTLY_ONCE;
        Properties producer = new Properties();
        producer.setProperty("max.request.size", String.valueOf(MAX_RECORD_BYTES));
        producer.setProperty("transaction.timeout.ms", String.valueOf(conf.get(MattingJobOptions.TRANSACTION_TIMEOUT).toMillis()));
        if (!exactlyOnce) {
            producer.setProperty("linger.ms", "0");
        }
        return KafkaSink.<T>builder()
                .setBootstrapServers(conf.get(MattingJobOptions.BOOTSTRAP_SERVERS))
                .setKafkaProducerConfig(producer)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(exactlyOnce ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .build();
    }

    /** Passes every Kafka record on as raw bytes; decoding happens in the graph so that failures reach the DLQ. */
    static final class RawFrameDeserializer implements KafkaRecordDeserializationSchema<RawFrameRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawFrameRecord> out) {
            out.collect(new RawFrameRecord(record.topic(), record.partition(), record.offset(), record.timestamp(),
                    record.key(), record.value()));
        }

        @Override
        public TypeInformation<RawFrameRecord> getProducedType() {
            return OperatorTypes.RAW_FRAME_RECORD;
        }
    }

    /** Key = stream id (keeps a stream's outputs in order on one partition); seq also in a header. */
    static final class AvroRecordSerializer<T extends org.apache.avro.specific.SpecificRecord>
            implements KafkaRecordSerializationSchema<T> {
        private static final long serialVersionUID = 1L;
        private final AvroCodec<T> codec;
        private final String topic;
        private final SerializableFunction<T, String> streamId;
        private final SerializableFunction<T, Long> seq;

        AvroRecordSerializer(Class<T> recordClass, String topic, SerializableFunction<T, String> streamId,
                SerializableFunction<T, Long> seq) {
            this.codec = AvroCodec.of(recordClass);
            this.topic = topic;
            this.streamId = streamId;
            this.seq = seq;
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
            return out;
        }
    }
}
