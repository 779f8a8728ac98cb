package dev.alphaflow.jobs.ingest;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.jobs.tools.Replay;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.serde.AvroCodec;
import dev.alphaflow.schemas.serde.KafkaSchemaStore;

/**
 * Publishes live sources (cameras: RTSP, HTTP MJPEG/MPEG-TS, UDP/RTP MPEG-TS, V4L2; files looped as if live) to the
 * frames topic, one stream per source, with the same records and producer settings as {@link Replay}: key = stream
 * id, value = the Avro single-object encoding of a JPEG {@link Frame}, the Frame schema registered in the schemas
 * topic first. Each source runs in a {@link SourceWorker} (capture-time stamps, drop-oldest queue, reconnect with
 * backoff and a {@code SOURCE_RECONNECTED} reset).
 *
 * <p>Sources come from the command line (fixed) and from an optional sources file ({@link SourcesFile}), read again
 * when its modification time or size changes and then holds still for one watch interval (so a save caught
 * mid-write is never applied): added lines start streams, removed lines stop theirs with an END frame. A file that becomes unreadable or invalid while running is reported and the running sources are kept.
 *
 * <p>Health of every source (connected, frames/s, published, dropped, last-frame age, reconnects) is printed every
 * {@code statusInterval} and served as Prometheus metrics ({@link IngestMetrics}).
 *
 * <pre>{@code
 * try (Ingest ingest = Ingest.builder()
 *         .bootstrapServers("127.0.0.1:9092")
 *         .source(SourceSpec.parse("lobby=rtsp://10.0.0.7/stream1"))
 *         .sourcesFile(Path.of("cameras.txt"))
 *         .build()) {
 *     ingest.start();
 *     ...
 * } // stops every source with an END frame
 * }</pre>
 */
