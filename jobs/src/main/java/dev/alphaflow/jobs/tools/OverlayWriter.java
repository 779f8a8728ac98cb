package dev.alphaflow.jobs.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToLongFunction;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.ImageDecodeException;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.schemas.Codec;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.serde.AvroCodec;

/**
 * The overlays of {@link SegmentExport} and {@link InstancesExport}, written once their records (of type {@code T},
 * by stream and seq) are read: reads the frames topic to its end and, for each frame that has a record, writes
 * {@code <stream>/overlay/%06d.png}, the frame with the record's layers drawn on it; then {@code overlay.mp4} of a
 * stream's overlays in seq order. A frame read again is drawn once.
 */
final class OverlayWriter<T> {
    private static final Logger LOG = LoggerFactory.getLogger(OverlayWriter.class);

    /** A video written: its file and how many frames it has. */
    record Video(Path file, long frames) {}

    private final ExportSettings settings;
    private final Map<String, ? extends SortedMap<Long, T>> records;
    private final Function<T, List<Overlay.Layer>> layers;
    private final ToLongFunction<T> eventTimeMs;
    private final Map<String, Long> overlays = new TreeMap<>();

    /**
     * @param records     the records to draw, by stream id and seq
     * @param layers      what to draw of a record
     * @param eventTimeMs a record's event time, to estimate the video's frame rate
     */
    OverlayWriter(ExportSettings settings, Map<String, ? extends SortedMap<Long, T>> records,
            Function<T, List<Overlay.Layer>> layers, ToLongFunction<T> eventTimeMs) {
        this.settings = settings;
        this.records = records;
        this.layers = layers;
        this.eventTimeMs = eventTimeMs;
    }

    /**
     * Reads the frames topic and writes the overlay PNGs.
     *
     * @return true when the frames topic was read to its end, false when it stopped on the idle timeout
     */
    boolean writeOverlays(String clientId, TopicReader.Undecodable undecodable) {
        Map<String, Set<Long>> done = new TreeMap<>();
        return TopicReader.readToEnd(settings.consumerConfig(clientId), settings.framesTopic(),
                settings.idleTimeout(), AvroCodec.of(Frame.class), undecodable, f -> {
                    SortedMap<Long, T> mine = records.get(f.getStreamId());
                    T record = mine == null ? null : mine.get(f.getSeq());
                    // No record, no pixels (an END or RESET frame), or drawn already.
                    if (record == null || !f.getPayload().hasRemaining()
                            || !done.computeIfAbsent(f.getStreamId(), k -> new HashSet<>()).add(f.getSeq())) {
                        return;
                    }
                    RgbImage drawn;
                    try {
                        drawn = Overlay.draw(decode(f), layers.apply(record));
                    } catch (ImageDecodeException | IllegalArgumentException e) {
                        LOG.warn("No overlay for {} seq {}: {}", f.getStreamId(), f.getSeq(), e.getMessage());
                        return;
                    }
                    Path file = overlayFile(f.getStreamId(), f.getSeq());
                    try {
                        Files.createDirectories(file.getParent());
                        Files.write(file, ImageCodec.encodeRgbPng(drawn));
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot write " + file, e);
                    }
                    overlays.merge(f.getStreamId(), 1L, Long::sum);
                });
    }

    /** The overlay PNGs written per stream id (streams without any are absent). */
    Map<String, Long> overlays() {
        return overlays;
    }

    long overlays(String streamId) {
        return overlays.getOrDefault(streamId, 0L);
    }

    /**
     * Writes {@code <stream>/overlay.mp4} of the overlay PNGs there are for the stream's records, in seq order, at
     * the frame rate set or else the one of the records' event times.
     *
     * @return the video, or null when the stream has no overlay PNG
     */
    Video writeVideo(String streamId) {
        SortedMap<Long, T> frames = records.get(streamId);
        List<Path> pngs = new ArrayList<>();
        for (Long seq : frames.keySet()) {
            Path png = overlayFile(streamId, seq);
            if (Files.exists(png)) {
                pngs.add(png);
            }
        }
        if (pngs.isEmpty()) {
            return null;
        }
        double fps = settings.fps(CompositeVideo.estimateFps(frames.firstKey(),
                eventTimeMs.applyAsLong(frames.get(frames.firstKey())), frames.lastKey(),
                eventTimeMs.applyAsLong(frames.get(frames.lastKey()))));
        Path out = settings.streamDir(streamId).resolve("overlay.mp4");
        try {
            return new Video(out, CompositeVideo.write(pngs, out, fps));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }

    private Path overlayFile(String streamId, long seq) {
        return settings.streamDir(streamId).resolve("overlay").resolve(Export.fileName((int) seq));
    }

    /** The frame's pixels. */
    static RgbImage decode(Frame f) {
        ByteBuffer b = f.getPayload().duplicate();
        byte[] payload = new byte[b.remaining()];
        b.get(payload);
        if (f.getCodec() == Codec.RAW_RGB24) {
            return new RgbImage(f.getWidth(), f.getHeight(), payload);
        }
        return ImageCodec.decode(payload);
    }
}
