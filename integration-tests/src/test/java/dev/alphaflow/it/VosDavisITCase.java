package dev.alphaflow.it;

import dev.alphaflow.jobs.CommonOptions;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import dev.alphaflow.jobs.local.EmbeddedKafka;
import dev.alphaflow.jobs.KafkaWiring;
import dev.alphaflow.jobs.matting.MattingJobOptions;
import dev.alphaflow.jobs.segmentation.SegmentationJob;
import dev.alphaflow.jobs.segmentation.SegmentationJobOptions;
import dev.alphaflow.jobs.tools.SegmentExport;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.eval.DavisFolderEvaluation;
import dev.alphaflow.model.eval.DavisMasks;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.instances.BinaryMask;
import dev.alphaflow.model.testing.SharedTestData;
import dev.alphaflow.model.vos.SegmentedMask;
import dev.alphaflow.model.vos.VideoObjectSegmenter;
import dev.alphaflow.model.vos.VosMemory;
import dev.alphaflow.model.vos.VosOptions;
import dev.alphaflow.model.vos.VosPrompt;
import dev.alphaflow.model.vos.VosResult;
import dev.alphaflow.operators.decode.DecodeLimits;
import dev.alphaflow.operators.decode.RawFrameRecord;
import dev.alphaflow.operators.segmentation.SegmentationSpec;
import dev.alphaflow.operators.sequencer.SequencerOptions;
import dev.alphaflow.schemas.Codec;
import dev.alphaflow.schemas.ObjectPrompt;
import dev.alphaflow.schemas.PromptAction;
import dev.alphaflow.schemas.Segmentation;
import dev.alphaflow.schemas.SegmentedObject;

/**
 * Video object segmentation through Kafka → Flink → Kafka on the DAVIS 2016 sequences, with the first frame's mask as
 * the prompt: the J&amp;F the pipeline reaches (written to {@code target/benchmarks/} for BENCHMARKS.md), and a
 * failure injected in the middle of a sequence that must not change a single mask.
 */
class VosDavisITCase {
    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();

    private static final String COMMAND = "`mvn -B verify -pl integration-tests -am -Dit.test=VosDavisITCase "
            + "-Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false`";

    @TempDir Path tmp;

    @Test
    void davisJAndFThroughThePipeline() throws Exception {
        EmbeddedKafka kafka = KAFKA.get();
        Topics topics = Topics.fresh("vos");
        String segmentsTopic = "segments-" + topics.frames();
        kafka.createTopics(2, topics.frames(), segmentsTopic, topics.dlq());
        List<String> sequences = List.of("blackswan", "dance-twirl");
        int frames = 0;
        try (FrameProducer producer = new FrameProducer(kafka.bootstrapServers(), topics.frames())) {
            for (String sequence : sequences) {
                frames += produceSequence(producer, sequence, sequence, Integer.MAX_VALUE);
            }
        }

        Configuration conf = topics.jobConfiguration(kafka.bootstrapServers());
        conf.set(SegmentationJobOptions.SEGMENTS_TOPIC, segmentsTopic);
        conf.set(CommonOptions.MODEL_DIR, SharedTestData.modelDir().toString());
        conf.set(CommonOptions.INTRA_OP_THREADS, 2);
        StreamExecutionEnvironment env = ItFlink.environment(tmp.resolve("checkpoints"), 2_000, 0);
        SegmentationJob.fromConfiguration(conf).wire(env);
        long start = System.nanoTime();
        env.execute("vos davis");
        double seconds = (System.nanoTime() - start) / 1e9;

        List<Segmentation> segments = TopicReader.readCommitted(kafka.bootstrapServers(), segmentsTopic,
                Segmentation.class, frames, 60_000);
        assertThat(segments).hasSize(frames);
        assertThat(TopicReader.readCommitted(kafka.bootstrapServers(), topics.dlq(),
                dev.alphaflow.schemas.DeadLetter.class, 0, 2_000)).isEmpty();

        Path predicted = tmp.resolve("predicted");
        SegmentExport.Summary exported = new SegmentExport(kafka.bootstrapServers(), segmentsTopic, predicted,
                Duration.ofSeconds(10), Set.of(), Map.of()).run();
        assertThat(exported.totalMasks()).isEqualTo(frames);
        List<DavisFolderEvaluation.SequenceResult> results = DavisFolderEvaluation.evaluate(predicted,
                SharedTestData.data("davis2016/Annotations/480p"));
        System.out.println(DavisFolderEvaluation.table(results));

        double segmentMicros = segments.stream().mapToLong(s -> s.getTimingsMicros().get("segment")).average()
                .orElseThrow();
        Map<String, Double> jf = new HashMap<>();
        results.forEach(r -> jf.put(r.sequence(), r.jf()));
        StringBuilder rows = new StringBuilder();
        rows.append(String.format("| vos.blackswan.jf | %.4f | %s |%n", jf.get("blackswan"), COMMAND));
        rows.append(String.format("| vos.dance_twirl.jf | %.4f | %s |%n", jf.get("dance-twirl"), COMMAND));
        rows.append(String.format("| vos.ms_per_frame | %.1f | %s |%n", segmentMicros / 1000, COMMAND));
        System.out.print(rows);
        System.out.printf("(%d frames through the pipeline in %.1f s)%n", frames, seconds);
        Path out = Paths.get("target", "benchmarks");
        Files.createDirectories(out);
        Files.writeString(out.resolve("vos.davis.md"), rows.toString());

        assertThat(jf.get("blackswan")).isGreaterThanOrEqualTo(0.85);
        assertThat(jf.get("dance-twirl")).isGreaterThanOrEqualTo(0.70);
    }

