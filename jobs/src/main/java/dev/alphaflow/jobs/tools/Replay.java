package dev.alphaflow.jobs.tools;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.schemas.Codec;
import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.ObjectPrompt;
import dev.alphaflow.schemas.PromptAction;
import dev.alphaflow.schemas.serde.AvroCodec;
import dev.alphaflow.schemas.serde.KafkaSchemaStore;

/**
 * Publishes videos and image folders to the frames topic, one stream per input, as the cameras and archives of a
 * real deployment would.
 *
 * <p>An input is a video file FFmpeg can read (mp4, avi, mkv, ...) or a folder whose {@code .jpg/.jpeg/.png} files,
 * in name order, are the frames. Its stream id is the file's name without extension (the folder's name) unless one
 * is given. Each frame becomes one {@link Frame} record: key = stream id (UTF-8), value = the Avro single-object
 * encoding, seq counting from 0, event time = start time + the frame's presentation time, pixels re-encoded as
 * JPEG (default), PNG or raw RGB. After the last frame an END control frame (empty payload, seq = the number of
 * frames) closes the stream. Inputs are replayed concurrently, so their streams interleave in the topic.
 *
 * <p>{@link Builder#prompts} adds object prompts for video object segmentation ({@link PromptSet}): each is sent in
 * the {@code prompts} field of the frame whose seq it names. Prompts are checked against their input in
 * {@link Builder#build}, before anything is sent.
 *
 * <p>Pacing is real time by default (the video's frame rate, {@link Builder#folderFps} for folders, scaled by
 * {@link Builder#speed}); {@code realTime(false)} sends as fast as frames can be encoded. The producer is
 * idempotent with {@code acks=all}, so a retried send never duplicates or reorders a stream's frames.
 *
 * <pre>{@code
 * ReplaySummary summary = Replay.builder()
 *     .bootstrapServers("127.0.0.1:9092")
 *     .input(Path.of("dance.mp4"))
 *     .input(Path.of("frames/"), "camera-7")
 *     .realTime(false)
 *     .maxFrames(100)
 *     .build()
 *     .run();
 * }</pre>
 */
public final class Replay {
    private static final Logger LOG = LoggerFactory.getLogger(Replay.class);

    /** One input and the stream id its frames carry. */
    public record Input(Path path, String streamId) {
        public Input {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(streamId, "streamId");
        }
    }

    private final String bootstrapServers;
    private final String topic;
    private final String schemasTopic;
    private final List<Input> inputs;
    private final Codec codec;
    private final float jpegQuality;
    private final boolean realTime;
    private final double speed;
    private final double folderFps;
    private final long maxFrames;
    private final boolean sendEnd;
    private final boolean progressBar;
    private final Long startTimeMs;
    private final Map<String, String> producerProperties;
    /** Avro prompts by stream id, then frame number. */
    private final Map<String, Map<Long, List<ObjectPrompt>>> prompts;
    private volatile boolean schemaRegistered;

