package dev.alphaflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.alphaflow.it.jar.JarProcess;
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
import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.Matte;
import dev.alphaflow.schemas.ResetCause;
import dev.alphaflow.schemas.serde.AvroCodec;

/**
 * Live cameras end to end: Debian's ffmpeg serves the sample video in a loop on 127.0.0.1 as MPEG-TS over UDP and
 * over HTTP; {@code alphaflow ingest} from the shipped jar publishes both; the matting job (a tiny model with RVM's
 * contract, on the embedded MiniCluster) mattes them. The HTTP server is killed mid-run and started again: ingest
 * reconnects, the job's next matte of that stream is a state reset with reason SOURCE_RECONNECTED, the UDP stream
 * kept flowing meanwhile, nothing crashed, the metrics endpoint counts the reconnect, and on stop both streams end
 * with END. Prints {@code [bench] live.reconnect_ms} (server started again → first frame of the stream published).
 */
class LiveIngestITCase {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path VIDEO = JarProcess.sharedDir().resolve("data/person-video/dance-twirl_854x480_24fps_h264.mp4");
    private static EmbeddedKafka kafka;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void ingestReconnectsAndTheJobResetsThatStreamWhileTheOtherFlows() throws Exception {
        assertThat(Path.of("/usr/bin/ffmpeg")).as("Debian's ffmpeg (apt-get install ffmpeg)").isExecutable();
        Topics topics = Topics.fresh("live");
        String schemas = "schemas-" + topics.frames();
        kafka.createTopics(2, topics.frames(), topics.mattes(), topics.dlq());
        kafka.createTopics(1, schemas);
        int udpPort = freePort();
        int httpPort = freePort();
        Path work = Files.createDirectories(tmp.resolve("ingest"));

        List<Process> servers = new ArrayList<>();
        Process udp = ffmpeg(work, "udp", "udp://127.0.0.1:" + udpPort + "?pkt_size=1316");
        Process http = ffmpeg(work, "http", "-listen", "1", "http://127.0.0.1:" + httpPort);
        servers.add(udp);
        servers.add(http);
        JobClient job = null;
        AtomicBoolean stopReading = new AtomicBoolean();
        List<Matte> mattes = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> readMattes(topics.mattes(), mattes, stopReading), "mattes");
        try (JarProcess ingest = JarProcess.builder().workDir(work)
                .tmpDir(Files.createDirectories(work.resolve("jvm-tmp"))).log(work.resolve("ingest.log"))
                .args("ingest", "--bootstrap-servers", kafka.bootstrapServers(), "--frames-topic", topics.frames(),
                        "--schemas-topic", schemas, "--fps", "8", "--max-size", "160", "--reconnect-initial", "0.2",
                        "--reconnect-max", "1", "--timeout", "3", "--status-interval", "1", "--metrics-port", "0",
                        "udpcam=udp://127.0.0.1:" + udpPort, "httpcam=http://127.0.0.1:" + httpPort)
                .start()) {
            String ready = ingest.awaitLine(l -> l.startsWith("alphaflow ingest: ") && l.endsWith("(Ctrl-C to stop)"),
                    WAIT);
            Matcher port = Pattern.compile("metrics at (http://127\\.0\\.0\\.1:\\d+/metrics)").matcher(ready);
            assertThat(port.find()).as(ready).isTrue();
            URI metrics = URI.create(port.group(1));

            job = startJob(topics, schemas);
            reader.start();
            await(() -> count(mattes, "udpcam") >= 5 && count(mattes, "httpcam") >= 5, "mattes of both streams",
                    ingest);

            http.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // the HTTP camera goes away
            long killedAt = System.currentTimeMillis();
            // the status line of the loss (not the one before the first connection: that one has 0 published)
            ingest.awaitLine(l -> l.matches("ingest: httpcam disconnected, .*, [1-9][0-9]* published, .*"), WAIT);
            Thread.sleep(1_500); // some failed attempts: the backoff is at work
            http = ffmpeg(work, "http-again", "-listen", "1", "http://127.0.0.1:" + httpPort);
            servers.add(http);
            long backAt = System.currentTimeMillis();

            await(() -> mattes.stream().anyMatch(m -> m.getStreamId().equals("httpcam")
                    && m.getEventTimeMs() > backAt), "a matte of httpcam after the server is back", ingest);
            // The first frame after the reconnect: frames still buffered in the decoder when the server died are
            // read (and stamped) after the kill but before the loss is noticed, so killedAt would not separate them.
            Matte next = mattes.stream().filter(m -> m.getStreamId().equals("httpcam") && m.getEventTimeMs() > backAt)
                    .min(Comparator.comparingLong(Matte::getSeq)).orElseThrow();
            assertThat(next.getStateReset()).as("the next matte of httpcam: %s", next).isTrue();
            assertThat(next.getResetReason()).isEqualTo("SOURCE_RECONNECTED");
            assertThat(mattes.stream().filter(m -> m.getStreamId().equals("udpcam")
                    && m.getEventTimeMs() > killedAt && m.getEventTimeMs() < backAt).count())
                    .as("udpcam kept flowing while httpcam was away").isGreaterThanOrEqualTo(3);
            assertThat(mattes.stream().filter(m -> m.getStreamId().equals("udpcam") && m.getSeq() > 0)
                    .noneMatch(Matte::getStateReset)).as("udpcam was never reset").isTrue();

            String scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(scrape).contains("alphaflow_ingest_reconnects_total{stream=\"httpcam\",} 1.0",
                    "alphaflow_ingest_reconnects_total{stream=\"udpcam\",} 0.0",
                    "alphaflow_ingest_connected{stream=\"httpcam\",} 1.0");
            assertThat(ingest.isAlive()).isTrue();
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);

