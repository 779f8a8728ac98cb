package dev.alphaflow.jobs.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.model.eval.ForegroundEvaluation;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.ImageDecodeException;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.schemas.Codec;
import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.Matte;
import dev.alphaflow.schemas.serde.AvroCodec;
import dev.alphaflow.schemas.serde.AvroDecodeException;

/**
 * Writes the mattes of a mattes topic to files, joined with their original frames from the frames topic.
 *
 * <p>For each stream, under {@code <outputDir>/<streamId>/}:
 * <ul>
 *   <li>{@code alpha/%06d.png}: the matte's 8-bit alpha PNG, byte for byte, named by seq;
 *   <li>{@code composite/%06d.png}: the original frame (decoded from the frames topic) composited over the
 *       {@link Background}, I = αF + (1 − α)B;
 *   <li>{@code composite.mp4}: the composites in seq order (H.264 when this FFmpeg build has an encoder, MPEG-4
 *       Part 2 otherwise).
 * </ul>
 * Both topics are read from the beginning with {@code isolation.level=read_committed}, so only mattes of committed
 * transactions are exported; a (stream, seq) seen twice is written once.
 *
 * <p>It stops when every stream is complete and both topics are read to their end: complete means
 * {@link Builder#mattesPerStream} mattes when that is set, otherwise that the stream's END frame was seen and every
 * frame before it has its matte. It also stops when nothing new arrived for {@link Builder#idleTimeout}, e.g. when
 * the job is not running, and then reports {@link ExportSummary#complete()} false.
 *
 * <pre>{@code
 * ExportSummary summary = Export.builder()
 *     .bootstrapServers("127.0.0.1:9092")
 *     .outputDir(Path.of("out"))
 *     .background(Background.parseColor("#00b140"))
 *     .build()
 *     .run();
 * }</pre>
 */
public final class Export {
    private static final Logger LOG = LoggerFactory.getLogger(Export.class);

    private static final Duration POLL = Duration.ofMillis(200);

    private final ExportSettings settings;
    private final String mattesTopic;
    private final Background background;
    private final boolean composite;
    private final boolean video;
    private final long mattesPerStream;
    private final boolean progressBar;
    private final long maxPendingFrameBytes;

    // Shorthands for the shared settings this class uses most.
    private final Path outputDir;
    private final String framesTopic;
    private final Set<String> streams;

