package dev.alphaflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.CRC32;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import dev.alphaflow.jobs.local.EmbeddedKafka;
import dev.alphaflow.jobs.matting.MattingJob;
import dev.alphaflow.model.ModelCard;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.rvm.RvmOptions;
import dev.alphaflow.model.testing.TinyModels;
import dev.alphaflow.operators.decode.DecodeLimits;
import dev.alphaflow.operators.matting.MattingSpec;
import dev.alphaflow.operators.sequencer.SequencerOptions;
import dev.alphaflow.schemas.Codec;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.DeadLetterReason;
import dev.alphaflow.schemas.Matte;

/**
 * Bad frames of every kind, interleaved with good frames of other streams: each bad frame reaches
 * the dead-letter topic with the right reason, every good frame is matted, and the job never
 * restarts (it runs with restarts disabled, so any failure would fail the job).
 */
class DeadLetterITCase {
    private static final int W = 64;
    private static final int H = 48;
    private static final int GOOD_FRAMES = 20;
    private static final int MAX_PAYLOAD = 256 * 1024;

    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();

    @TempDir Path tmp;


    @Test
    void badFramesGoToTheDeadLetterTopicAndGoodOnesAreMatted() throws Exception {
        EmbeddedKafka kafka = KAFKA.get();
        Path model = TinyModels.rvmContract(tmp.resolve("tiny-rvm.onnx"));
        ModelCard card = TinyModels.rvmCard(model);
        Topics topics = Topics.fresh("dlq");
        kafka.createTopics(2, topics.frames(), topics.mattes(), topics.dlq());

        byte[] goodPng = SyntheticVideo.png(SyntheticVideo.frame(0, 0, W, H));
        byte[] goodJpeg = SyntheticVideo.jpeg(SyntheticVideo.frame(1, 0, W, H));
        Map<String, DeadLetterReason> expectedReasons = new HashMap<>();
        try (FrameProducer producer = new FrameProducer(kafka.bootstrapServers(), topics.frames())) {
            for (int seq = 0; seq < GOOD_FRAMES; seq++) {
                producer.sendPng("good-a", seq, SyntheticVideo.png(SyntheticVideo.frame(0, seq, W, H)), W, H);
                BufferedImage b = SyntheticVideo.frame(1, seq, W, H);
                producer.send(FrameProducer.frame("good-b", seq, Codec.JPEG, W, H, SyntheticVideo.jpeg(b)).build());
                switch (seq) {
                    case 2 -> {
                        producer.send(FrameProducer.frame("bad-corrupt", 0, Codec.JPEG, W, H, randomBytes(5000)).build());
                        expectedReasons.put("bad-corrupt", DeadLetterReason.CORRUPT_PAYLOAD);
                    }
                    case 4 -> {
                        producer.send(FrameProducer.frame("bad-truncated", 0, Codec.JPEG, W, H,
                                Arrays.copyOf(goodJpeg, goodJpeg.length / 2)).build());
                        expectedReasons.put("bad-truncated", DeadLetterReason.TRUNCATED_PAYLOAD);
                    }
                    case 6 -> {
                        producer.send(FrameProducer.frame("bad-codec", 0, Codec.UNKNOWN, W, H, goodPng).build());
                        expectedReasons.put("bad-codec", DeadLetterReason.UNKNOWN_CODEC);
                    }
                    case 8 -> {
                        producer.send(FrameProducer.frame("bad-size", 0, Codec.PNG, 100, 100, goodPng).build());
                        expectedReasons.put("bad-size", DeadLetterReason.SIZE_MISMATCH);
                    }
                    case 10 -> {
                        // The frame claims 64x48 but its PNG header says 60000x60000: caught from the header.
                        producer.send(FrameProducer.frame("bad-huge-header", 0, Codec.PNG, W, H,
                                pngWithHeaderDimensions(goodPng, 60_000, 60_000)).build());
                        expectedReasons.put("bad-huge-header", DeadLetterReason.DIMENSIONS_TOO_LARGE);
                        producer.send(FrameProducer.frame("bad-huge-declared", 0, Codec.PNG, 60_000, 60_000,
                                pngWithHeaderDimensions(goodPng, 60_000, 60_000)).build());
                        expectedReasons.put("bad-huge-declared", DeadLetterReason.DIMENSIONS_TOO_LARGE);
                    }
                    case 12 -> {
                        producer.send(FrameProducer.frame("bad-big", 0, Codec.PNG, W, H, randomBytes(MAX_PAYLOAD + 1)).build());
                        expectedReasons.put("bad-big", DeadLetterReason.PAYLOAD_TOO_LARGE);
                    }
                    case 14 -> {
                        producer.sendRaw("bad-not-avro", "this is not an Avro record".getBytes());
                        expectedReasons.put("bad-not-avro", DeadLetterReason.UNREADABLE_RECORD); // stream id taken from the Kafka key
                    }
                    case 16 -> {
                        producer.send(FrameProducer.frame("bad-raw", 0, Codec.RAW_RGB24, W, H, new byte[W * H * 3 - 7]).build());
                        expectedReasons.put("bad-raw", DeadLetterReason.SIZE_MISMATCH);
                    }
                    default -> { }
                }
            }
            producer.sendEnd("good-a", GOOD_FRAMES);
            producer.sendEnd("good-b", GOOD_FRAMES);
        }

        SessionSettings session = SessionSettings.builder().intraOpThreads(1).build();
        MattingSpec spec = MattingSpec.builder().modelDir(tmp.toString()).card(card)
                .sessionSettings(session).rvmOptions(RvmOptions.builder().build()).build();
        DecodeLimits limits = DecodeLimits.builder().maxWidth(1920).maxHeight(1080).maxPayloadBytes(MAX_PAYLOAD).build();
        MattingJob job = new MattingJob(spec, limits, SequencerOptions.builder().build());
        Configuration conf = topics.jobConfiguration(kafka.bootstrapServers());
        StreamExecutionEnvironment env = ItFlink.environment(tmp.resolve("checkpoints"), 500, 0);
        job.wire(env, conf);
        env.execute("dead letters"); // restarts disabled: returns normally only if no task ever failed

        List<DeadLetter> deadLetters = TopicReader.readCommitted(kafka.bootstrapServers(), topics.dlq(), DeadLetter.class,
                expectedReasons.size(), 30_000);
        Map<String, DeadLetterReason> actualReasons = new HashMap<>();
        for (DeadLetter d : deadLetters) {
            assertThat(d.getSourceTopic()).isEqualTo(topics.frames());
            assertThat(d.getSourceOffset()).isNotNull();
            assertThat(d.getMessage()).isNotBlank();
            assertThat(actualReasons.put(d.getStreamId(), d.getReason())).as("one dead letter per bad frame").isNull();
        }
        assertThat(actualReasons).isEqualTo(expectedReasons);

        List<Matte> mattes = TopicReader.readCommitted(kafka.bootstrapServers(), topics.mattes(), Matte.class, 2 * GOOD_FRAMES, 30_000);
        Set<String> matted = new TreeSet<>();
        for (Matte m : mattes) {
            matted.add(m.getStreamId() + "/" + m.getSeq());
        }
        Set<String> expected = new TreeSet<>();
        for (int seq = 0; seq < GOOD_FRAMES; seq++) {
            expected.add("good-a/" + seq);
            expected.add("good-b/" + seq);
        }
        assertThat(matted).isEqualTo(expected);
        assertThat(mattes).hasSize(2 * GOOD_FRAMES);
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new Random(n).nextBytes(bytes);
        return bytes;
    }

    /** A copy of a PNG whose IHDR chunk declares other dimensions (with a valid CRC). */
    static byte[] pngWithHeaderDimensions(byte[] png, int width, int height) {
        byte[] out = png.clone();
        // 8-byte signature, then IHDR: length(4) "IHDR"(4) width(4) height(4) ... crc(4) over type+data (17 bytes)
        writeInt(out, 16, width);
        writeInt(out, 20, height);
        CRC32 crc = new CRC32();
        crc.update(out, 12, 17);
        writeInt(out, 29, (int) crc.getValue());
        return out;
    }

    private static void writeInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