            // SIGTERM, as Ctrl-C: the JVM's exit status after its shutdown hooks ran is 128 + 15
            assertThat(ingest.terminate(Duration.ofSeconds(30))).as(ingest.output()).isIn(0, 143);
            assertThat(ingest.output()).contains("stopped httpcam=http://127.0.0.1:" + httpPort)
                    .contains("stopped udpcam=udp://127.0.0.1:" + udpPort).doesNotContain("no END sent")
                    .doesNotContain(" ERROR ").doesNotContain("\tat ")
                    .as("FFmpeg's own log stays quiet: ingest reports losses itself").doesNotContain("[tcp @", "[mpeg2video @");

            List<Frame> frames = readFrames(topics.frames());
            Frame reset = frames.stream().filter(f -> f.getStreamId().equals("httpcam") && f.getControl() == Control.RESET)
                    .findFirst().orElseThrow();
            assertThat(reset.getResetCause()).isEqualTo(ResetCause.SOURCE_RECONNECTED);
            assertThat(reset.getSeq()).isEqualTo(next.getSeq());
            assertThat(frames.stream().filter(f -> f.getControl() == Control.END).map(Frame::getStreamId))
                    .containsExactlyInAnyOrder("udpcam", "httpcam");
            System.out.printf("[bench] live.reconnect_ms=%d (server started again -> first frame published; "
                    + "reconnect-initial 0.2 s, reconnect-max 1 s)%n", reset.getEventTimeMs() - backAt);
        } finally {
            stopReading.set(true);
            if (job != null) {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
            for (Process p : servers) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // by PID, each one this test started
            }
            reader.join(10_000);
        }
    }

    private JobClient startJob(Topics topics, String schemas) throws Exception {
        Path model = TinyModels.rvmContract(tmp.resolve("tiny-rvm.onnx"));
        ModelCard card = TinyModels.rvmCard(model);
        MattingSpec spec = MattingSpec.builder().modelDir(tmp.toString()).card(card)
                .sessionSettings(SessionSettings.builder().intraOpThreads(1).build())
                .rvmOptions(RvmOptions.builder().build()).build();
        MattingJob job = new MattingJob(spec, DecodeLimits.builder().build(), SequencerOptions.builder().build());
        Configuration conf = topics.jobConfiguration(kafka.bootstrapServers());
        conf.set(CommonOptions.BOUNDED, false);
        conf.set(CommonOptions.SCHEMAS_TOPIC, schemas);
        StreamExecutionEnvironment env = ItFlink.environment(tmp.resolve("checkpoints"), 300, 0);
        job.wire(env, conf);
        return env.executeAsync("live matting");
    }

    private static Process ffmpeg(Path work, String name, String... output) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-re",
                "-stream_loop", "-1", "-i", VIDEO.toString(), "-an", "-vf", "scale=320:-2", "-c:v", "mpeg2video",
                "-q:v", "5", "-g", "12", "-f", "mpegts"));
        cmd.addAll(List.of(output));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(work.resolve("ffmpeg-" + name + ".log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    }

    private static void readMattes(String topic, List<Matte> into, AtomicBoolean stop) {
        AvroCodec<Matte> codec = AvroCodec.of(Matte.class);
        try (KafkaConsumer<String, byte[]> c = consumer()) {
            c.subscribe(List.of(topic));
            while (!stop.get()) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    into.add(codec.decode(r.value()));
                }
            }
        }
    }

    private static List<Frame> readFrames(String topic) {
        AvroCodec<Frame> codec = AvroCodec.of(Frame.class);
        List<Frame> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = consumer()) {
            c.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 20_000;
            int empty = 0;
            while (System.currentTimeMillis() < deadline && empty < 5) {
                var records = c.poll(Duration.ofMillis(500));
                empty = records.isEmpty() && !out.isEmpty() ? empty + 1 : 0;
                records.forEach(r -> out.add(codec.decode(r.value())));
            }
        }
        return out;
    }

    private static KafkaConsumer<String, byte[]> consumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-live-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static long count(List<Matte> mattes, String stream) {
        return mattes.stream().filter(m -> m.getStreamId().equals(stream)).count();
    }

    private static void await(BooleanSupplier condition, String what, JarProcess ingest) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within " + WAIT + "; ingest:\n" + ingest.output());
            }
            Thread.sleep(100);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
