package dev.alphaflow.it;

import dev.alphaflow.jobs.CommonOptions;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import dev.alphaflow.jobs.local.EmbeddedKafka;
import dev.alphaflow.jobs.matting.MattingJob;
import dev.alphaflow.jobs.matting.MattingJobOptions;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.testing.SharedTestData;
import dev.alphaflow.schemas.Codec;
import dev.alphaflow.schemas.Matte;

/**
 * The real RVM model on DAVIS 2016 dance-twirl, run through Kafka → Flink → Kafka: mean IoU of
 * (alpha > 0.5) against the DAVIS person masks. The bare model reaches 0.81–0.82 on this machine.
 */
class RvmQualityITCase {
    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();

    @TempDir Path tmp;


    @Test
    void danceTwirlMeanIouThroughThePipeline() throws Exception {
        EmbeddedKafka kafka = KAFKA.get();
        Path shared = SharedTestData.sharedDir();
        Path frameDir = shared.resolve("data/davis2016/JPEGImages/480p/dance-twirl");
        Path maskDir = shared.resolve("data/davis2016/Annotations/480p/dance-twirl");
        List<Path> frames;
        try (Stream<Path> files = Files.list(frameDir)) {
            frames = files.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
        }
        assertThat(frames).hasSize(90);

        Topics topics = Topics.fresh("quality");
        kafka.createTopics(1, topics.frames(), topics.mattes(), topics.dlq());
        try (FrameProducer producer = new FrameProducer(kafka.bootstrapServers(), topics.frames())) {
            for (int i = 0; i < frames.size(); i++) {
                // The original JPEG bytes, as a camera would send them.
                producer.send(FrameProducer.frame("dance-twirl", i, Codec.JPEG, 854, 480, Files.readAllBytes(frames.get(i))).build());
            }
            producer.sendEnd("dance-twirl", frames.size());
        }

        Configuration conf = topics.jobConfiguration(kafka.bootstrapServers());
        conf.set(CommonOptions.MODEL_DIR, shared.resolve("models").toString());
        conf.set(CommonOptions.INTRA_OP_THREADS, 2);
        StreamExecutionEnvironment env = ItFlink.environment(tmp.resolve("checkpoints"), 2_000, 0);
        MattingJob.fromConfiguration(conf).wire(env);
        long start = System.nanoTime();
        env.execute("rvm quality");
        double seconds = (System.nanoTime() - start) / 1e9;

        List<Matte> mattes = TopicReader.readCommitted(kafka.bootstrapServers(), topics.mattes(), Matte.class, frames.size(), 60_000);
        assertThat(mattes).hasSize(frames.size());
        Map<Long, Matte> bySeq = new HashMap<>();
        mattes.forEach(m -> bySeq.put(m.getSeq(), m));

        double iouSum = 0;
        for (int i = 0; i < frames.size(); i++) {
            byte[] alpha = ImageCodec.decodeGray8Png(ExactlyOnceFailoverITCase.bytes(bySeq.get((long) i).getAlphaPng()));
            boolean[] truth = mask(maskDir.resolve(String.format("%05d.png", i)));
            iouSum += iou(alpha, truth);
        }
        double meanIou = iouSum / frames.size();
        String row = String.format("| rvm.dance_twirl.mean_iou | %.4f | `mvn -B verify -pl integration-tests -am -Dit.test=RvmQualityITCase -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false` |", meanIou);
        System.out.println(row + "  (" + frames.size() + " frames in " + String.format("%.1f", seconds) + " s)");
        Path results = Paths.get("target", "benchmarks");
        Files.createDirectories(results);
        Files.writeString(results.resolve("rvm.dance_twirl.mean_iou.md"), row + "\n");
        assertThat(meanIou).isGreaterThanOrEqualTo(0.80);
    }

    private static boolean[] mask(Path png) throws IOException {
        BufferedImage image = ImageIO.read(png.toFile());
        boolean[] mask = new boolean[image.getWidth() * image.getHeight()];
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                mask[y * image.getWidth() + x] = (image.getRaster().getSample(x, y, 0)) > 127;
            }
        }
        return mask;
    }

    /** IoU of (alpha > 0.5) against the mask; two empty masks agree perfectly. */
    private static double iou(byte[] alpha8, boolean[] truth) {
        assertThat(alpha8).hasSameSizeAs(truth);
        long inter = 0;
        long union = 0;
        for (int i = 0; i < truth.length; i++) {
            boolean predicted = (alpha8[i] & 0xFF) > 127;
            if (predicted && truth[i]) {
                inter++;
            }
            if (predicted || truth[i]) {
                union++;
            }
        }
        return union == 0 ? 1.0 : (double) inter / union;
    }
}