    private Replay(Builder b, Map<String, Map<Long, List<ObjectPrompt>>> prompts) {
        this.bootstrapServers = b.bootstrapServers;
        this.topic = b.topic;
        this.schemasTopic = b.schemasTopic;
        this.inputs = List.copyOf(b.inputs);
        this.codec = b.codec;
        this.jpegQuality = b.jpegQuality;
        this.realTime = b.realTime;
        this.speed = b.speed;
        this.folderFps = b.folderFps;
        this.maxFrames = b.maxFrames;
        this.sendEnd = b.sendEnd;
        this.progressBar = b.progressBar;
        this.startTimeMs = b.startTimeMs;
        this.producerProperties = Map.copyOf(b.producerProperties);
        this.prompts = prompts;
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<Input> inputs() {
        return inputs;
    }

    /** The producer configuration the replay uses (without serializers). */
    public Properties producerConfig() {
        return frameProducerConfig(bootstrapServers, realTime, "alphaflow-replay", producerProperties);
    }

    /**
     * The producer settings of every tool that publishes frames (replay, ingest): idempotent with {@code acks=all}, so
     * a retried send never duplicates or reorders a stream's frames; room for the largest frame record; no
     * compression (payloads are JPEG/PNG already). {@code live}: send each frame at once ({@code linger.ms=0})
     * instead of batching for throughput. {@code overrides} (security settings, {@code -X} flags) win.
     */
    public static Properties frameProducerConfig(String bootstrapServers, boolean live, String clientId,
            Map<String, String> overrides) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(KafkaDefaults.MAX_RECORD_BYTES));
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(4L * KafkaDefaults.MAX_RECORD_BYTES));
        p.put(ProducerConfig.LINGER_MS_CONFIG, live ? "0" : "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(1024 * 1024));
        // Payloads are JPEG/PNG already; compressing them again costs CPU and saves little.
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.putAll(overrides);
        return p;
    }

    /**
     * Replays every input (registering the Frame schema in the schemas topic before the first frame) and returns once
     * all frames are acknowledged by the broker.
     *
     * @throws IllegalStateException when the schema cannot be registered (no frame is sent then), an input cannot be
     *     read or decoded, or the broker rejects a record; the
     *     other inputs stop too, and frames sent before the failure stay in the topic
     */
    public ReplaySummary run() {
        long start = startTimeMs != null ? startTimeMs : System.currentTimeMillis();
        long startNanos = System.nanoTime();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Map<String, ReplaySummary.StreamSummary> results = Collections.synchronizedMap(new LinkedHashMap<>());
        ExecutorService pool = Executors.newFixedThreadPool(inputs.size(), new NamedThreads("alphaflow-replay"));
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(producerConfig(), new StringSerializer(), new ByteArraySerializer());
             Progress progress = progressBar ? newProgressBar() : null) {
            List<Future<ReplaySummary.StreamSummary>> futures = new ArrayList<>();
            for (Input input : inputs) {
                futures.add(pool.submit(() -> {
                    try {
                        return replayOne(input, producer, start, failure, progress);
                    } catch (Exception e) {
                        failure.compareAndSet(null, e); // stops the other inputs at their next frame
                        throw e;
                    }
                }));
            }
            Set<Throwable> failures = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Future<ReplaySummary.StreamSummary> future : futures) {
                try {
                    ReplaySummary.StreamSummary s = future.get();
                    results.put(s.streamId(), s);
                } catch (ExecutionException e) {
                    failures.add(e.getCause());
                }
            }
            producer.flush();
            Exception first = failure.get();
            if (first != null) {
                IllegalStateException e = new IllegalStateException("replay to " + topic + " failed: "
                        + first.getMessage(), first);
                failures.stream().filter(f -> f != first).forEach(e::addSuppressed);
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("replay interrupted", e);
        } finally {
            pool.shutdownNow();
        }
        Map<String, ReplaySummary.StreamSummary> ordered = new LinkedHashMap<>();
        for (Input input : inputs) {
            ordered.put(input.streamId(), results.get(input.streamId()));
        }
        ReplaySummary summary = new ReplaySummary(ordered, (System.nanoTime() - startNanos) / 1e9);
        LOG.info("{}", summary);
        return summary;
    }

    /**
     * Registers the Frame schema this build writes in the schemas topic, once, before the first frame is sent, so that
     * jobs built from another version of the schema can read the frames (they look the writer's schema up by
     * fingerprint). Before the first send rather than at start, so that an input that fails to decode never reaches
     * the broker.
     */
    private void registerFrameSchemaOnce() {
        if (schemaRegistered) {
            return;
        }
        synchronized (this) { // inputs replay on threads of their own; the first to send registers
            if (!schemaRegistered) {
                KafkaSchemaStore.register(KafkaSchemaStore.Settings.of(bootstrapServers, schemasTopic,
                        producerProperties, KafkaSchemaStore.Settings.DEFAULT_LOOKUP_TIMEOUT), Frame.getClassSchema());
                schemaRegistered = true;
            }
        }
    }

    private Progress newProgressBar() {
        expectedFrames.set(0);
        return Progress.start("replay", "frames", -1);
    }

    private ReplaySummary.StreamSummary replayOne(Input input, KafkaProducer<String, byte[]> producer, long start,
            AtomicReference<Exception> sendFailure, Progress progress) throws Exception {
        // One codec per thread: the Avro encoder is not thread-safe, and a shared producer serializes on the
        // caller's thread.
        AvroCodec<Frame> avro = AvroCodec.of(Frame.class);
        String streamId = input.streamId();
        Map<String, String> metadata = Map.of("source", input.path().getFileName().toString());
        Map<Long, List<ObjectPrompt>> streamPrompts = prompts.getOrDefault(streamId, Map.of());
        long seq = 0;
        long payloadBytes = 0;
        int width = 0;
        int height = 0;
        long lastRelativeMicros = 0;
        double fps;
        try (FrameSource source = FrameSource.open(input.path(), folderFps)) {
            fps = source.fps();
            if (progress != null) {
                long frames = source.estimatedFrames();
                long expected = frames < 0 ? -1 : (maxFrames > 0 ? Math.min(frames, maxFrames) : frames);
                addToMax(progress, expected);
            }
            long firstTimestamp = -1;
            long wallStart = System.nanoTime();
            while (maxFrames <= 0 || seq < maxFrames) {
                throwIfFailed(sendFailure);
                FrameSource.SourceFrame f = source.next();
                if (f == null) {
                    break;
                }
                if (firstTimestamp < 0) {
                    firstTimestamp = f.timestampMicros();
                }
                long relativeMicros = Math.max(0, f.timestampMicros() - firstTimestamp);
                if (realTime) {
                    long due = wallStart + (long) (relativeMicros * 1000 / speed);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
                RgbImage image = f.image();
                byte[] payload = encode(image);
                long eventTimeMs = start + relativeMicros / 1000;
                Frame frame = Frame.newBuilder()
                        .setStreamId(streamId)
                        .setSeq(seq)
                        .setEventTimeMs(eventTimeMs)
                        .setCodec(codec)
                        .setWidth(image.width())
                        .setHeight(image.height())
                        .setPayload(ByteBuffer.wrap(payload))
                        .setControl(Control.NONE)
                        .setMetadata(metadata)
                        .setPrompts(streamPrompts.getOrDefault(seq, List.of()))
                        .build();
                send(producer, streamId, eventTimeMs, avro.encode(frame), sendFailure);
                seq++;
                payloadBytes += payload.length;
                width = image.width();
                height = image.height();
                lastRelativeMicros = relativeMicros;
                if (progress != null) {
                    progress.step();
                }
            }
            if (sendEnd) {
                throwIfFailed(sendFailure);
                long eventTimeMs = start + lastRelativeMicros / 1000 + (seq > 0 ? Math.round(1000 / fps) : 0);
                Frame end = Frame.newBuilder()
                        .setStreamId(streamId)
                        .setSeq(seq)
                        .setEventTimeMs(eventTimeMs)
                        .setCodec(codec)
                        .setWidth(width)
                        .setHeight(height)
                        .setPayload(ByteBuffer.allocate(0))
                        .setControl(Control.END)
                        .build();
                send(producer, streamId, eventTimeMs, avro.encode(end), sendFailure);
            }
        } catch (IOException e) {
            throw new IOException("stream " + streamId + " (" + input.path() + "): " + e.getMessage(), e);
        }
        return new ReplaySummary.StreamSummary(streamId, seq, payloadBytes, width, height, sendEnd, fps);
    }

    // Inputs report their frame counts as they open; the total is known once all have.
    private final java.util.concurrent.atomic.AtomicLong expectedFrames = new java.util.concurrent.atomic.AtomicLong();

    private void addToMax(Progress progress, long frames) {
        if (frames < 0) {
            return;
        }
        progress.total(expectedFrames.addAndGet(frames));
    }

    private byte[] encode(RgbImage image) {
        switch (codec) {
            case JPEG:
                return ImageCodec.encodeJpeg(image, jpegQuality);
            case PNG:
                return ImageCodec.encodeRgbPng(image);
            case RAW_RGB24:
                return image.rgb();
            default:
                throw new IllegalStateException("unsupported codec " + codec);
        }
    }

    private void send(KafkaProducer<String, byte[]> producer, String streamId, long eventTimeMs, byte[] value,
            AtomicReference<Exception> sendFailure) {
        registerFrameSchemaOnce();
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, null, eventTimeMs, streamId, value);
        producer.send(record, (metadata, e) -> {
            if (e != null) {
                sendFailure.compareAndSet(null, new IOException("the broker rejected a frame of stream " + streamId
                        + " (" + value.length + " bytes): " + e, e));
            }
        });
    }

    private static void throwIfFailed(AtomicReference<Exception> failure) throws Exception {
        Exception e = failure.get();
        if (e != null) {
            throw e;
        }
    }

    /** Options of {@link Replay}; defaults are set in the constructor. */
    public static final class Builder {
        private String bootstrapServers;
        private String topic = KafkaDefaults.FRAMES_TOPIC;
        private String schemasTopic = KafkaDefaults.SCHEMAS_TOPIC;
        private final List<Input> inputs = new ArrayList<>();
        private Codec codec = Codec.JPEG;
        private float jpegQuality = 0.9f;
        private boolean realTime = true;
        private double speed = 1.0;
        private double folderFps = 24.0;
        private long maxFrames = -1;
        private boolean sendEnd = true;
        private boolean progressBar = true;
        private Long startTimeMs;
        private final Map<String, String> producerProperties = new LinkedHashMap<>();
        private final PromptSet.Builder prompts = PromptSet.builder();

        private Builder() {}

        /** Kafka {@code bootstrap.servers} (required). */
        public Builder bootstrapServers(String bootstrapServers) {
            this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            return this;
        }

        /** Topic to publish to (default {@value KafkaDefaults#FRAMES_TOPIC}). */
        /** The compacted topic the Frame schema is registered in before the first frame (default alphaflow.schemas). */
        public Builder schemasTopic(String schemasTopic) {
            this.schemasTopic = Objects.requireNonNull(schemasTopic, "schemasTopic");
            return this;
        }

        public Builder topic(String topic) {
            this.topic = Objects.requireNonNull(topic, "topic");
            return this;
        }

        /** Adds a video file or image folder; its stream id is its base name. */
        public Builder input(Path path) {
            Objects.requireNonNull(path, "path");
            return input(path, FrameSource.baseName(path));
        }

        /** Adds a video file or image folder replayed as the given stream. */
        public Builder input(Path path, String streamId) {
            inputs.add(new Input(path, streamId));
            return this;
        }

        /** Payload encoding (default JPEG); JPEG, PNG or RAW_RGB24. */
        public Builder codec(Codec codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /** JPEG quality in (0, 1] (default 0.9). */
        public Builder jpegQuality(float quality) {
            this.jpegQuality = quality;
            return this;
        }

        /** Pace frames at their presentation times (default true); false sends as fast as possible. */
        public Builder realTime(boolean realTime) {
            this.realTime = realTime;
            return this;
        }

        /** Playback speed for real-time pacing (default 1.0; 2.0 plays twice as fast). */
        public Builder speed(double speed) {
            this.speed = speed;
            return this;
        }

        /** Frame rate of image folders, and of videos that do not declare one (default 24). */
        public Builder folderFps(double fps) {
            this.folderFps = fps;
            return this;
        }

        /** Frames per stream at most; a non-positive value sends every frame (default). */
        public Builder maxFrames(long maxFrames) {
            this.maxFrames = maxFrames;
            return this;
        }

        /** Close each stream with an END control frame (default true). */
        public Builder sendEnd(boolean sendEnd) {
            this.sendEnd = sendEnd;
            return this;
        }

        /** Show a progress bar on stderr (default true). */
        public Builder progressBar(boolean progressBar) {
            this.progressBar = progressBar;
            return this;
        }

        /** Event time of every stream's first frame, epoch milliseconds (default: when {@code run()} starts). */
        public Builder startTimeMs(long startTimeMs) {
            this.startTimeMs = startTimeMs;
            return this;
        }

        /** Overrides one Kafka producer setting, e.g. {@code linger.ms} or security settings. */
        public Builder producerProperty(String key, String value) {
            producerProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Adds object prompts, sent in the {@code prompts} field of the frames they name (repeatable). A prompt that
         * names no stream needs a replay of exactly one input; one that names a stream needs an input of that id.
         * {@link #build} checks every prompt against its input before anything is sent: see there.
         */
        public Builder prompts(PromptSet prompts) {
            this.prompts.addAll(Objects.requireNonNull(prompts, "prompts"));
            return this;
        }

        /**
         * Checks the options and returns the replay.
         *
         * <p>With prompts, it also reads each prompted input up to its last prompted frame (so nothing is sent for an
         * input that cannot carry its prompts): a prompt whose frame is beyond the input (or beyond
         * {@link #maxFrames}), or whose mask is not the size of its frame, is refused.
         *
         * @throws IllegalArgumentException naming the option, or the prompt's file, to fix
         */
        public Replay build() {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("bootstrapServers is required, e.g. bootstrapServers(\"127.0.0.1:9092\")");
            }
            if (topic.isBlank()) {
                throw new IllegalArgumentException("topic must not be blank");
            }
            if (inputs.isEmpty()) {
                throw new IllegalArgumentException("no inputs: add a video file or image folder with input(Path)");
            }
            Set<String> ids = new HashSet<>();
            for (Input input : inputs) {
                if (!Files.exists(input.path())) {
                    throw new IllegalArgumentException("input " + input.path() + " does not exist");
                }
                if (input.streamId().isBlank()) {
                    throw new IllegalArgumentException("stream id of " + input.path() + " is blank");
                }
                if (!ids.add(input.streamId())) {
                    throw new IllegalArgumentException("two inputs have the stream id '" + input.streamId()
                            + "'; give distinct ids with input(path, streamId)");
                }
            }
            if (codec == Codec.UNKNOWN) {
                throw new IllegalArgumentException("codec must be JPEG, PNG or RAW_RGB24");
            }
            if (!(jpegQuality > 0 && jpegQuality <= 1)) {
                throw new IllegalArgumentException("jpegQuality must be in (0, 1]: " + jpegQuality);
            }
            if (!(speed > 0) || Double.isInfinite(speed)) {
                throw new IllegalArgumentException("speed must be positive and finite: " + speed
                        + "; use realTime(false) to send as fast as possible");
            }
            if (!(folderFps > 0) || Double.isInfinite(folderFps)) {
                throw new IllegalArgumentException("folderFps must be positive and finite: " + folderFps);
            }
            return new Replay(this, checkPrompts(prompts.build()));
        }

        private Map<String, Map<Long, List<ObjectPrompt>>> checkPrompts(PromptSet set) {
            if (set.isEmpty()) {
                return Map.of();
            }
            Set<String> ids = new HashSet<>();
            inputs.forEach(i -> ids.add(i.streamId()));
            for (PromptSet.Prompt p : set.prompts()) {
                if (p.streamId() == null && inputs.size() > 1) {
                    throw new IllegalArgumentException("prompt " + p + " names no stream, but there are "
                            + inputs.size() + " inputs " + ids + "; prefix it with the stream id, e.g. "
                            + inputs.get(0).streamId() + "@" + p.frame() + ":...");
                }
                if (p.streamId() != null && !ids.contains(p.streamId())) {
                    throw new IllegalArgumentException("prompt " + p + " is for stream '" + p.streamId()
                            + "', which is not one of the inputs " + ids);
                }
                if (maxFrames > 0 && p.frame() >= maxFrames) {
                    throw new IllegalArgumentException("prompt " + p + " is at frame " + p.frame()
                            + ", beyond the " + maxFrames + " frames sent (maxFrames)");
                }
            }
            Map<String, Map<Long, List<ObjectPrompt>>> byStream = new LinkedHashMap<>();
            for (Input input : inputs) {
                List<PromptSet.Prompt> mine = set.forStream(input.streamId(), inputs.size() == 1);
                if (mine.isEmpty()) {
                    continue;
                }
                checkAgainstInput(input, mine);
                Map<Long, List<ObjectPrompt>> byFrame = new TreeMap<>();
                for (PromptSet.Prompt p : mine) {
                    byFrame.computeIfAbsent(p.frame(), k -> new ArrayList<>()).add(p.toAvro());
                }
                byFrame.replaceAll((k, v) -> List.copyOf(v));
                byStream.put(input.streamId(), Map.copyOf(byFrame));
            }
            return Map.copyOf(byStream);
        }

        // Decodes the input up to its last prompted frame: sizes and frame counts of videos are only known so.
        private void checkAgainstInput(Input input, List<PromptSet.Prompt> mine) {
            long last = mine.stream().mapToLong(PromptSet.Prompt::frame).max().orElseThrow();
            Map<Long, List<PromptSet.Prompt>> byFrame = new TreeMap<>();
            mine.forEach(p -> byFrame.computeIfAbsent(p.frame(), k -> new ArrayList<>()).add(p));
            try (FrameSource source = FrameSource.open(input.path(), folderFps)) {
                for (long seq = 0; seq <= last; seq++) {
                    FrameSource.SourceFrame f = source.next();
                    if (f == null) {
                        long frames = seq;
                        PromptSet.Prompt beyond = mine.stream().filter(q -> q.frame() >= frames).findFirst()
                                .orElseThrow();
                        throw new IllegalArgumentException("prompt " + beyond + " is at frame " + beyond.frame()
                                + ", but " + input.path() + " has only " + frames + " frames (0.." + (frames - 1)
                                + ")");
                    }
                    for (PromptSet.Prompt p : byFrame.getOrDefault(seq, List.of())) {
                        if (p.action() == PromptAction.ADD && (p.width() != f.image().width()
                                || p.height() != f.image().height())) {
                            throw new IllegalArgumentException("prompt mask " + p.source() + " is " + p.width() + "x"
                                    + p.height() + " but frame " + seq + " of " + input.path() + " is "
                                    + f.image().width() + "x" + f.image().height());
                        }
                    }
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + input.path() + " to check its prompts: "
                        + e.getMessage(), e);
            }
        }
    }

    /** Daemon threads with a readable name, so a stuck replay is easy to spot in a thread dump. */
    static final class NamedThreads implements java.util.concurrent.ThreadFactory {
        private final String prefix;
        private final AtomicInteger next = new AtomicInteger();

        NamedThreads(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, prefix + "-" + next.getAndIncrement());
            t.setDaemon(true);
            return t;
        }
    }
}
