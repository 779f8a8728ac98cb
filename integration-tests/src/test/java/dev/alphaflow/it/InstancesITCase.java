package dev.alphaflow.it;

import dev.alphaflow.jobs.CommonOptions;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import dev.alphaflow.jobs.instances.InstancesJob;
import dev.alphaflow.jobs.instances.InstancesJobOptions;
import dev.alphaflow.jobs.local.EmbeddedKafka;
import dev.alphaflow.jobs.matting.MattingJobOptions;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.instances.BinaryMask;
import dev.alphaflow.model.instances.Rle;
import dev.alphaflow.model.testing.SharedTestData;
import dev.alphaflow.operators.decode.FrameDecoder;
import dev.alphaflow.operators.instances.InstancesFunction;
import dev.alphaflow.operators.instances.InstancesSpec;
import dev.alphaflow.schemas.Codec;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.DeadLetterReason;
import dev.alphaflow.schemas.DetectedInstance;
import dev.alphaflow.schemas.Instances;

/**
 * The instance segmentation job end to end: a real KRaft broker, a Flink MiniCluster (parallelism 2, restarts
 * disabled) and the real YOLOv8n-seg. Frames: messi5.jpg, three DAVIS 2016 dance-twirl frames (with their
 * ground-truth masks), and a corrupt JPEG. Checked: the player on messi5 (score >= 0.85, mask covering him), the
 * dancer's mask against DAVIS (IoU >= 0.6 per frame), RLE masks of the frame size, the corrupt frame in the DLQ, and
 * the class filter (a second run keeping only "sports ball").
 */
class InstancesITCase {
    private static final String DANCE = "dance-twirl";
    private static final int[] DANCE_FRAMES = {0, 30, 60};

    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();

    @TempDir
    Path tmp;

    private static byte[] messiJpeg;
    private static RgbImage messi;

    @BeforeAll
    static void readImages() throws Exception {
        messiJpeg = Files.readAllBytes(SharedTestData.data("opencv-samples/messi5.jpg"));
        messi = ImageCodec.decode(messiJpeg);
    }

    private static Path danceJpeg(int frame) {
        return SharedTestData.data(String.format("davis2016/JPEGImages/480p/%s/%05d.jpg", DANCE, frame));
    }

    private static BinaryMask danceTruth(int frame) throws Exception {
        byte[] png = Files.readAllBytes(SharedTestData.data(String.format("davis2016/Annotations/480p/%s/%05d.png", DANCE, frame)));
        byte[] gray = ImageCodec.decodeGray8Png(png);
        return BinaryMask.fromBytes(854, 480, gray);
    }

    /** Publishes the frames: messi (seq 0), dance-twirl (seq = DAVIS frame number), one corrupt JPEG. */
    private static void publish(EmbeddedKafka kafka, String topic) throws Exception {
        try (FrameProducer producer = new FrameProducer(kafka.bootstrapServers(), topic)) {
            producer.send(FrameProducer.frame("messi", 0, Codec.JPEG, messi.width(), messi.height(), messiJpeg).build());
            for (int f : DANCE_FRAMES) {
                byte[] jpeg = Files.readAllBytes(danceJpeg(f));
                producer.send(FrameProducer.frame(DANCE, f, Codec.JPEG, 854, 480, jpeg).build());
            }
            byte[] corrupt = new byte[4000];
            new Random(4).nextBytes(corrupt);
            corrupt[0] = (byte) 0xFF;
            corrupt[1] = (byte) 0xD8;
            corrupt[2] = (byte) 0xFF;
            producer.send(FrameProducer.frame("broken", 0, Codec.JPEG, 640, 480, corrupt).build());
        }
    }

    private Configuration jobConf(EmbeddedKafka kafka, Topics topics, String instancesTopic, String run) {
        Configuration conf = topics.jobConfiguration(kafka.bootstrapServers());
        conf.set(InstancesJobOptions.INSTANCES_TOPIC, instancesTopic);
        conf.set(CommonOptions.GROUP_ID, "it-" + run + "-" + topics.frames());
        conf.set(CommonOptions.TRANSACTIONAL_ID_PREFIX, "it-" + run + "-" + topics.frames());
        conf.set(CommonOptions.MODEL_DIR, SharedTestData.modelDir().toString());
        conf.set(CommonOptions.INTRA_OP_THREADS, 1);
        return conf;
    }

    private void run(Configuration conf, String name) throws Exception {
        StreamExecutionEnvironment env = ItFlink.environment(tmp.resolve(name + "-checkpoints"), 500, 0);
        InstancesJob.fromConfiguration(conf).wire(env);
        env.execute(name); // restarts disabled: returns normally only if no task ever failed
    }