    private Export(Builder b, ExportSettings settings) {
        this.settings = settings;
        this.mattesTopic = b.mattesTopic;
        this.background = b.background;
        this.composite = b.composite;
        this.video = settings.video() && b.composite;
        this.mattesPerStream = b.mattesPerStream;
        this.progressBar = b.progressBar;
        this.maxPendingFrameBytes = b.maxPendingFrameBytes;
        this.outputDir = settings.outputDir();
        this.framesTopic = settings.framesTopic();
        this.streams = settings.streams();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The consumer configuration the export uses (without deserializers). */
    public Properties consumerConfig() {
        Properties p = settings.consumerConfig("alphaflow-export");
        // Unlike the other exports, this one reads with one consumer throughout: start over, not at the end, should
        // its position be lost. A consumer property set to something else wins.
        p.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return p;
    }

    /**
     * Reads the topics and writes the files; see the class comment for when it returns.
     *
     * @throws IllegalStateException when a topic does not exist or a file cannot be written
     */
    public ExportSummary run() {
        long startNanos = System.nanoTime();
        try {
            Files.createDirectories(outputDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the output folder " + outputDir, e);
        }
        Run run = new Run();
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(consumerConfig(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
             Progress progress = progressBar ? newProgressBar() : null) {
            run.consume(consumer, progress);
        } catch (IOException e) {
            throw new UncheckedIOException("export to " + outputDir + " failed: " + e.getMessage(), e);
        }
        Map<String, ExportSummary.StreamExport> results = new LinkedHashMap<>();
        Map<String, StreamStats> stats = new LinkedHashMap<>();
        for (StreamState s : run.states.values()) {
            if (s.mattes.isEmpty()) {
                continue;
            }
            try {
                results.put(s.streamId, s.finish());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the video of stream " + s.streamId + ": " + e.getMessage(), e);
            }
            stats.put(s.streamId, s.stats.build());
        }
        Map<String, Long> deadLetters = settings.deadLettersByReason("alphaflow-export-dlq", run.undecodable);
        Map<String, TruthScore> truth = new TreeMap<>();
        for (ExportSummary.StreamExport s : results.values()) {
            Path folder = settings.truthFolder(s.streamId());
            if (folder != null) {
                truth.put(s.streamId(), TruthScore.of(ForegroundEvaluation.evaluate(folder,
                        seq -> foreground(s.directory().resolve("alpha").resolve(fileName(seq)))), folder));
            }
        }
        ExportSummary summary = new ExportSummary(outputDir, results, run.duplicates, run.complete,
                (System.nanoTime() - startNanos) / 1e9, stats, deadLetters, truth);
        LOG.info("{}", summary);
        return summary;
    }

    // A written alpha PNG as foreground (alpha >= 0.5, as the matting IoU figures elsewhere), or null when absent.
    private static boolean[] foreground(Path alphaPng) {
        if (!Files.isRegularFile(alphaPng)) {
            return null;
        }
        try {
            byte[] alpha = ImageCodec.decodeGray8Png(Files.readAllBytes(alphaPng));
            boolean[] mask = new boolean[alpha.length];
            for (int i = 0; i < alpha.length; i++) {
                mask[i] = (alpha[i] & 0xff) >= 128;
            }
            return mask;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + alphaPng, e);
        }
    }

    private Progress newProgressBar() {
        return Progress.start("export", "mattes", mattesPerStream > 0 && !streams.isEmpty() ? mattesPerStream * streams.size() : -1);
    }

    /** The mutable state of one {@link #run()}. */
    private final class Run {
        final AvroCodec<Matte> matteCodec = AvroCodec.of(Matte.class);
        final AvroCodec<Frame> frameCodec = AvroCodec.of(Frame.class);
        final Map<String, StreamState> states = new TreeMap<>();
        long duplicates;
        final TopicReader.Undecodable undecodable = new TopicReader.Undecodable();
        long pendingFrameBytes;
        boolean complete;
        boolean framesPaused;
        long lastProgressNanos = System.nanoTime();

        void consume(KafkaConsumer<byte[], byte[]> consumer, Progress progress) throws IOException {
            List<TopicPartition> matteParts = partitions(consumer, mattesTopic);
            List<TopicPartition> frameParts = composite ? partitions(consumer, framesTopic) : List.of();
            List<TopicPartition> all = new ArrayList<>(matteParts);
            all.addAll(frameParts);
            consumer.assign(all);
            consumer.seekToBeginning(all);
            // Which partitions must be read to their end before the export may stop: with END as the criterion a
            // stream may still be anywhere in either topic; with a matte count, only unnamed streams may still be
            // in the mattes topic.
            List<TopicPartition> mustReachEnd = mattesPerStream <= 0 ? all : streams.isEmpty() ? matteParts : List.of();
            LOG.info("Exporting {} (with frames from {}) to {}", mattesTopic, composite ? framesTopic : "nowhere",
                    outputDir);
            while (true) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    if (record.topic().equals(mattesTopic)) {
                        onMatte(record, progress);
                    } else {
                        onFrame(record);
                    }
                }
                if (composite) {
                    applyBackPressure(consumer, frameParts);
                }
                if (allComplete() && caughtUp(consumer, mustReachEnd)) {
                    complete = true;
                    return;
                }
                Duration idleTimeout = settings.idleTimeout();
                if (System.nanoTime() - lastProgressNanos > idleTimeout.toNanos()) {
                    if (states.isEmpty()) {
                        LOG.warn("Nothing in {} for {} s; stopping", mattesTopic, idleTimeout.toSeconds());
                    } else {
                        LOG.warn("Nothing new for {} s; stopping with incomplete streams: {}", idleTimeout.toSeconds(),
                                states.values().stream().filter(s -> !s.complete()).map(StreamState::describe)
                                        .collect(Collectors.joining("; ")));
                    }
                    return;
                }
            }
        }

        private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, String topic) {
            return TopicReader.partitions(consumer, topic, settings.bootstrapServers(),
                    topic.equals(framesTopic) ? "; to export alpha mattes only, disable composites" : "");
        }

