package dev.alphaflow.jobs.view;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.alphaflow.jobs.tools.Background;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.Instances;
import dev.alphaflow.schemas.Matte;
import dev.alphaflow.schemas.Segmentation;
import dev.alphaflow.schemas.serde.AvroCodec;

/**
 * The live view: one consumer thread reads the frames, mattes, segments, instances and dead-letter topics
 * ({@code read_committed}, no group, from the beginning) into a {@link StreamBoard}; the JDK's HTTP server serves the
 * page ({@code /}), the board as server-sent events ({@code /events}, twice a second) and each stream's latest
 * composite ({@code /composite?stream=ID&kind=mattes|segments|instances}, mattes by default): the matte over the
 * background, or the masks and instances as coloured overlays with labels, drawn as {@code export-masks} and
 * {@code export-instances} draw them. Everything it serves is in the jar; the page needs no internet.
 *
 * <p>When a token is set every request must carry it ({@code ?token=} or the {@code X-Alphaflow-Token} header);
 * the command requires one for any address other than loopback.
 */
public final class ViewServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ViewServer.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final long EVENT_INTERVAL_MS = 500;

    /** The topics the view reads; the output topics that never appear are simply not shown. */
    public record Topics(String frames, String mattes, String segments, String instances, String dlq) {
        public Topics {
            Objects.requireNonNull(frames, "frames");
            Objects.requireNonNull(mattes, "mattes");
            Objects.requireNonNull(segments, "segments");
            Objects.requireNonNull(instances, "instances");
            Objects.requireNonNull(dlq, "dlq");
        }

        List<String> all() {
            return List.of(frames, mattes, segments, instances, dlq);
        }
    }

    private final Properties consumerConfig;
    private final Topics names;
    private final List<String> topics;
    private final String token;
    private final StreamBoard board;
    private final HttpServer http;
    private final ExecutorService httpThreads = Executors.newCachedThreadPool(r -> daemon(r, "view-http"));
    private final Thread consumerThread;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean closed;
    private volatile Throwable consumerFailure;

    /**
     * Binds the server and starts reading; {@link #close()} stops both.
     *
     * @param token required on every request when not null
     */
    public ViewServer(Properties consumerConfig, Topics topics, Background background, InetSocketAddress bind,
            String token) throws IOException {
        this.consumerConfig = Objects.requireNonNull(consumerConfig, "consumerConfig");
        this.names = Objects.requireNonNull(topics, "topics");
        this.topics = topics.all();
        this.token = token;
        this.board = new StreamBoard(background);
        this.http = HttpServer.create(bind, 0);
        http.setExecutor(httpThreads);
        http.createContext("/", this::page);
        http.createContext("/events", this::events);
        http.createContext("/composite", this::composite);
        consumerThread = daemon(this::consume, "view-consumer");
        consumerThread.start();
        http.start();
        LOG.info("View of {} at {}", topics, url());
    }

    /** The page's address. */
    public String url() {
        InetSocketAddress a = http.getAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        return "http://" + host + ":" + a.getPort() + "/" + (token == null ? "" : "?token=" + token);
    }

    /** The board's JSON, as the page receives it. */
    public String snapshotJson() {
        return board.toJson();
    }

    /** Why the consumer stopped, or null while it runs. */
    public Throwable consumerFailure() {
        return consumerFailure;
    }

    private void consume() {
        AvroCodec<Frame> frames = AvroCodec.of(Frame.class);
        AvroCodec<Matte> mattes = AvroCodec.of(Matte.class);
        AvroCodec<Segmentation> segments = AvroCodec.of(Segmentation.class);
        AvroCodec<Instances> instances = AvroCodec.of(Instances.class);
        AvroCodec<DeadLetter> deadLetters = AvroCodec.of(DeadLetter.class);
        try (KafkaConsumer<byte[], byte[]> c =
                     new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer = c;
            if (closed) {
                return;
            }
            // Topics may appear later (outputs are created by the job's first write): look again until all exist.
            List<TopicPartition> assigned = new ArrayList<>();
            Set<String> found = new HashSet<>();
            long lastLookMs = 0;
            while (!closed) {
                if (found.size() < topics.size() && System.currentTimeMillis() - lastLookMs > 2000) {
                    lastLookMs = System.currentTimeMillis();
                    var existing = c.listTopics(Duration.ofSeconds(10));
                    List<TopicPartition> added = new ArrayList<>();
                    for (String t : topics) {
                        var infos = existing.get(t);
                        if (infos != null && found.add(t)) {
                            infos.forEach(i -> added.add(new TopicPartition(i.topic(), i.partition())));
                        }
                    }
                    // Never seekToBeginning(empty list): the consumer reads that as "every assigned partition".
                    if (!added.isEmpty()) {
                        assigned.addAll(added);
                        c.assign(assigned);
                        c.seekToBeginning(added);
                    }
                }
                if (assigned.isEmpty()) {
                    Thread.sleep(POLL.toMillis());
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL)) {
                    try {
                        long now = System.currentTimeMillis();
                        if (r.topic().equals(names.mattes())) {
                            board.onOutput(StreamBoard.Output.of(mattes.decode(r.value())), now);
                        } else if (r.topic().equals(names.segments())) {
                            board.onOutput(StreamBoard.Output.of(segments.decode(r.value())), now);
                        } else if (r.topic().equals(names.instances())) {
                            board.onOutput(StreamBoard.Output.of(instances.decode(r.value())), now);
                        } else if (r.topic().equals(names.frames())) {
                            board.onFrame(frames.decode(r.value()));
                        } else if (r.topic().equals(names.dlq())) {
                            board.onDeadLetter(deadLetters.decode(r.value()));
                        }
                    } catch (RuntimeException e) { // AvroDecodeException, or an image that does not decode
                        // A record the view cannot show (the job sends such frames to the DLQ) must not stop it.
                        LOG.debug("Skipping {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.toString());
                    }
                }
                board.tick(System.currentTimeMillis());
            }
        } catch (WakeupException | InterruptedException e) {
            // closing
        } catch (RuntimeException e) {
            consumerFailure = e;
            LOG.error("The view stopped reading Kafka: {}", e.getMessage(), e);
        }
    }

    private boolean authorized(HttpExchange ex) throws IOException {
        if (token == null) {
            return true;
        }
        String header = ex.getRequestHeaders().getFirst("X-Alphaflow-Token");
        if (token.equals(header) || token.equals(queryParam(ex, "token"))) {
            return true;
        }
        send(ex, 401, "text/plain; charset=utf-8", "a token is required\n".getBytes(StandardCharsets.UTF_8));
        return false;
    }

    private void page(HttpExchange ex) throws IOException {
        if (!authorized(ex)) {
            return;
        }
        if (!ex.getRequestURI().getPath().equals("/")) {
            send(ex, 404, "text/plain; charset=utf-8", "not found\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        try (InputStream in = ViewServer.class.getResourceAsStream("view.html")) {
            send(ex, 200, "text/html; charset=utf-8", Objects.requireNonNull(in, "view.html").readAllBytes());
        }
    }

    private void events(HttpExchange ex) throws IOException {
        if (!authorized(ex)) {
            return;
        }
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            while (!closed) {
                out.write(("data: " + board.toJson() + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(EVENT_INTERVAL_MS);
            }
        } catch (IOException | InterruptedException e) {
            // the page went away, or the server closes
        }
    }

    private void composite(HttpExchange ex) throws IOException {
        if (!authorized(ex)) {
            return;
        }
        String stream = queryParam(ex, "stream");
        String kindParam = queryParam(ex, "kind");
        StreamBoard.Kind kind = kindParam == null ? StreamBoard.Kind.MATTES : StreamBoard.Kind.of(kindParam);
        if (kind == null) {
            send(ex, 400, "text/plain; charset=utf-8",
                    ("kind must be mattes, segments or instances: " + kindParam + "\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        byte[] jpeg;
        try {
            jpeg = stream == null ? null : board.composite(kind, stream);
        } catch (RuntimeException e) { // a frame or matte whose image does not decode
            send(ex, 500, "text/plain; charset=utf-8",
                    ("cannot composite: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (jpeg == null) {
            send(ex, 404, "text/plain; charset=utf-8", "no composite yet\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        send(ex, 200, "image/jpeg", jpeg);
    }

    private static String queryParam(HttpExchange ex, String name) {
        String q = ex.getRequestURI().getRawQuery();
        if (q == null) {
            return null;
        }
        for (String part : q.split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0 && URLDecoder.decode(part.substring(0, eq), StandardCharsets.UTF_8).equals(name)) {
                return URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Default consumer settings of the view, on top of the export tools' (read_committed, no group). */
    public static Properties consumerConfig(Properties base) {
        Properties p = new Properties();
        p.putAll(base);
        p.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return p;
    }

    @Override
    public void close() {
        closed = true;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        http.stop(0);
        httpThreads.shutdownNow();
        try {
            consumerThread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