    @Test
    void failureInTheMiddleOfASequenceChangesNoMask() throws Exception {
        EmbeddedKafka kafka = KAFKA.get();
        Topics topics = Topics.fresh("vos-failover");
        String segmentsTopic = "segments-" + topics.frames();
        kafka.createTopics(2, topics.frames(), segmentsTopic, topics.dlq());
        int frames;
        try (FrameProducer producer = new FrameProducer(kafka.bootstrapServers(), topics.frames())) {
            frames = produceSequence(producer, "swan", "blackswan", 30);
        }

        SegmentationSpec spec = SegmentationSpec.builder()
                .modelDir(SharedTestData.modelDir())
                .sessionSettings(SessionSettings.builder().intraOpThreads(2).build())
                .vosOptions(VosOptions.defaults())
                .build();
        SegmentationJob job = new SegmentationJob(spec, DecodeLimits.builder().build(), SequencerOptions.builder().build());
        Configuration conf = topics.jobConfiguration(kafka.bootstrapServers());
        conf.set(SegmentationJobOptions.SEGMENTS_TOPIC, segmentsTopic);
        StreamExecutionEnvironment env = ItFlink.environment(tmp.resolve("checkpoints"), 300, 3);
        FailOnceAfterCheckpoint.FAILED.set(false);
        DataStream<RawFrameRecord> input = env
                .fromSource(KafkaWiring.frameSource(conf, SegmentationJob.IDENTITY), WatermarkStrategy.noWatermarks(), "frames")
                .map(new FailOnceAfterCheckpoint<RawFrameRecord>(frames / 2, 20))
                .returns(RawFrameRecord.class)
                .name("fail once");
        job.wire(conf, input);
        env.execute("vos failover");
        assertThat(FailOnceAfterCheckpoint.FAILED.get()).as("the failure was injected").isTrue();

        List<Segmentation> segments = TopicReader.readCommitted(kafka.bootstrapServers(), segmentsTopic,
                Segmentation.class, frames, 60_000);
        Map<Long, Segmentation> bySeq = new HashMap<>();
        for (Segmentation s : segments) {
            assertThat(bySeq.put(s.getSeq(), s)).as("duplicate output for seq %d", s.getSeq()).isNull();
        }
        assertThat(bySeq).hasSize(frames);

        // The uninterrupted reference: the same segmenter, frames in order, memory carried, no Flink.
        Path jpegs = SharedTestData.data("davis2016/JPEGImages/480p/blackswan");
        try (VideoObjectSegmenter segmenter = spec.openSegmenter()) {
            VosMemory memory = new VosMemory();
            for (int t = 0; t < frames; t++) {
                var image = ImageCodec.decode(Files.readAllBytes(jpegs.resolve(String.format("%05d.jpg", t))));
                List<VosPrompt> prompts = t == 0 ? List.of(VosPrompt.add(1, firstFrameMask("blackswan"))) : List.of();
                VosResult expected = segmenter.segment(image, t, memory, prompts);
                SegmentedObject actual = bySeq.get((long) t).getObjects().get(0);
                SegmentedMask expectedObject = expected.objects().get(0);
                assertThat(actual.getMask().getCounts())
                        .as("mask of frame %d", t)
                        .isEqualTo(toList(dev.alphaflow.model.instances.Rle.encode(expectedObject.mask()).counts()));
                assertThat(actual.getScore()).as("score of frame %d", t).isEqualTo(expectedObject.score());
            }
        }
    }