        private void onMatte(ConsumerRecord<byte[], byte[]> record, Progress progress) throws IOException {
            Matte matte;
            try {
                matte = matteCodec.decode(record.value());
            } catch (AvroDecodeException e) {
                undecodable.skip(record, e);
                return;
            }
            String id = matte.getStreamId();
            if (!wanted(id) || !validSeq(record, matte.getSeq())) {
                return;
            }
            StreamState s = state(id);
            int seq = (int) matte.getSeq();
            if (s.mattes.get(seq)) {
                duplicates++;
                return;
            }
            byte[] alphaPng = bytes(matte.getAlphaPng());
            s.writeAlpha(seq, alphaPng);
            s.noteEventTime(seq, matte.getEventTimeMs());
            s.stats.add(seq, matte.getTimingsMicros(), matte.getStateReset(), matte.getResetReason());
            progress();
            if (progress != null) {
                progress.step();
            }
            if (!composite) {
                return;
            }
            PendingFrame frame = s.pendingFrames.remove(seq);
            PendingMatte pending = new PendingMatte(matte.getWidth(), matte.getHeight(), alphaPng);
            if (frame != null) {
                pendingFrameBytes -= frame.payload.length;
                s.writeComposite(seq, frame, pending);
            } else {
                s.pendingMattes.put(seq, pending);
            }
        }

        private void onFrame(ConsumerRecord<byte[], byte[]> record) throws IOException {
            Frame frame;
            try {
                frame = frameCodec.decode(record.value());
            } catch (AvroDecodeException e) {
                undecodable.skip(record, e);
                return;
            }
            String id = frame.getStreamId();
            if (!wanted(id) || !validSeq(record, frame.getSeq())) {
                return;
            }
            StreamState s = state(id);
            int seq = (int) frame.getSeq();
            byte[] payload = bytes(frame.getPayload());
            if (frame.getControl() == Control.END) {
                if (frame.getSeq() > s.endSeq) {
                    s.endSeq = frame.getSeq();
                    progress();
                }
                if (payload.length == 0) {
                    return;
                }
            }
            if (payload.length == 0) {
                return; // a RESET without pixels
            }
            if (s.frames.get(seq)) {
                duplicates++;
                return;
            }
            s.frames.set(seq);
            progress();
            PendingFrame pf = new PendingFrame(frame.getCodec(), frame.getWidth(), frame.getHeight(), payload);
            PendingMatte matte = s.pendingMattes.remove(seq);
            if (matte != null) {
                s.writeComposite(seq, pf, matte);
            } else if (!s.composited.get(seq)) {
                s.pendingFrames.put(seq, pf);
                pendingFrameBytes += payload.length;
            }
        }

        // Frames usually run ahead of their mattes; stop fetching them while too many wait in memory.
        private void applyBackPressure(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> frameParts) {
            if (!framesPaused && pendingFrameBytes > maxPendingFrameBytes) {
                consumer.pause(frameParts);
                framesPaused = true;
            } else if (framesPaused && pendingFrameBytes < maxPendingFrameBytes / 2) {
                consumer.resume(frameParts);
                framesPaused = false;
            }
        }

        private boolean allComplete() {
            if (states.isEmpty()) {
                return false;
            }
            for (String id : streams) {
                if (!states.containsKey(id)) {
                    return false;
                }
            }
            for (StreamState s : states.values()) {
                if (!s.complete()) {
                    return false;
                }
            }
            return true;
        }

