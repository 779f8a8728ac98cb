package dev.alphaflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.CRC32;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import dev.alphaflow.jobs.CommonOptions;
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
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.Matte;
import dev.alphaflow.schemas.serde.KafkaSchemaStore;

/**
 * Bad frames of every kind, interleaved with good frames of other streams: each bad frame reaches
 * the dead-letter topic with the right reason, every good frame is matted, and the job never
 * restarts (it runs with restarts disabled, so any failure would fail the job). Among the good
 * frames is a stream written with a newer Frame schema (one more Control symbol), registered in
 * the schema store first: the job reads it with its own schema's defaults and mattes it.
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
        String schemasTopic = "schemas-" + topics.frames();
        kafka.createTopics(2, topics.frames(), topics.mattes(), topics.dlq());
        kafka.createTopics(1, schemasTopic);
        // A producer built from a newer Frame schema registers it before its first frame, as Replay does.
        Schema newerFrame = frameWithControlSymbol("PAUSE");
        KafkaSchemaStore.register(KafkaSchemaStore.Settings.of(kafka.bootstrapServers(), schemasTopic), newerFrame);
        long unregistered = 0x0badf00d0badf00dL;

        byte[] goodPng = SyntheticVideo.png(SyntheticVideo.frame(0, 0, W, H));
        byte[] goodJpeg = SyntheticVideo.jpeg(SyntheticVideo.frame(1, 0, W, H));
        Map<String, DeadLetterReason> expectedReasons = new HashMap<>();
        try (FrameProducer producer = new FrameProducer(kafka.bootstrapServers(), topics.frames())) {
            for (int seq = 0; seq < GOOD_FRAMES; seq++) {
                producer.sendPng("good-a", seq, SyntheticVideo.png(SyntheticVideo.frame(0, seq, W, H)), W, H);
                BufferedImage b = SyntheticVideo.frame(1, seq, W, H);
                producer.send(FrameProducer.frame("good-b", seq, Codec.JPEG, W, H, SyntheticVideo.jpeg(b)).build());
                // newer-c: every frame in the newer schema; seq 5 uses the symbol this build does not know
                    producer.sendRaw("newer-c", encodeWith(newerFrame, FrameProducer.frame("newer-c", seq, Codec.PNG,
                            W, H, SyntheticVideo.png(SyntheticVideo.frame(2, seq, W, H))).build(),
                            seq == 5 ? "PAUSE" : null));
                switch (seq) {
                    case 1 -> {
                        producer.send(FrameProducer.frame("bad-crc", 0, Codec.PNG, W, H, withBadIdatCrc(goodPng))
                                .build());
                        expectedReasons.put("bad-crc", DeadLetterReason.CORRUPT_PAYLOAD);
                    }
                    case 3 -> {
                        producer.send(FrameProducer.frame("bad-tiny", 0, Codec.PNG, 1, 1,
                                SyntheticVideo.png(SyntheticVideo.frame(0, 0, 1, 1))).build());
                        expectedReasons.put("bad-tiny", DeadLetterReason.FRAME_TOO_SMALL);
                    }
                    case 5 -> {
                        producer.send(FrameProducer.frame("bad-negative", 0, Codec.PNG, -W, H, goodPng).build());
                        expectedReasons.put("bad-negative", DeadLetterReason.INVALID_DIMENSIONS);
                    }
                    case 7 -> {
                        producer.sendRaw("bad-unknown-schema", encodeWith(newerFrame, FrameProducer.frame(
                                "bad-unknown-schema", 0, Codec.PNG, W, H, goodPng).build(), null, unregistered));
                        expectedReasons.put("bad-unknown-schema", DeadLetterReason.UNREADABLE_RECORD);
                    }
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
            producer.sendEnd("newer-c", GOOD_FRAMES);
        }

        SessionSettings session = SessionSettings.builder().intraOpThreads(1).build();
        MattingSpec spec = MattingSpec.builder().modelDir(tmp.toString()).card(card)
                .sessionSettings(session).rvmOptions(RvmOptions.builder().build()).build();
        DecodeLimits limits = DecodeLimits.builder().maxWidth(1920).maxHeight(1080).maxPayloadBytes(MAX_PAYLOAD).build();
        MattingJob job = new MattingJob(spec, limits, SequencerOptions.builder().build());
        Configuration conf = topics.jobConfiguration(kafka.bootstrapServers());
        conf.set(CommonOptions.SCHEMAS_TOPIC, schemasTopic);
        StreamExecutionEnvironment env = ItFlink.environment(tmp.resolve("checkpoints"), 500, 0);
        job.wire(env, conf);
        env.execute("dead letters"); // restarts disabled: returns normally only if no task ever failed

        List<DeadLetter> deadLetters = TopicReader.readCommitted(kafka.bootstrapServers(), topics.dlq(), DeadLetter.class,
                expectedReasons.size(), 30_000);
        Map<String, DeadLetterReason> actualReasons = new HashMap<>();
        Map<String, String> messages = new HashMap<>();
        for (DeadLetter d : deadLetters) {
            messages.put(d.getStreamId(), d.getMessage());
            assertThat(d.getSourceTopic()).isEqualTo(topics.frames());
            assertThat(d.getSourceOffset()).isNotNull();
            assertThat(d.getMessage()).isNotBlank();
            assertThat(actualReasons.put(d.getStreamId(), d.getReason())).as("one dead letter per bad frame").isNull();
        }
        assertThat(actualReasons).isEqualTo(expectedReasons);
        assertThat(messages.get("bad-crc")).contains("PNG chunk IDAT").contains("CRC");
        assertThat(messages.get("bad-tiny")).contains("frame 1x1 is too small").contains("at least 3x3 pixels");
        assertThat(messages.get("bad-negative")).contains("declared -64x48 is not a valid frame size");
        assertThat(messages.get("bad-unknown-schema"))
                .contains("fingerprint " + KafkaSchemaStore.key(unregistered)).contains(schemasTopic);

        List<Matte> mattes = TopicReader.readCommitted(kafka.bootstrapServers(), topics.mattes(), Matte.class, 3 * GOOD_FRAMES, 30_000);
        Set<String> matted = new TreeSet<>();
        for (Matte m : mattes) {
            matted.add(m.getStreamId() + "/" + m.getSeq());
        }
        Set<String> expected = new TreeSet<>();
        for (int seq = 0; seq < GOOD_FRAMES; seq++) {
            expected.add("good-a/" + seq);
            expected.add("good-b/" + seq);
            expected.add("newer-c/" + seq);
        }
        assertThat(matted).isEqualTo(expected);
        assertThat(mattes).hasSize(3 * GOOD_FRAMES);
    }

    /** Frame with one more symbol in its Control enum: the schema of a newer producer. */
    private static Schema frameWithControlSymbol(String symbol) {
        Schema newer = new Schema.Parser().parse(Frame.getClassSchema().toString()
                .replace("\"symbols\":[\"NONE\",\"RESET\",\"END\"]",
                        "\"symbols\":[\"NONE\",\"RESET\",\"END\",\"" + symbol + "\"]"));
        assertThat(newer.getField("control").schema().getEnumSymbols()).contains(symbol);
        return newer;
    }

    /** {@code frame} as a producer with {@code schema} writes it, with {@code control} (null: as it is) as its Control. */
    private static byte[] encodeWith(Schema schema, Frame frame, String control) throws Exception {
        return encodeWith(schema, frame, control, KafkaSchemaStore.fingerprint(schema));
    }

    /** The same, with {@code fingerprint} in the header instead of the schema's own (a schema nobody registered). */
    private static byte[] encodeWith(Schema schema, Frame frame, String control, long fingerprint) throws Exception {
        GenericRecord record = (GenericRecord) GenericData.get().deepCopy(schema, frame);
        if (control != null) {
            record.put("control", new GenericData.EnumSymbol(schema.getField("control").schema(), control));
        }
        ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(record);
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(fingerprint);
        return bytes;
    }

    /** A copy of a PNG whose IDAT chunk's stored CRC is off by one bit (ImageIO alone would decode it). */
    private static byte[] withBadIdatCrc(byte[] png) {
        byte[] out = png.clone();
        int at = 8;
        while (!new String(out, at + 4, 4, StandardCharsets.US_ASCII).equals("IDAT")) {
            at += 12 + ByteBuffer.wrap(out, at, 4).getInt();
        }
        out[at + 8 + ByteBuffer.wrap(out, at, 4).getInt()] ^= 0x01;
        return out;
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
