package dev.alphaflow.jobs.instances;

import dev.alphaflow.jobs.CommonOptions;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

import dev.alphaflow.jobs.matting.MattingJobOptions;
import dev.alphaflow.jobs.testutils.SharedData;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.operators.OperatorTypes;
import dev.alphaflow.operators.decode.RawFrameRecord;
import dev.alphaflow.operators.instances.InstancesSpec;
import dev.alphaflow.schemas.Codec;
import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.serde.AvroCodec;

/** The job graph without Kafka: records in, instances and dead letters out, on the real YOLOv8n-seg. */
class InstancesJobTest {

    private static RawFrameRecord record(long offset, String streamId, long seq, Codec codec, int w, int h, byte[] payload) {
        Frame frame = Frame.newBuilder().setStreamId(streamId).setSeq(seq).setEventTimeMs(1000 + seq)
                .setCodec(codec).setWidth(w).setHeight(h).setPayload(ByteBuffer.wrap(payload))
                .setControl(Control.NONE).setPrompts(List.of()).setMetadata(null).build();
        return new RawFrameRecord("frames", 0, offset, 0L, streamId.getBytes(StandardCharsets.UTF_8),
                AvroCodec.of(Frame.class).encode(frame));
    }

    @Test
    void framesBecomeInstancesAndBadFramesDeadLetters() throws Exception {
        byte[] jpeg = Files.readAllBytes(SharedData.data("opencv-samples/messi5.jpg"));
        RgbImage messi = ImageCodec.decode(jpeg);
        Configuration conf = new Configuration();
        conf.set(CommonOptions.MODEL_DIR, SharedData.dir().resolve("models").toString());
        conf.set(CommonOptions.INTRA_OP_THREADS, 1);
        conf.set(InstancesSpec.CLASSES, "sports ball");
        InstancesJob job = InstancesJob.fromConfiguration(conf);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        DataStream<RawFrameRecord> raw = env.fromData(OperatorTypes.RAW_FRAME_RECORD,
                record(0, "messi", 0, Codec.JPEG, messi.width(), messi.height(), jpeg),
                record(1, "messi", 1, Codec.JPEG, messi.width(), messi.height(), new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2}),
                record(2, "messi", 2, Codec.JPEG, messi.width(), messi.height(), jpeg));
        InstancesJob.Outputs outputs = job.build(raw);
        DataStream<String> lines = outputs.instances()
                .map(i -> "instances " + i.getSeq() + " " + i.getInstances().stream()
                        .map(d -> d.getLabel() + String.format(":%.2f", d.getScore())).toList())
                .returns(Types.STRING)
                .union(outputs.deadLetters().map(d -> "dlq " + d.getSeq() + " " + d.getReason()).returns(Types.STRING));
        List<String> results = new ArrayList<>();
        try (CloseableIterator<String> it = lines.executeAndCollect("instances job test")) {
            it.forEachRemaining(results::add);
        }
        assertThat(results).hasSize(3);
        assertThat(results).anyMatch(s -> s.startsWith("dlq 1 "));
        assertThat(results.stream().filter(s -> s.startsWith("instances")).toList())
                .hasSize(2)
                .allMatch(s -> s.contains("sports ball:") && !s.contains("person"));
    }
}