    @Test
    void findsPeopleAndBallsWithMasksAndSendsTheCorruptFrameToTheDeadLetters() throws Exception {
        EmbeddedKafka kafka = KAFKA.get();
        Topics topics = Topics.fresh("instances");
        String all = "instances-all-" + topics.frames();
        String balls = "instances-balls-" + topics.frames();
        kafka.createTopics(2, topics.frames(), topics.dlq(), all, balls);
        publish(kafka, topics.frames());

        // ---- every class ----
        long start = System.nanoTime();
        run(jobConf(kafka, topics, all, "all"), "instances all classes");
        double jobSeconds = (System.nanoTime() - start) / 1e9;

        List<Instances> records = TopicReader.readCommitted(kafka.bootstrapServers(), all, Instances.class,
                1 + DANCE_FRAMES.length, 30_000);
        assertThat(records).hasSize(1 + DANCE_FRAMES.length); // exactly once: no duplicates
        Map<String, Instances> byFrame = new HashMap<>();
        for (Instances r : records) {
            assertThat(byFrame.put(r.getStreamId() + "/" + r.getSeq(), r)).isNull();
            assertThat(r.getModelId()).isEqualTo("yolov8n-seg");
            assertThat(r.getInstances()).extracting(DetectedInstance::getScore)
                    .isSortedAccordingTo(Comparator.reverseOrder());
            for (DetectedInstance d : r.getInstances()) {
                Rle rle = InstancesFunction.rleOf(d);
                assertThat(rle.width()).isEqualTo(r.getWidth());
                assertThat(rle.height()).isEqualTo(r.getHeight());
                assertThat(rle.area()).isEqualTo(d.getArea());
            }
            assertThat(r.getTimingsMicros()).containsKeys("decode", "inference", "encode");
        }

        // messi5: the player, his mask inside his box and large, and the ball.
        Instances m = byFrame.get("messi/0");
        assertThat(m.getWidth()).isEqualTo(messi.width());
        assertThat(m.getHeight()).isEqualTo(messi.height());
        DetectedInstance player = m.getInstances().get(0);
        assertThat(player.getLabel()).isEqualTo("person");
        assertThat(player.getScore()).isGreaterThanOrEqualTo(0.85f);
        BinaryMask playerMask = InstancesFunction.rleOf(player).decode();
        var box = player.getBbox();
        float boxArea = (box.getX1() - box.getX0()) * (box.getY1() - box.getY0());
        assertThat(playerMask.area()).isGreaterThan(20_000).isGreaterThan((long) (0.2 * boxArea));
        long inside = playerMask.areaInside((int) box.getX0(), (int) box.getY0(), (int) Math.ceil(box.getX1()),
                (int) Math.ceil(box.getY1()));
        assertThat((double) inside / playerMask.area()).isGreaterThanOrEqualTo(0.99);
        assertThat(m.getInstances()).extracting(DetectedInstance::getLabel).contains("sports ball");

        // dance-twirl: the best person mask against the DAVIS ground truth.
        List<String> lines = new ArrayList<>();
        long inferenceMicros = 0;
        List<String> perFrame = new ArrayList<>();
        for (Instances r : records) {
            inferenceMicros += r.getTimingsMicros().get("inference");
            perFrame.add(String.format("%s/%d %.0f", r.getStreamId(), r.getSeq(), r.getTimingsMicros().get("inference") / 1000.0));
        }
        for (int f : DANCE_FRAMES) {
            Instances r = byFrame.get(DANCE + "/" + f);
            assertThat(r.getWidth()).isEqualTo(854);
            assertThat(r.getHeight()).isEqualTo(480);
            DetectedInstance dancer = r.getInstances().stream().filter(d -> d.getLabel().equals("person"))
                    .findFirst().orElseThrow(() -> new AssertionError("no person in dance-twirl frame " + f));
            BinaryMask truth = danceTruth(f);
            double iou = InstancesFunction.rleOf(dancer).decode().iou(truth);
            lines.add(String.format("dance-twirl %05d: person %.3f, mask %d px, DAVIS %d px, IoU %.3f", f,
                    dancer.getScore(), dancer.getArea(), truth.area(), iou));
            assertThat(iou).as("IoU with the DAVIS mask of frame %d", f).isGreaterThanOrEqualTo(0.6);
        }
        System.out.printf("InstancesITCase: messi5 player %.3f (%d px), %d instances; %s; mean inference %.1f ms/frame; "
                + "job %.1f s%n  inference ms per frame (the first on each subtask includes ONNX Runtime's warm-up): %s%n",
                player.getScore(), player.getArea(), m.getInstances().size(), String.join("; ", lines),
                inferenceMicros / 1000.0 / records.size(), jobSeconds, perFrame);

        // The corrupt frame, and only it, in the dead-letter topic.
        List<DeadLetter> dlq = TopicReader.readCommitted(kafka.bootstrapServers(), topics.dlq(), DeadLetter.class, 1, 30_000);
        assertThat(dlq).hasSize(1);
        assertThat(dlq.get(0).getStreamId()).isEqualTo("broken");
        assertThat(dlq.get(0).getStage()).isEqualTo(FrameDecoder.STAGE);
        assertThat(dlq.get(0).getReason()).isIn(DeadLetterReason.CORRUPT_PAYLOAD, DeadLetterReason.TRUNCATED_PAYLOAD);

        // ---- only "sports ball" ----
        Configuration ballsOnly = jobConf(kafka, topics, balls, "balls");
        ballsOnly.set(InstancesSpec.CLASSES, "Sports Ball");
        run(ballsOnly, "instances sports ball");
        List<Instances> ballRecords = TopicReader.readCommitted(kafka.bootstrapServers(), balls, Instances.class,
                1 + DANCE_FRAMES.length, 30_000);
        assertThat(ballRecords).hasSize(1 + DANCE_FRAMES.length); // every frame gets its record, maybe empty
        for (Instances r : ballRecords) {
            assertThat(r.getInstances()).allSatisfy(d -> {
                assertThat(d.getLabel()).isEqualTo("sports ball");
                assertThat(d.getClassId()).isEqualTo(32);
            });
        }
        Instances messiBalls = ballRecords.stream().filter(r -> r.getStreamId().equals("messi")).findFirst().orElseThrow();
        assertThat(messiBalls.getInstances()).isNotEmpty();
        DetectedInstance ball = messiBalls.getInstances().get(0);
        float cx = (ball.getBbox().getX0() + ball.getBbox().getX1()) / 2;
        assertThat(cx).as("the ball at the player's feet").isBetween(box.getX0(), box.getX1());
    }
}