        private boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer, Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return true;
            }
            // With read_committed these are the last stable offsets: the end of what this consumer can read. Asked
            // anew each time, as the export waits for the job to write more.
            return TopicReader.caughtUp(consumer, consumer.endOffsets(partitions, Duration.ofSeconds(10)));
        }

        private boolean wanted(String streamId) {
            return streams.isEmpty() || streams.contains(streamId);
        }

        private boolean validSeq(ConsumerRecord<?, ?> record, long seq) {
            if (seq < 0 || seq >= Integer.MAX_VALUE) {
                LOG.warn("Skipping {}-{}@{}: seq {} is out of range", record.topic(), record.partition(),
                        record.offset(), seq);
                return false;
            }
            return true;
        }

        private StreamState state(String id) {
            return states.computeIfAbsent(id, StreamState::new);
        }

        private void progress() {
            lastProgressNanos = System.nanoTime();
        }
    }

    /** A frame whose matte has not arrived yet, still encoded. */
    private record PendingFrame(Codec codec, int width, int height, byte[] payload) {}

    /** A matte (already written to alpha/) whose frame has not arrived yet. */
    private record PendingMatte(int width, int height, byte[] alphaPng) {}

    /** What has been seen and written of one stream. */
    private final class StreamState {
        final String streamId;
        final Path dir;
        final BitSet mattes = new BitSet();
        final BitSet frames = new BitSet();
        final BitSet composited = new BitSet();
        final Map<Integer, PendingFrame> pendingFrames = new HashMap<>();
        final Map<Integer, PendingMatte> pendingMattes = new HashMap<>();
        long endSeq = -1;
        int minSeq = Integer.MAX_VALUE;
        int maxSeq = -1;
        long minSeqEventMs;
        long maxSeqEventMs;
        long compositeFailures;
        final StreamStats.Collector stats = new StreamStats.Collector();

        StreamState(String streamId) {
            this.streamId = streamId;
            this.dir = outputDir.resolve(directoryName(streamId));
        }

        boolean complete() {
            if (mattesPerStream > 0) {
                return mattes.cardinality() >= mattesPerStream && (!composite || pendingMattes.isEmpty());
            }
            if (endSeq < 0 || frames.cardinality() < endSeq) {
                return false;
            }
            // Every frame seen has its matte (and its composite, once both are here).
            BitSet missing = (BitSet) frames.clone();
            missing.andNot(mattes);
            return missing.isEmpty() && (!composite || pendingMattes.isEmpty());
        }

        String describe() {
            return String.format("%s (%d mattes, %d frames%s, %d mattes waiting for their frame)", streamId,
                    mattes.cardinality(), frames.cardinality(), endSeq >= 0 ? ", END at " + endSeq : ", no END",
                    pendingMattes.size());
        }

        void writeAlpha(int seq, byte[] alphaPng) throws IOException {
            Path file = dir.resolve("alpha").resolve(fileName(seq));
            Files.createDirectories(file.getParent());
            Files.write(file, alphaPng);
            mattes.set(seq);
        }

        void noteEventTime(int seq, long eventTimeMs) {
            if (seq < minSeq) {
                minSeq = seq;
                minSeqEventMs = eventTimeMs;
            }
            if (seq > maxSeq) {
                maxSeq = seq;
                maxSeqEventMs = eventTimeMs;
            }
        }

        void writeComposite(int seq, PendingFrame frame, PendingMatte matte) throws IOException {
            RgbImage image;
            byte[] alpha;
            try {
                image = decode(frame);
                alpha = ImageCodec.decodeGray8Png(matte.alphaPng());
            } catch (ImageDecodeException | IllegalArgumentException e) {
                compositeFailed(seq, e.getMessage());
                return;
            }
            if (alpha.length != image.pixelCount()) {
                compositeFailed(seq, String.format("the matte is %dx%d, the frame %dx%d", matte.width(),
                        matte.height(), image.width(), image.height()));
                return;
            }
            RgbImage out = Compositor.composite(image, alpha, background.forSize(image.width(), image.height()));
            Path file = dir.resolve("composite").resolve(fileName(seq));
            Files.createDirectories(file.getParent());
            Files.write(file, ImageCodec.encodeRgbPng(out));
            composited.set(seq);
        }

        private void compositeFailed(int seq, String why) {
            if (compositeFailures++ < 5) {
                LOG.warn("No composite for {} seq {}: {}", streamId, seq, why);
            }
        }

        ExportSummary.StreamExport finish() throws IOException {
            if (!pendingMattes.isEmpty()) {
                LOG.warn("Stream {}: {} mattes have no frame in {}; they have no composite", streamId,
                        pendingMattes.size(), framesTopic);
            }
            double rate = settings.fps(estimateFps());
            Path videoFile = null;
            long videoFrames = 0;
            if (video && !composited.isEmpty()) {
                List<Path> images = composited.stream()
                        .mapToObj(seq -> dir.resolve("composite").resolve(fileName(seq)))
                        .collect(Collectors.toList());
                videoFile = dir.resolve("composite.mp4");
                videoFrames = CompositeVideo.write(images, videoFile, rate);
            }
            return new ExportSummary.StreamExport(streamId, dir, mattes.cardinality(), composited.cardinality(),
                    videoFile, videoFrames, rate, endSeq >= 0);
        }

        private double estimateFps() {
            return CompositeVideo.estimateFps(minSeq, minSeqEventMs, maxSeq, maxSeqEventMs);
        }
    }

    private static RgbImage decode(PendingFrame frame) {
        if (frame.codec() == Codec.RAW_RGB24) {
            return new RgbImage(frame.width(), frame.height(), frame.payload());
        }
        return ImageCodec.decode(frame.payload());
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return new byte[0];
        }
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    static String fileName(int seq) {
        return String.format("%06d.png", seq);
    }

    /** A folder name for a stream id: safe characters kept, others replaced, plus a hash when anything changed. */
    static String directoryName(String streamId) {
        String safe = streamId.replaceAll("[^A-Za-z0-9._-]", "_");
        if (safe.equals(streamId) && !safe.startsWith(".")) {
            return safe;
        }
        return (safe.startsWith(".") ? "_" + safe.substring(1) : safe) + "-" + Integer.toHexString(streamId.hashCode());
    }

    /** Options of {@link Export}; the shared ones are in {@link ExportSettings.Builder}, defaults are set here. */
    public static final class Builder extends ExportSettings.Builder<Builder> {
        private String mattesTopic = KafkaDefaults.MATTES_TOPIC;
        private Background background = Background.GREEN;
        private boolean composite = true;
        private long mattesPerStream = -1;
        private boolean progressBar = true;
        private long maxPendingFrameBytes = 256L * 1024 * 1024;

        private Builder() {}

        /** Topic with the mattes (default {@value KafkaDefaults#MATTES_TOPIC}). */
        public Builder mattesTopic(String topic) {
            this.mattesTopic = Objects.requireNonNull(topic, "topic");
            return this;
        }

        /** What to composite over (default {@link Background#GREEN}). */
        public Builder background(Background background) {
            this.background = Objects.requireNonNull(background, "background");
            return this;
        }

        /**
         * Write composites and {@code composite.mp4} (default true); false writes only alpha PNGs and skips the
         * frames topic.
         */
        public Builder composite(boolean composite) {
            this.composite = composite;
            return this;
        }

        /**
         * A stream is complete once this many of its mattes are written (instead of at its END frame). A
         * non-positive value (default) waits for END. With {@link #streams}, the export waits for each of them.
         */
        public Builder mattesPerStream(long mattes) {
            this.mattesPerStream = mattes;
            return this;
        }

        /** Show a progress bar on stderr (default true). */
        public Builder progressBar(boolean progressBar) {
            this.progressBar = progressBar;
            return this;
        }

        /** Encoded frames kept in memory while their mattes are missing before the frames topic is paused (256 MiB). */
        public Builder maxPendingFrameBytes(long bytes) {
            this.maxPendingFrameBytes = bytes;
            return this;
        }

        public Export build() {
            ExportSettings settings = settings();
            String framesTopic = framesTopic();
            if (mattesTopic.isBlank() || framesTopic.isBlank()) {
                throw new IllegalArgumentException("topic names must not be blank");
            }
            if (mattesTopic.equals(framesTopic)) {
                throw new IllegalArgumentException("mattes and frames must be different topics: " + mattesTopic);
            }
            Double fps = fps();
            if (fps != null && !(fps > 0 && fps <= 1000)) {
                throw new IllegalArgumentException("fps must be in (0, 1000]: " + fps);
            }
            if (maxPendingFrameBytes <= 0) {
                throw new IllegalArgumentException("maxPendingFrameBytes must be positive: " + maxPendingFrameBytes);
            }
            return new Export(this, settings);
        }
    }
}