    @Test
    void personTracksStartThemselvesThroughThePipeline() throws Exception {
        EmbeddedKafka kafka = KAFKA.get();
        Topics topics = Topics.fresh("vos-track");
        String segmentsTopic = "segments-" + topics.frames();
        kafka.createTopics(2, topics.frames(), segmentsTopic, topics.dlq());
        int frames;
        try (FrameProducer producer = new FrameProducer(kafka.bootstrapServers(), topics.frames())) {
            frames = produceSequence(producer, "stage", "dance-twirl", 12, false);
        }

        Configuration conf = topics.jobConfiguration(kafka.bootstrapServers());
        conf.set(SegmentationJobOptions.SEGMENTS_TOPIC, segmentsTopic);
        conf.set(CommonOptions.MODEL_DIR, SharedTestData.modelDir().toString());
        conf.set(CommonOptions.INTRA_OP_THREADS, 2);
        conf.set(SegmentationJobOptions.TRACK_START_CLASSES, "person");
        conf.set(SegmentationJobOptions.TRACK_EVIDENCE_WEIGHT, 1f);
        StreamExecutionEnvironment env = ItFlink.environment(tmp.resolve("checkpoints"), 2_000, 0);
        SegmentationJob.fromConfiguration(conf).wire(env);
        env.execute("vos autostart");

        List<Segmentation> segments = TopicReader.readCommitted(kafka.bootstrapServers(), segmentsTopic,
                Segmentation.class, frames, 60_000);
        assertThat(segments).hasSize(frames);
        segments = new ArrayList<>(segments);
        segments.sort(java.util.Comparator.comparingLong(Segmentation::getSeq));
        Integer dancerId = null;
        for (Segmentation s : segments) {
            int t = (int) s.getSeq();
            BinaryMask truth = frameMask("dance-twirl", t);
            SegmentedObject best = null;
            double bestIou = -1;
            for (SegmentedObject o : s.getObjects()) {
                double iou = mask(o).iou(truth);
                if (iou > bestIou) {
                    bestIou = iou;
                    best = o;
                }
            }
            assertThat(best).as("an object on frame %d without any prompt", t).isNotNull();
            assertThat(best.getLabel()).isEqualTo("person");
            assertThat(bestIou).as("IoU with the DAVIS dancer on frame %d", t).isGreaterThan(0.7);
            if (dancerId == null) {
                dancerId = best.getObjectId();
            }
            assertThat(best.getObjectId()).as("the dancer's id on frame %d", t).isEqualTo(dancerId);
            assertThat(s.getTimingsMicros()).containsKey("detect");
        }
        assertThat(TopicReader.readCommitted(kafka.bootstrapServers(), topics.dlq(),
                dev.alphaflow.schemas.DeadLetter.class, 0, 2_000)).isEmpty();
    }

    /** Sends a DAVIS sequence's JPEGs (at most {@code limit}) with the first mask as the prompt, then END. */
    private static int produceSequence(FrameProducer producer, String streamId, String sequence, int limit)
            throws Exception {
        return produceSequence(producer, streamId, sequence, limit, true);
    }

    static int produceSequence(FrameProducer producer, String streamId, String sequence, int limit,
            boolean prompt) throws Exception {
        Path dir = SharedTestData.data("davis2016/JPEGImages/480p/" + sequence);
        List<Path> jpegs;
        try (Stream<Path> files = Files.list(dir)) {
            jpegs = files.filter(p -> p.toString().endsWith(".jpg")).sorted().limit(limit).toList();
        }
        BinaryMask first = firstFrameMask(sequence);
        byte[] promptPng = ImageCodec.encodeGray8Png(first.toBytes((byte) 255), first.width(), first.height());
        for (int t = 0; t < jpegs.size(); t++) {
            var frame = FrameProducer.frame(streamId, t, Codec.JPEG, 854, 480, Files.readAllBytes(jpegs.get(t)));
            if (t == 0 && prompt) {
                frame.setPrompts(List.of(ObjectPrompt.newBuilder().setObjectId(1).setAction(PromptAction.ADD)
                        .setMask(java.nio.ByteBuffer.wrap(promptPng)).setLabel(sequence).build()));
            }
            producer.send(frame.build());
        }
        producer.sendEnd(streamId, jpegs.size());
        return jpegs.size();
    }

    static BinaryMask firstFrameMask(String sequence) {
        return frameMask(sequence, 0);
    }

    private static BinaryMask frameMask(String sequence, int t) {
        DavisMasks.LabelMap labels = DavisMasks.read(SharedTestData.data(
                "davis2016/Annotations/480p/" + sequence + "/" + String.format("%05d.png", t)));
        byte[] on = new byte[labels.labels().length];
        for (int i = 0; i < on.length; i++) {
            on[i] = labels.labels()[i] == 1 ? (byte) 1 : 0;
        }
        return BinaryMask.fromBytes(labels.width(), labels.height(), on);
    }

    private static BinaryMask mask(SegmentedObject o) {
        int[] counts = o.getMask().getCounts().stream().mapToInt(Integer::intValue).toArray();
        return dev.alphaflow.model.instances.Rle.of(o.getMask().getHeight(), o.getMask().getWidth(), counts).decode();
    }

    static List<Integer> toList(int[] values) {
        List<Integer> list = new ArrayList<>(values.length);
        for (int v : values) {
            list.add(v);
        }
        return list;
    }
}
