package dev.alphaflow.operators.instances;

import static dev.alphaflow.operators.testutils.TestFrames.controlOnly;
import static dev.alphaflow.operators.testutils.TestFrames.decoded;
import static dev.alphaflow.operators.testutils.TestFrames.image;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.alphaflow.model.ModelCard;
import dev.alphaflow.model.ModelCards;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.SharedSessions;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.instances.BinaryMask;
import dev.alphaflow.model.instances.Instance;
import dev.alphaflow.model.instances.InstanceOptions;
import dev.alphaflow.model.instances.InstanceSegmenter;
import dev.alphaflow.model.instances.NmsKind;
import dev.alphaflow.model.instances.Rle;
import dev.alphaflow.model.testing.SharedTestData;
import dev.alphaflow.operators.decode.DecodeLimits;
import dev.alphaflow.operators.decode.DecodedFrame;
import dev.alphaflow.operators.testutils.MetricCapture;
import dev.alphaflow.schemas.Codec;
import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.DeadLetterReason;
import dev.alphaflow.schemas.DetectedInstance;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.Instances;
import dev.alphaflow.schemas.serde.AvroCodec;

/**
 * InstancesFunction on a tiny generated model with the YOLO-seg contract (two objects, one duplicate, and a run that
 * fails on white pixels), and once on the real YOLOv8n-seg with messi5.jpg.
 */
class InstancesFunctionTest {
    private static final int W = 64;
    private static final int H = 48;

    @TempDir
    static Path modelDir;

    private static ModelCard card;

    private final List<OneInputStreamOperatorTestHarness<DecodedFrame, Instances>> harnesses = new ArrayList<>();

    @BeforeAll
    static void writeModel() {
        card = ModelCard.forFile("tiny-yolo-seg", TinyYoloSeg.write(modelDir.resolve("tiny-yolo-seg.onnx")));
    }

    @AfterEach
    void closeHarnesses() throws Exception {
        for (var h : harnesses) {
            h.close();
        }
        assertThat(SharedSessions.openSessionCount()).as("sessions released on close").isZero();
    }

    private static InstancesSpec.Builder spec() {
        return InstancesSpec.builder()
                .modelDir(modelDir)
                .card(card)
                .sessionSettings(SessionSettings.builder().intraOpThreads(1).interOpThreads(1).build());
    }

