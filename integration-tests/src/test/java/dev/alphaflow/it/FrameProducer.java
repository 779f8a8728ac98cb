package dev.alphaflow.it;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import dev.alphaflow.schemas.Codec;
import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.serde.AvroCodec;

/** Writes Frame records (or arbitrary bytes) to a frames topic, keyed by stream id, and waits for each. */
final class FrameProducer implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final AvroCodec<Frame> codec = AvroCodec.of(Frame.class);

    FrameProducer(String bootstrapServers, String topic) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(16 << 20));
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topic;
    }

    static Frame.Builder frame(String streamId, long seq, Codec codec, int width, int height, byte[] payload) {
        return Frame.newBuilder().setStreamId(streamId).setSeq(seq).setEventTimeMs(1_000_000L + seq * 40)
                .setCodec(codec).setWidth(width).setHeight(height).setPayload(ByteBuffer.wrap(payload))
                .setControl(Control.NONE).setPrompts(List.of()).setMetadata(null);
    }

    void sendPng(String streamId, long seq, byte[] png, int width, int height) throws Exception {
        send(frame(streamId, seq, Codec.PNG, width, height, png).build());
    }

    void sendEnd(String streamId, long seq) throws Exception {
        send(frame(streamId, seq, Codec.PNG, 0, 0, new byte[0]).setControl(Control.END).build());
    }

    void send(Frame frame) throws Exception {
        sendRaw(frame.getStreamId(), codec.encode(frame));
    }

    void sendRaw(String key, byte[] value) throws InterruptedException, ExecutionException {
        producer.send(new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value)).get();
    }

    @Override
    public void close() {
        producer.close();
    }
}
