package dev.alphaflow.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import dev.alphaflow.schemas.Codec;
import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.serde.AvroCodec;

/** Publishes JPEG frames as Avro {@code Frame} records keyed by stream id, as the replay tool does. */
final class FramePublisher implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final BenchTopics topics;
    private final AvroCodec<Frame> codec = AvroCodec.of(Frame.class);

    FramePublisher(String bootstrapServers, BenchTopics topics) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        // One request at a time: strictly in order, and fast enough against a local broker.
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(16 << 20));
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        this.topics = topics;
    }

    /**
     * Sends one frame. Stream {@code streamIndex} goes to partition {@code streamIndex % partitions}, so the source
     * subtasks share the streams evenly. The future's metadata carries the broker's append time.
     */
    Future<RecordMetadata> send(int streamIndex, String streamId, long seq, byte[] jpeg) {
        Frame frame = Frame.newBuilder().setStreamId(streamId).setSeq(seq).setEventTimeMs(System.currentTimeMillis())
                .setCodec(Codec.JPEG).setWidth(Workload.WIDTH).setHeight(Workload.HEIGHT)
                .setPayload(ByteBuffer.wrap(jpeg)).setControl(Control.NONE).setPrompts(List.of()).setMetadata(null)
                .build();
        return producer.send(new ProducerRecord<>(topics.frames(), streamIndex % topics.partitions(),
                streamId.getBytes(StandardCharsets.UTF_8), codec.encode(frame)));
    }

    /** Sends every frame of the workload (frame t of every stream before frame t+1) and waits until all are stored. */
    void sendAll(Workload workload, long firstSeq) {
        List<Workload.StreamFrames> streams = workload.streams();
        int longest = streams.stream().mapToInt(s -> s.jpegs().size()).max().orElse(0);
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int t = 0; t < longest; t++) {
            for (int s = 0; s < streams.size(); s++) {
                List<byte[]> jpegs = streams.get(s).jpegs();
                if (t < jpegs.size()) {
                    sent.add(send(s, streams.get(s).streamId(), firstSeq + t, jpegs.get(t)));
                }
            }
        }
        flush();
        for (Future<RecordMetadata> f : sent) {
            try {
                f.get();
            } catch (Exception e) {
                throw new IllegalStateException("cannot publish a benchmark frame to " + topics.frames() + ": " + e, e);
            }
        }
    }

    void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