    private OneInputStreamOperatorTestHarness<DecodedFrame, Instances> open(InstancesSpec spec, MetricCapture metrics)
            throws Exception {
        var harness = metrics == null
                ? new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new InstancesFunction(spec)))
                : new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new InstancesFunction(spec)),
                        metrics.environment());
        harnesses.add(harness);
        harness.open();
        return harness;
    }

    private static List<Instances> run(OneInputStreamOperatorTestHarness<DecodedFrame, Instances> harness,
            DecodedFrame... frames) throws Exception {
        for (DecodedFrame f : frames) {
            harness.processElement(f, f.eventTimeMs);
        }
        List<Instances> out = harness.extractOutputValues();
        harness.getOutput().clear();
        return out;
    }

    private static List<DeadLetter> deadLetters(OneInputStreamOperatorTestHarness<DecodedFrame, Instances> harness) {
        var queue = harness.getSideOutput(InstancesFunction.DEAD_LETTERS);
        return queue == null ? List.of() : queue.stream().map(StreamRecord::getValue).toList();
    }

    /** A frame with a white square: the tiny model's run fails on it. */
    private static DecodedFrame whiteFrame(String stream, long seq) {
        RgbImage img = image(W, H, (int) seq);
        byte[] rgb = img.rgb().clone();
        for (int y = 10; y < 20; y++) {
            for (int x = 10; x < 20; x++) {
                int i = (y * W + x) * 3;
                rgb[i] = rgb[i + 1] = rgb[i + 2] = (byte) 255;
            }
        }
        return decoded(stream, seq, new RgbImage(W, H, rgb));
    }

    @Test
    void emitsOneRecordPerFrameWithInstancesBestFirstAndRleMasksOfTheFrameSize() throws Exception {
        var harness = open(spec().build(), null);
        List<Instances> out = run(harness, decoded("cam", 7, image(W, H, 7)));

        assertThat(out).hasSize(1);
        Instances rec = out.get(0);
        assertThat(rec.getStreamId()).isEqualTo("cam");
        assertThat(rec.getSeq()).isEqualTo(7);
        assertThat(rec.getEventTimeMs()).isEqualTo(1_700_000_000_000L + 7 * 40);
        assertThat(rec.getWidth()).isEqualTo(W);
        assertThat(rec.getHeight()).isEqualTo(H);
        assertThat(rec.getModelId()).isEqualTo("tiny-yolo-seg");

        // Anchor 1 (a duplicate of anchor 0) is suppressed; the rest, best score first.
        List<DetectedInstance> instances = rec.getInstances();
        assertThat(instances).extracting(DetectedInstance::getLabel).containsExactly("class_0", "class_1");
        assertThat(instances).extracting(DetectedInstance::getClassId).containsExactly(0, 1);
        assertThat(instances.get(0).getScore()).isCloseTo(0.9f, within(1e-6f));
        assertThat(instances.get(1).getScore()).isCloseTo(0.6f, within(1e-6f));

        // 64x48 in a 32x32 input: scale 0.5, 4 px of pad above. Anchor 0 [4,12,12,20] -> frame [8,16,24,32];
        // anchor 2 [18,10,26,22] -> frame [36,12,52,36].
        var b0 = instances.get(0).getBbox();
        assertThat(new float[] {b0.getX0(), b0.getY0(), b0.getX1(), b0.getY1()})
                .containsExactly(new float[] {8, 16, 24, 32}, within(1e-3f));
        var b1 = instances.get(1).getBbox();
        assertThat(new float[] {b1.getX0(), b1.getY0(), b1.getX1(), b1.getY1()})
                .containsExactly(new float[] {36, 12, 52, 36}, within(1e-3f));

        for (DetectedInstance instance : instances) {
            Rle rle = InstancesFunction.rleOf(instance);
            BinaryMask mask = rle.decode();
            assertThat(mask.width()).isEqualTo(W);
            assertThat(mask.height()).isEqualTo(H);
            assertThat(mask.area()).isEqualTo(instance.getArea()).isPositive();
            var b = instance.getBbox();
            // prototypes are all +1, so the mask is the whole box
            assertThat(mask.area()).isEqualTo((long) ((b.getX1() - b.getX0()) * (b.getY1() - b.getY0())));
            assertThat(mask.areaInside((int) b.getX0(), (int) b.getY0(), (int) b.getX1(), (int) b.getY1()))
                    .isEqualTo(mask.area());
        }

        Map<String, Long> timings = rec.getTimingsMicros();
        assertThat(timings).containsKeys(InstancesFunction.TIMING_DECODE, InstancesFunction.TIMING_INFERENCE,
                InstancesFunction.TIMING_ENCODE, InstancesFunction.TIMING_TOTAL);
        assertThat(timings.get(InstancesFunction.TIMING_DECODE)).isEqualTo(100L); // the decoder's, carried over
        assertThat(timings.get(InstancesFunction.TIMING_INFERENCE)).isPositive();
        assertThat(deadLetters(harness)).isEmpty();
    }

    @Test
    void recordsAreTheSegmentersInstancesEncoded() throws Exception {
        InstancesSpec spec = spec().build();
        RgbImage img = image(W, H, 3);
        List<Instance> direct;
        try (InstanceSegmenter segmenter = spec.openSegmenter()) {
            direct = segmenter.segment(img);
        }
        List<Instances> out = run(open(spec, null), decoded("cam", 3, img));
        List<DetectedInstance> encoded = out.get(0).getInstances();
        assertThat(encoded).hasSameSizeAs(direct);
        for (int i = 0; i < direct.size(); i++) {
            assertThat(InstancesFunction.rleOf(encoded.get(i))).isEqualTo(Rle.encode(direct.get(i).mask()));
            assertThat(InstancesFunction.rleOf(encoded.get(i)).decode()).isEqualTo(direct.get(i).mask());
            assertThat(encoded.get(i).getScore()).isEqualTo(direct.get(i).score());
            assertThat(encoded.get(i).getLabel()).isEqualTo(direct.get(i).label());
        }
    }

    @Test
    void classFilterKeepsTheNamedClassesByNameOrId() throws Exception {
        List<Instances> byName = run(open(spec().classes(List.of("CLASS_1")).build(), null), decoded("a", 0, W, H));
        assertThat(byName.get(0).getInstances()).extracting(DetectedInstance::getLabel).containsExactly("class_1");

        List<Instances> byId = run(open(spec().classes(List.of("0")).build(), null), decoded("a", 0, W, H));
        assertThat(byId.get(0).getInstances()).extracting(DetectedInstance::getLabel).containsExactly("class_0");

        // A frame with none of the kept classes still gets its (empty) record.
        List<Instances> none = run(open(spec()
                .instanceOptions(InstanceOptions.builder().scoreThreshold(0.95f).build()).build(), null),
                decoded("a", 0, W, H));
        assertThat(none).hasSize(1);
        assertThat(none.get(0).getInstances()).isEmpty();
    }

    @Test
    void unknownClassesFailAtStartNamingThemAndTheModelsClasses() {
        InstancesSpec spec = spec().classes(List.of("class_1", "person", "7")).build();
        assertThatThrownBy(() -> open(spec, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("alphaflow.instances.classes")
                .hasMessageContaining("'person'")
                .hasMessageContaining("id 7")
                .hasMessageContaining("tiny-yolo-seg")
                .hasMessageContaining("class_0, class_1")
                .message().doesNotContain("'class_1'");
        assertThatThrownBy(spec::check).isInstanceOf(IllegalArgumentException.class);
        assertThat(SharedSessions.openSessionCount()).as("the failed open released its session").isZero();
    }

    @Test
    void aFrameTheModelCannotRunGoesToTheDeadLettersAndTheStreamContinues() throws Exception {
        try (MetricCapture metrics = new MetricCapture()) {
            var harness = open(spec().build(), metrics);
            DecodedFrame bad = whiteFrame("cam", 1);
            List<Instances> out = run(harness, decoded("cam", 0, W, H), bad, decoded("cam", 2, W, H));

            assertThat(out).extracting(Instances::getSeq).containsExactly(0L, 2L);
            List<DeadLetter> dlq = deadLetters(harness);
            assertThat(dlq).hasSize(1);
            DeadLetter d = dlq.get(0);
            assertThat(d.getReason()).isEqualTo(DeadLetterReason.INFERENCE_FAILED);
            assertThat(d.getStage()).isEqualTo(InstancesFunction.STAGE);
            assertThat(d.getStreamId()).isEqualTo("cam");
            assertThat(d.getSeq()).isEqualTo(1L);
            assertThat(d.getSourceTopic()).isEqualTo(bad.sourceTopic);
            assertThat(d.getSourceOffset()).isEqualTo(bad.sourceOffset);
            assertThat(d.getMessage()).contains("tiny-yolo-seg").contains("inference failed");
            assertThat(d.getOriginalTruncated()).isFalse();

            // The original is the frame as a replayable Frame record: same stream, seq and pixels.
            byte[] original = new byte[d.getOriginal().remaining()];
            d.getOriginal().duplicate().get(original);
            assertThat(d.getOriginalSize()).isEqualTo(original.length);
            Frame replay = AvroCodec.of(Frame.class).decode(original);
            assertThat(replay.getStreamId()).isEqualTo("cam");
            assertThat(replay.getSeq()).isEqualTo(1L);
            assertThat(replay.getEventTimeMs()).isEqualTo(bad.eventTimeMs);
            assertThat(replay.getCodec()).isEqualTo(Codec.PNG);
            assertThat(replay.getControl()).isEqualTo(Control.NONE);
            assertThat(ImageCodec.decode(bytes(replay.getPayload())).rgb()).isEqualTo(bad.rgb);

            assertThat(metrics.count(InstancesFunction.FRAMES_SEGMENTED_METRIC)).isEqualTo(2);
            assertThat(metrics.count(InstancesFunction.INFERENCE_FAILURES_METRIC)).isEqualTo(1);
            assertThat(metrics.count(InstancesFunction.INSTANCES_FOUND_METRIC)).isEqualTo(4);
            harness.close();
            harnesses.remove(harness);
        }
    }

    @Test
    void deadLettersKeepAtMostTheConfiguredBytes() throws Exception {
        var harness = open(spec().maxDeadLetterPayloadBytes(100).build(), null);
        run(harness, whiteFrame("cam", 1));
        DeadLetter d = deadLetters(harness).get(0);
        assertThat(d.getOriginal().remaining()).isEqualTo(100);
        assertThat(d.getOriginalSize()).isGreaterThan(100);
        assertThat(d.getOriginalTruncated()).isTrue();
    }

    @Test
    void controlOnlyFramesProduceNothing() throws Exception {
        var harness = open(spec().build(), null);
        List<Instances> out = run(harness, controlOnly("cam", 5, Control.END), controlOnly("cam", 6, Control.RESET),
                decoded("cam", 7, W, H, Control.RESET));
        assertThat(out).extracting(Instances::getSeq).containsExactly(7L); // a RESET with pixels is a frame
        assertThat(deadLetters(harness)).isEmpty();
    }

    @Test
    void matrixNmsAlsoDropsTheDuplicate() throws Exception {
        InstancesSpec spec = spec().instanceOptions(InstanceOptions.builder().nms(NmsKind.MATRIX_NMS).build()).build();
        List<Instances> out = run(open(spec, null), decoded("cam", 0, W, H));
        assertThat(out.get(0).getInstances()).extracting(DetectedInstance::getLabel).containsExactly("class_0", "class_1");
    }

    @Test
    void optionsAreReadFromTheConfiguration() throws Exception {
        Configuration conf = new Configuration();
        conf.set(InstancesSpec.CLASSES, " person, sports ball ;0,");
        conf.set(InstancesSpec.SCORE_THRESHOLD, 0.5f);
        conf.set(InstancesSpec.NMS, "Matrix");
        conf.set(InstancesSpec.MAX_INSTANCES, 3);
        SessionSettings session = SessionSettings.builder().intraOpThreads(1).build();
        InstancesSpec spec = InstancesSpec.fromConfig(conf, "/models", session);

        assertThat(spec.card()).isEqualTo(ModelCards.YOLOV8N_SEG);
        assertThat(spec.modelDir()).isEqualTo("/models");
        assertThat(spec.sessionSettings()).isEqualTo(session);
        InstanceOptions options = spec.instanceOptions();
        assertThat(options.classNames()).containsExactlyInAnyOrder("person", "sports ball");
        assertThat(options.classIds()).containsExactly(0);
        assertThat(options.scoreThreshold()).isEqualTo(0.5f);
        assertThat(options.nms()).isEqualTo(NmsKind.MATRIX_NMS);
        assertThat(options.maxInstances()).isEqualTo(3);
        assertThat(spec.maxDeadLetterPayloadBytes()).isEqualTo(1 << 20);
        assertThat(InstantiationUtil.clone(new InstancesFunction(spec)).spec()).isEqualTo(spec);

        InstancesSpec defaults = InstancesSpec.fromConfig(new Configuration(), "/models", session);
        assertThat(defaults.instanceOptions().classNames()).isEmpty();
        assertThat(defaults.instanceOptions().classIds()).isEmpty();
        assertThat(defaults.instanceOptions().nms()).isEqualTo(NmsKind.CLASS_AWARE_NMS);
        conf.set(DecodeLimits.MAX_DEAD_LETTER_PAYLOAD, MemorySize.parse("64kb"));
        assertThat(InstancesSpec.fromConfig(conf, "/models", session).maxDeadLetterPayloadBytes()).isEqualTo(64 << 10);

        conf.set(InstancesSpec.NMS, "soft");
        assertThatThrownBy(() -> InstancesSpec.fromConfig(conf, "/models", session))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("alphaflow.instances.nms").hasMessageContaining("'soft'");
        conf.set(InstancesSpec.NMS, "nms");
        conf.set(InstancesSpec.MODEL_ID, "nope");
        assertThatThrownBy(() -> InstancesSpec.fromConfig(conf, "/models", session))
                .hasMessageContaining("unknown model id 'nope'");
    }

    @Test
    void theRealModelFindsThePlayerOnMessi5() throws Exception {
        RgbImage messi = ImageCodec.decode(Files.readAllBytes(SharedTestData.data("opencv-samples/messi5.jpg")));
        InstancesSpec spec = InstancesSpec.builder()
                .modelDir(SharedTestData.modelDir())
                .classes(List.of("person", "sports ball"))
                .build();
        List<Instances> out = run(open(spec, null), decoded("messi", 0, messi));

        Instances rec = out.get(0);
        assertThat(rec.getModelId()).isEqualTo("yolov8n-seg");
        DetectedInstance player = rec.getInstances().get(0);
        assertThat(player.getLabel()).isEqualTo("person");
        assertThat(player.getScore()).isGreaterThanOrEqualTo(0.85f);
        BinaryMask mask = InstancesFunction.rleOf(player).decode();
        assertThat(mask.width()).isEqualTo(messi.width());
        assertThat(mask.height()).isEqualTo(messi.height());
        assertThat(mask.area()).isGreaterThan(20_000);
        assertThat(rec.getInstances()).extracting(DetectedInstance::getLabel).contains("sports ball")
                .allMatch(l -> l.equals("person") || l.equals("sports ball"));
        assertThat(rec.getInstances()).extracting(DetectedInstance::getScore)
                .isSortedAccordingTo((a, b) -> Float.compare(b, a));
        System.out.printf("messi5 through InstancesFunction: %d instances, player %.3f (%d px), timings %s%n",
                rec.getInstances().size(), player.getScore(), player.getArea(), rec.getTimingsMicros());
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] b = new byte[buffer.remaining()];
        buffer.duplicate().get(b);
        return b;
    }
}
