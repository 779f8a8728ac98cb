package dev.alphaflow.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.alphaflow.jobs.local.EmbeddedKafka;
import dev.alphaflow.jobs.testutils.SharedData;
import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.serde.AvroCodec;

/**
 * {@link Ingest} with a watched sources file, against a real broker: a line added while running starts its stream, a
 * line removed ends its stream with END while the others go on, an invalid edit is reported and changes nothing,
 * the metrics endpoint lists the running streams, and close ends every stream.
 */
class IngestSourcesFileITCase {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    @Test
    void sourcesComeAndGoWithTheFile() throws Exception {
        Path video = SharedData.danceTwirlMp4();
        Path file = tmp.resolve("cameras.txt");
        Files.writeString(file, "# cameras\na=" + video + "\n");
        String topic = "frames-" + UUID.randomUUID();
        ByteArrayOutputStream status = new ByteArrayOutputStream();
        List<Frame> frames = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(1, topic, "schemas-" + topic);
            Thread reader = new Thread(() -> read(kafka.bootstrapServers(), topic, frames, stop), "frames");
            reader.start();
            CaptureSettings settings = new CaptureSettings(5, 160, 2, Backoff.defaults(), Duration.ofSeconds(5), 0.8f,
                    Map.of());
            try (Ingest ingest = Ingest.builder().bootstrapServers(kafka.bootstrapServers()).topic(topic)
                    .schemasTopic("schemas-" + topic).settings(settings).sourcesFile(file)
                    .watchInterval(Duration.ofMillis(200)).statusInterval(Duration.ZERO)
                    .statusOutput(new PrintStream(status, true, StandardCharsets.UTF_8), false)
                    .metricsPorts("0").build()) {
                ingest.start();
                await(() -> count(frames, "a") >= 3, "frames of a");

                Files.writeString(file, "a=" + video + "\nb=" + video + "\n");
                await(() -> count(frames, "b") >= 3, "frames of b, added while running");
                assertThat(ingest.streams()).containsExactly("a", "b");

                Files.writeString(file, "b=" + video + "\n");
                await(() -> ended(frames, "a"), "END of a, removed while running");
                long bBefore = count(frames, "b");
                await(() -> count(frames, "b") >= bBefore + 3, "b going on");
                assertThat(ingest.streams()).containsExactly("b");

                Files.writeString(file, "b=" + video + "\nc=ftp://cam/x.ts\n");
                await(() -> status.toString(StandardCharsets.UTF_8).contains("sources file not applied"),
                        "the bad edit reported");
                assertThat(status.toString(StandardCharsets.UTF_8)).contains(file + ":2: source 'c=ftp://cam/x.ts'");
                assertThat(ingest.streams()).containsExactly("b");
                String scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + ingest.metricsPort() + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(scrape).contains("alphaflow_ingest_frames_published_total{stream=\"b\",}")
                        .doesNotContain("stream=\"a\"");
            }
            await(() -> ended(frames, "b"), "END of b on close");
            stop.set(true);
            reader.join(10_000);
        }
        assertThat(status.toString(StandardCharsets.UTF_8)).contains("ingest: added b=", "ingest: stopped a=",
                "END sent");
        List<Long> seqs = frames.stream().filter(f -> f.getStreamId().equals("b")).map(Frame::getSeq).toList();
        assertThat(seqs).as("in order").isSorted();
    }

    private static boolean ended(List<Frame> frames, String stream) {
        return frames.stream().anyMatch(f -> f.getStreamId().equals(stream) && f.getControl() == Control.END);
    }

    private static long count(List<Frame> frames, String stream) {
        return frames.stream().filter(f -> f.getStreamId().equals(stream)).count();
    }

    private static void read(String servers, String topic, List<Frame> into, AtomicBoolean stop) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + topic);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        AvroCodec<Frame> codec = AvroCodec.of(Frame.class);
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            while (!stop.get()) {
                c.poll(Duration.ofMillis(200)).forEach(r -> into.add(codec.decode(r.value())));
            }
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within " + WAIT);
            }
            Thread.sleep(50);
        }
    }
}
