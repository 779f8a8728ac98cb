package dev.alphaflow.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.alphaflow.schemas.BoundingBox;
import dev.alphaflow.schemas.DetectedInstance;
import dev.alphaflow.schemas.Instances;
import dev.alphaflow.schemas.MaskRle;
import dev.alphaflow.schemas.OpticalFlow;
import dev.alphaflow.schemas.Segmentation;
import dev.alphaflow.schemas.SegmentedObject;

/** The segmentation, instance and flow records survive the Kafka encoding, and their fingerprints are known. */
class OutputRecordsTest {

    private static final MaskRle MASK = MaskRle.newBuilder().setHeight(2).setWidth(3).setCounts(List.of(1, 4, 1)).build();
    private static final BoundingBox BOX = BoundingBox.newBuilder().setX0(0).setY0(0).setX1(3).setY1(2).build();

    @Test
    void segmentationRoundTrips() {
        Segmentation record = Segmentation.newBuilder()
                .setStreamId("cam-1").setSeq(7).setEventTimeMs(123).setWidth(3).setHeight(2)
                .setObjects(List.of(
                        SegmentedObject.newBuilder().setObjectId(1).setLabel("swan").setScore(0.9f).setBbox(BOX)
                                .setArea(4).setMask(MASK).build(),
                        SegmentedObject.newBuilder().setObjectId(2).setScore(0f).setBbox(null).setArea(0)
                                .setMask(MaskRle.newBuilder().setHeight(2).setWidth(3).setCounts(List.of(6)).build())
                                .build()))
                .setModelId("vos").setStateReset(true).setResetReason("FIRST_FRAME")
                .setTimingsMicros(Map.of("inference", 10L))
                .build();
        AvroCodec<Segmentation> codec = AvroCodec.of(Segmentation.class);
        assertThat(codec.decode(codec.encode(record))).isEqualTo(record);
        assertThat(KnownSchemas.store().findByFingerprint(
                org.apache.avro.SchemaNormalization.parsingFingerprint64(Segmentation.getClassSchema())))
                .isEqualTo(Segmentation.getClassSchema());
    }

    @Test
    void instancesRoundTrip() {
        Instances record = Instances.newBuilder()
                .setStreamId("cam-1").setSeq(7).setEventTimeMs(123).setWidth(3).setHeight(2)
                .setInstances(List.of(DetectedInstance.newBuilder().setClassId(0).setLabel("person").setScore(0.8f)
                        .setBbox(BOX).setArea(4).setMask(MASK).build()))
                .setModelId("yolov8n-seg")
                .build();
        AvroCodec<Instances> codec = AvroCodec.of(Instances.class);
        assertThat(codec.decode(codec.encode(record))).isEqualTo(record);
        assertThat(KnownSchemas.store().findByFingerprint(
                org.apache.avro.SchemaNormalization.parsingFingerprint64(Instances.getClassSchema())))
                .isEqualTo(Instances.getClassSchema());
    }

    @Test
    void flowRoundTripsWithAndWithoutAFlowField() {
        OpticalFlow first = OpticalFlow.newBuilder()
                .setStreamId("cam-1").setSeq(0).setEventTimeMs(100).setWidth(3).setHeight(2)
                .setFrameWidth(6).setFrameHeight(4).setEstimator("opencv-dis").setPreset("FAST")
                .setStateReset(true).setResetReason("FIRST_FRAME")
                .build();
        OpticalFlow next = OpticalFlow.newBuilder(first).setSeq(1).setFromSeq(0L)
                .setFlowPng(java.nio.ByteBuffer.wrap(new byte[] {(byte) 0x89, 'P', 'N', 'G'}))
                .setStateReset(false).setResetReason(null).setTimingsMicros(Map.of("flow", 7000L))
                .build();
        AvroCodec<OpticalFlow> codec = AvroCodec.of(OpticalFlow.class);
        assertThat(codec.decode(codec.encode(first))).isEqualTo(first);
        assertThat(codec.decode(codec.encode(first)).getFlowPng()).isNull();
        assertThat(codec.decode(codec.encode(next))).isEqualTo(next);
        assertThat(KnownSchemas.store().findByFingerprint(
                org.apache.avro.SchemaNormalization.parsingFingerprint64(OpticalFlow.getClassSchema())))
                .isEqualTo(OpticalFlow.getClassSchema());
    }
}
