package dev.alphaflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import dev.alphaflow.jobs.local.EmbeddedKafka;
import dev.alphaflow.jobs.local.LocalFlink;
import dev.alphaflow.jobs.KafkaWiring;
import dev.alphaflow.jobs.matting.MattingJob;
import dev.alphaflow.jobs.matting.MattingJobOptions;
import dev.alphaflow.model.ModelCard;
import dev.alphaflow.model.ModelRegistry;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.SharedSessions;
import dev.alphaflow.model.SharedSession;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.rvm.RecurrentState;
import dev.alphaflow.model.rvm.RvmMatter;
import dev.alphaflow.model.rvm.RvmOptions;
import dev.alphaflow.model.rvm.RvmResult;
import dev.alphaflow.model.testing.TinyModels;
import dev.alphaflow.operators.decode.DecodeLimits;
import dev.alphaflow.operators.decode.RawFrameRecord;
import dev.alphaflow.operators.matting.MattingSpec;
import dev.alphaflow.operators.sequencer.SequencerOptions;
import dev.alphaflow.schemas.Matte;

/**
 * Three streams through Kafka → Flink → Kafka with a failure injected mid-run: a read_committed
 * consumer sees every (stream, seq) exactly once, and every alpha equals an uninterrupted run's,
 * bit for bit (the recurrent state is fp16 both in memory and in checkpoints, so restoring it
 * changes nothing).
 */
class ExactlyOnceFailoverITCase {
    private static final int STREAMS = 3;
    private static final int FRAMES = 64;
    private static final int WIDTH = 64;
    private static final int HEIGHT = 48;

    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();

    @TempDir Path tmp;


    /**
     * @param batchSize 1: per-frame matting, alphas bit-identical to the uninterrupted run. 3: cross-stream
     *     batches, whose composition changes after the restore; a batched model run sums in another order
     *     than a single one, so alphas may differ from the per-frame reference by one 8-bit level.
     * @param stateBackend the local runtime's default (heap), and RocksDB, which stays selectable
     */
    @ParameterizedTest(name = "batch size {0}, {1}")
    @CsvSource({"1, HASHMAP", "3, HASHMAP", "1, ROCKSDB"})
    void everyFrameExactlyOnceAndIdenticalAfterAFailure(int batchSize, LocalFlink.StateBackend stateBackend)
            throws Exception {
        EmbeddedKafka kafka = KAFKA.get();
        Path model = TinyModels.rvmContract(tmp.resolve("tiny-rvm.onnx"));
        ModelCard card = TinyModels.rvmCard(model);
        Topics topics = Topics.fresh("failover-b" + batchSize + "-" + stateBackend.flinkName());
        kafka.createTopics(2, topics.frames(), topics.mattes(), topics.dlq());

        List<String> streamIds = new ArrayList<>();
        for (int s = 0; s < STREAMS; s++) {
            streamIds.add("cam-" + s);
        }
        try (FrameProducer producer = new FrameProducer(kafka.bootstrapServers(), topics.frames())) {
            for (int seq = 0; seq < FRAMES; seq++) {
                for (int s = 0; s < STREAMS; s++) {
                    producer.sendPng(streamIds.get(s), seq, SyntheticVideo.png(SyntheticVideo.frame(s, seq, WIDTH, HEIGHT)), WIDTH, HEIGHT);
                }
            }
            for (String id : streamIds) {
                producer.sendEnd(id, FRAMES);
            }
        }

        SessionSettings session = SessionSettings.builder().intraOpThreads(1).build();
        MattingSpec spec = MattingSpec.builder().modelDir(tmp.toString()).card(card)
                .sessionSettings(session).rvmOptions(RvmOptions.builder().build()).build();
        MattingJob job = new MattingJob(spec, DecodeLimits.builder().build(), SequencerOptions.builder().build(),
                batchSize, java.time.Duration.ofMillis(20));

        Configuration conf = topics.jobConfiguration(kafka.bootstrapServers());
        StreamExecutionEnvironment env = ItFlink.environment(tmp.resolve("checkpoints"), 200, 3, stateBackend);
        FailOnceAfterCheckpoint.FAILED.set(false);
        DataStream<RawFrameRecord> frames = env
                .fromSource(KafkaWiring.frameSource(conf, MattingJob.IDENTITY), WatermarkStrategy.noWatermarks(), "frames")
                .map(new FailOnceAfterCheckpoint<RawFrameRecord>(STREAMS * FRAMES / 2, 10))
                .returns(RawFrameRecord.class)
                .name("fail once");
        job.wire(conf, frames);
        env.execute("exactly-once failover");

        assertThat(FailOnceAfterCheckpoint.FAILED.get()).as("the failure was injected").isTrue();

        List<Matte> mattes = TopicReader.readCommitted(kafka.bootstrapServers(), topics.mattes(), Matte.class, STREAMS * FRAMES, 60_000);
        Map<String, Matte> byKey = new HashMap<>();
        for (Matte m : mattes) {
            Matte previous = byKey.put(m.getStreamId() + "/" + m.getSeq(), m);
            assertThat(previous).as("duplicate output for %s/%s", m.getStreamId(), m.getSeq()).isNull();
        }
        assertThat(byKey).hasSize(STREAMS * FRAMES);

        // The uninterrupted reference: the same model, frames in order, state carried, no Flink.
        try (SharedSession shared = SharedSessions.acquire(new ModelRegistry(tmp), card, session);
                RvmMatter matter = new RvmMatter(shared, RvmOptions.builder().build())) {
            for (int s = 0; s < STREAMS; s++) {
                RecurrentState state = RecurrentState.initial();
                for (int seq = 0; seq < FRAMES; seq++) {
                    BufferedImage image = SyntheticVideo.frame(s, seq, WIDTH, HEIGHT);
                    RgbImage rgb = ImageCodec.decode(SyntheticVideo.png(image));
                    RvmResult expected = matter.infer(rgb, state);
                    state = expected.nextState();
                    Matte actual = byKey.get(streamIds.get(s) + "/" + seq);
                    assertThat(actual.getStateReset()).isEqualTo(seq == 0);
                    byte[] actualAlpha = ImageCodec.decodeGray8Png(bytes(actual.getAlphaPng()));
                    if (batchSize == 1) {
                        assertThat(actualAlpha).as("alpha of %s/%s", streamIds.get(s), seq).isEqualTo(expected.alpha8());
                    } else {
                        byte[] want = expected.alpha8();
                        for (int p = 0; p < want.length; p++) {
                            assertThat(Math.abs((actualAlpha[p] & 0xff) - (want[p] & 0xff)))
                                    .as("alpha of %s/%s pixel %d", streamIds.get(s), seq, p).isLessThanOrEqualTo(1);
                        }
                    }
                }
            }
        }
        assertThat(TopicReader.readCommitted(kafka.bootstrapServers(), topics.dlq(), dev.alphaflow.schemas.DeadLetter.class, 0, 2_000)).isEmpty();
    }

    static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