public final class Ingest implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Ingest.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

    private final String bootstrapServers;
    private final String topic;
    private final String schemasTopic;
    private final Map<String, String> producerProperties;
    private final CaptureSettings settings;
    private final List<SourceSpec> fixedSources;
    private final Path sourcesFile;
    private final Duration watchInterval;
    private final Duration statusInterval;
    private final PrintStream out;
    private final boolean terminal;
    private final String metricsPorts;

    private final Map<String, SourceWorker> workers = new ConcurrentHashMap<>();
    private final Map<String, SourceSpec> fileSources = new LinkedHashMap<>();
    private final ThreadLocal<AvroCodec<Frame>> codecs = ThreadLocal.withInitial(() -> AvroCodec.of(Frame.class));
    private KafkaProducer<String, byte[]> producer;
    private ScheduledExecutorService timers;
    private IngestMetrics metrics;
    /** The sources file as last read; null = read it on the next look. */
    private FileStamp appliedStamp;
    /** A change seen on the last look and not read yet: it is read once the file holds still for one interval. */
    private FileStamp pendingStamp;
    private String fileProblem;
    private int statusLinesShown;
    private boolean closed;

    private Ingest(Builder b) {
        this.bootstrapServers = b.bootstrapServers;
        this.topic = b.topic;
        this.schemasTopic = b.schemasTopic;
        this.producerProperties = Map.copyOf(b.producerProperties);
        this.settings = b.settings;
        this.fixedSources = List.copyOf(b.sources);
        this.sourcesFile = b.sourcesFile;
        this.watchInterval = b.watchInterval;
        this.statusInterval = b.statusInterval;
        this.out = b.out;
        this.terminal = b.terminal;
        this.metricsPorts = b.metricsPorts;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Registers the Frame schema, opens the producer and the metrics endpoint, and starts every source. Sources that
     * cannot be reached yet are retried in the background, as after a loss.
     *
     * @throws IOException when the metrics port range has no free port
     * @throws IllegalArgumentException when the sources file is invalid or names a stream of the command line
     */
    public synchronized void start() throws IOException {
        Map<String, SourceSpec> fromFile = sourcesFile == null ? Map.of() : readSourcesFile();
        KafkaSchemaStore.register(KafkaSchemaStore.Settings.of(bootstrapServers, schemasTopic, producerProperties,
                KafkaSchemaStore.Settings.DEFAULT_LOOKUP_TIMEOUT), Frame.getClassSchema());
        producer = new KafkaProducer<>(Replay.frameProducerConfig(bootstrapServers, true, "alphaflow-ingest",
                producerProperties), new StringSerializer(), new ByteArraySerializer());
        if (metricsPorts != null) {
            metrics = IngestMetrics.serve(metricsPorts, this::health);
        }
        fixedSources.forEach(this::startWorker);
        fromFile.values().forEach(this::startWorker);
        fileSources.putAll(fromFile);
        timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ingest-status");
            t.setDaemon(true);
            return t;
        });
        if (sourcesFile != null) {
            long ms = watchInterval.toMillis();
            timers.scheduleWithFixedDelay(guarded(this::rereadSourcesFile), ms, ms, TimeUnit.MILLISECONDS);
        }
        if (!statusInterval.isZero()) {
            long ms = statusInterval.toMillis();
            timers.scheduleAtFixedRate(guarded(this::printStatus), ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    /** The metrics endpoint's port; -1 without one. */
    public int metricsPort() {
        return metrics == null ? -1 : metrics.port();
    }

    /** The streams being published, sorted. */
    public synchronized List<String> streams() {
        return workers.keySet().stream().sorted().toList();
    }

    /** Every source's health now, by stream id (sorted). */
    public Map<String, SourceHealth.Snapshot> health() {
        long now = System.currentTimeMillis();
        Map<String, SourceHealth.Snapshot> h = new java.util.TreeMap<>();
        workers.forEach((id, w) -> h.put(id, w.health().snapshot(now)));
        return h;
    }

    /** One line per source, as printed every status interval. */
    public List<String> statusLines() {
        List<String> lines = new ArrayList<>();
        health().forEach((id, h) -> lines.add(statusLine(id, h)));
        if (fileProblem != null) {
            lines.add("ingest: " + fileProblem);
        }
        return lines;
    }

    static String statusLine(String stream, SourceHealth.Snapshot h) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "ingest: %s %s, %.1f frames/s, %d published, %d dropped, last frame %s, %d reconnect(s)",
                stream, h.connected() ? "connected" : "disconnected", h.framesPerSecond(), h.published(), h.dropped(),
                h.lastFrameAgeMs() < 0 ? "none yet" : String.format(Locale.ROOT, "%.1f s ago",
                        h.lastFrameAgeMs() / 1000.0), h.reconnects()));
        if (h.sendErrors() > 0) {
            s.append(", ").append(h.sendErrors()).append(" send error(s)");
        }
        if (!h.connected() && h.lastError() != null) {
            s.append(" (").append(h.lastError()).append(')');
        }
        return s.toString();
    }

    private synchronized void printStatus() {
        if (closed) {
            return;
        }
        List<String> lines = statusLines();
        if (terminal && statusLinesShown > 0) {
            out.print("\u001b[" + statusLinesShown + "A\u001b[J"); // redraw the block in place
        }
        lines.forEach(out::println);
        out.flush();
        statusLinesShown = lines.size();
    }

    private void startWorker(SourceSpec spec) {
        if (workers.containsKey(spec.streamId())) {
            throw new IllegalArgumentException("two sources for stream '" + spec.streamId() + "'; give distinct "
                    + "names with NAME=LOCATION");
        }
        SourceWorker w = new SourceWorker(spec, settings, this::send);
        workers.put(spec.streamId(), w);
        w.start();
        LOG.info("started source {}", spec);
    }

    private void stopWorker(String streamId) {
        SourceWorker w = workers.remove(streamId);
        if (w == null) {
            return;
        }
        try {
            w.stop(STOP_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.println("ingest: stopped " + w.spec() + ", " + w.health().publishedCount() + " frames published"
                + (w.endSent() ? ", END sent" : ", no END sent"));
        out.flush();
        statusLinesShown = 0;
    }

    private void send(Frame frame, Consumer<Exception> onError) {
        byte[] value = codecs.get().encode(frame);
        producer.send(new ProducerRecord<>(topic, null, frame.getEventTimeMs(), frame.getStreamId(), value),
                (metadata, e) -> {
                    if (e != null) {
                        onError.accept(e);
                    }
                });
    }

    private Map<String, SourceSpec> readSourcesFile() throws IOException {
        appliedStamp = FileStamp.of(sourcesFile);
        Map<String, SourceSpec> specs = SourcesFile.read(sourcesFile);
        for (SourceSpec s : fixedSources) {
            if (specs.containsKey(s.streamId())) {
                throw new IllegalArgumentException(sourcesFile + " has a source for stream '" + s.streamId()
                        + "', which the command line has too");
            }
        }
        return specs;
    }

    /** Applies the sources file's changes: stops the removed or changed sources, starts the new ones. */
    private synchronized void rereadSourcesFile() {
        if (closed) {
            return;
        }
        Map<String, SourceSpec> now;
        try {
            FileStamp seen = FileStamp.of(sourcesFile);
            if (seen.equals(appliedStamp)) {
                pendingStamp = null;
                return;
            }
            if (!seen.equals(pendingStamp)) {
                // Changed since the last look: wait until it holds still, so a file caught mid-write (an in-place
                // save truncates it first) is never applied, which would stop every source it seemed to drop.
                pendingStamp = seen;
                return;
            }
            now = readSourcesFile();
        } catch (IOException | IllegalArgumentException e) {
            String problem = "sources file not applied, sources unchanged: " + e.getMessage();
            if (!problem.equals(fileProblem)) {
                out.println("ingest: " + problem);
                out.flush();
                statusLinesShown = 0;
            }
            fileProblem = problem;
            appliedStamp = null; // read it again next time
            return;
        }
        fileProblem = null;
        for (String id : List.copyOf(fileSources.keySet())) {
            if (!fileSources.get(id).equals(now.get(id))) {
                fileSources.remove(id);
                stopWorker(id);
            }
        }
        for (SourceSpec s : now.values()) {
            if (!fileSources.containsKey(s.streamId())) {
                startWorker(s);
                fileSources.put(s.streamId(), s);
                out.println("ingest: added " + s);
                out.flush();
                statusLinesShown = 0;
            }
        }
    }

    /** What a look at the sources file compares: modification time and size. */
    private record FileStamp(FileTime modified, long size) {
        static FileStamp of(Path file) throws IOException {
            return new FileStamp(Files.getLastModifiedTime(file), Files.size(file));
        }
    }

    private static Runnable guarded(Runnable r) {
        return () -> {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.error("ingest background task failed", e); // a scheduled task that throws is never run again
            }
        };
    }

    /** Stops every source (each ends its stream with an END frame), flushes and closes the producer. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (timers != null) {
            timers.shutdownNow();
        }
        List<Thread> stops = new ArrayList<>();
        for (String id : List.copyOf(workers.keySet())) {
            Thread t = new Thread(() -> stopWorker(id), "ingest-stop-" + id);
            t.start();
            stops.add(t);
        }
        for (Thread t : stops) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(30));
        }
        if (metrics != null) {
            metrics.close();
        }
    }

    /** Options of {@link Ingest}. */
    public static final class Builder {
        private String bootstrapServers;
        private String topic = KafkaDefaults.FRAMES_TOPIC;
        private String schemasTopic = KafkaDefaults.SCHEMAS_TOPIC;
        private final Map<String, String> producerProperties = new LinkedHashMap<>();
        private CaptureSettings settings = CaptureSettings.defaults();
        private final List<SourceSpec> sources = new ArrayList<>();
        private Path sourcesFile;
        private Duration watchInterval = Duration.ofSeconds(1);
        private Duration statusInterval = Duration.ofSeconds(10);
        private PrintStream out = System.err;
        private boolean terminal;
        private String metricsPorts;

        private Builder() {}

        public Builder bootstrapServers(String servers) {
            this.bootstrapServers = Objects.requireNonNull(servers, "servers");
            return this;
        }

        public Builder topic(String topic) {
            this.topic = Objects.requireNonNull(topic, "topic");
            return this;
        }

        public Builder schemasTopic(String schemasTopic) {
            this.schemasTopic = Objects.requireNonNull(schemasTopic, "schemasTopic");
            return this;
        }

        /** Overrides one Kafka producer setting (security settings, {@code linger.ms}, ...). */
        public Builder producerProperty(String key, String value) {
            producerProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder settings(CaptureSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** A source for the whole run (repeatable). */
        public Builder source(SourceSpec source) {
            sources.add(Objects.requireNonNull(source, "source"));
            return this;
        }

        /** A file of sources, watched for changes while running. */
        public Builder sourcesFile(Path file) {
            this.sourcesFile = Objects.requireNonNull(file, "file");
            return this;
        }

        /** How often the sources file is checked for changes (default 1 s). */
        public Builder watchInterval(Duration interval) {
            this.watchInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /** How often the status lines are printed (default 10 s); zero: never. */
        public Builder statusInterval(Duration interval) {
            this.statusInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /** Where status lines go (default System.err, like progress); {@code terminal}: redraw them in place. */
        public Builder statusOutput(PrintStream out, boolean terminal) {
            this.out = Objects.requireNonNull(out, "out");
            this.terminal = terminal;
            return this;
        }

        /** Serve Prometheus metrics on the first free port of this port or range; null (default): none. */
        public Builder metricsPorts(String ports) {
            this.metricsPorts = ports;
            return this;
        }

        /**
         * Checks the options.
         *
         * @throws IllegalArgumentException naming the option to fix
         */
        public Ingest build() {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("bootstrapServers is required, e.g. bootstrapServers(\"127.0.0.1:9092\")");
            }
            if (sources.isEmpty() && sourcesFile == null) {
                throw new IllegalArgumentException("no sources: give a source (URL, device or file) or a sources file");
            }
            List<String> ids = new ArrayList<>();
            for (SourceSpec s : sources) {
                if (ids.contains(s.streamId())) {
                    throw new IllegalArgumentException("two sources for stream '" + s.streamId()
                            + "'; give distinct names with NAME=LOCATION");
                }
                ids.add(s.streamId());
            }
            if (sourcesFile != null && !Files.isRegularFile(sourcesFile)) {
                throw new IllegalArgumentException("sources file " + sourcesFile + " does not exist");
            }
            if (watchInterval.isNegative() || watchInterval.isZero()) {
                throw new IllegalArgumentException("watchInterval must be positive: " + watchInterval);
            }
            if (statusInterval.isNegative()) {
                throw new IllegalArgumentException("statusInterval must not be negative: " + statusInterval);
            }
            if (metricsPorts != null) {
                IngestMetrics.parseRange(metricsPorts);
            }
            return new Ingest(this);
        }
    }
}
