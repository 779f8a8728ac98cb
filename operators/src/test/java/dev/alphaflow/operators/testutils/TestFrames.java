package dev.alphaflow.operators.testutils;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32;

import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.operators.decode.DecodedFrame;
import dev.alphaflow.operators.decode.RawFrameRecord;
import dev.alphaflow.schemas.Codec;
import dev.alphaflow.schemas.Control;
import dev.alphaflow.schemas.Frame;
import dev.alphaflow.schemas.serde.AvroCodec;

/** Deterministic frames for tests: synthetic images, encoded records, and decoded frames. */
public final class TestFrames {
    public static final String TOPIC = "frames";

    private static final AvroCodec<Frame> CODEC = AvroCodec.of(Frame.class);

    private TestFrames() {}

    /**
     * A smooth synthetic image that changes with {@code t}: a bright disc on a gradient, moving with time, so that
     * frames of one stream differ and a recurrent model's memory matters.
     */
    public static RgbImage image(int width, int height, int t) {
        byte[] rgb = new byte[width * height * 3];
        double cx = width * (0.3 + 0.05 * (t % 8));
        double cy = height * 0.5;
        double r = Math.min(width, height) * 0.3;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = (y * width + x) * 3;
                boolean inside = (x - cx) * (x - cx) + (y - cy) * (y - cy) < r * r;
                rgb[i] = (byte) (inside ? 230 : (x * 255 / width));
                rgb[i + 1] = (byte) (inside ? 190 - 3 * t : (y * 255 / height));
                rgb[i + 2] = (byte) (inside ? 160 : 40 + 5 * t);
            }
        }
        return new RgbImage(width, height, rgb);
    }

    public static Frame.Builder frame(String streamId, long seq, Codec codec, int width, int height, byte[] payload) {
        return Frame.newBuilder()
                .setStreamId(streamId)
                .setSeq(seq)
                .setEventTimeMs(1_700_000_000_000L + seq * 40)
                .setCodec(codec)
                .setWidth(width)
                .setHeight(height)
                .setPayload(ByteBuffer.wrap(payload))
                .setControl(Control.NONE)
                .setPrompts(List.of())
                .setMetadata(null);
    }

    public static Frame pngFrame(String streamId, long seq, RgbImage image) {
        return frame(streamId, seq, Codec.PNG, image.width(), image.height(), ImageCodec.encodeRgbPng(image)).build();
    }

    public static Frame jpegFrame(String streamId, long seq, RgbImage image) {
        return frame(streamId, seq, Codec.JPEG, image.width(), image.height(), ImageCodec.encodeJpeg(image, 0.9f)).build();
    }

    public static Frame rawFrame(String streamId, long seq, RgbImage image) {
        return frame(streamId, seq, Codec.RAW_RGB24, image.width(), image.height(), image.rgb().clone()).build();
    }

    public static Frame control(String streamId, long seq, Control control) {
        return frame(streamId, seq, Codec.UNKNOWN, 0, 0, new byte[0]).setControl(control).build();
    }

    public static byte[] encode(Frame frame) {
        return CODEC.encode(frame);
    }

    /** The Kafka record a source would emit for {@code frame} at {@code offset}. */
    public static RawFrameRecord record(Frame frame, long offset) {
        return record(encode(frame), offset);
    }

    public static RawFrameRecord record(byte[] value, long offset) {
        return new RawFrameRecord(TOPIC, 3, offset, 1_700_000_000_000L + offset, null, value);
    }

    /**
     * A valid PNG whose IHDR claims {@code width x height}, with a correct CRC, so that only the size is wrong: made
     * by patching a tiny real PNG.
     */
    public static byte[] pngClaiming(int width, int height) {
        byte[] png = ImageCodec.encodeRgbPng(image(16, 16, 0)).clone();
        // signature (8) | length (4) | "IHDR" (4) | width (4) | height (4) | 5 more bytes | CRC over type+data
        int type = 12;
        putInt(png, 16, width);
        putInt(png, 20, height);
        CRC32 crc = new CRC32();
        crc.update(png, type, 4 + 13);
        putInt(png, type + 4 + 13, (int) crc.getValue());
        return png;
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    /** A decoded frame with pixels, as FrameDecoder would emit it (for sequencer and matting tests). */
    public static DecodedFrame decoded(String streamId, long seq, int width, int height) {
        return decoded(streamId, seq, image(width, height, (int) seq));
    }

    public static DecodedFrame decoded(String streamId, long seq, RgbImage image) {
        DecodedFrame f = new DecodedFrame();
        f.streamId = streamId;
        f.seq = seq;
        f.eventTimeMs = 1_700_000_000_000L + seq * 40;
        f.kafkaTimestampMs = f.eventTimeMs + 5;
        f.width = image.width();
        f.height = image.height();
        f.rgb = image.rgb();
        f.control = Control.NONE;
        f.sourceTopic = TOPIC;
        f.sourcePartition = 0;
        f.sourceOffset = seq;
        f.decodeMicros = 100;
        return f;
    }

    /** A decoded frame with pixels and a control flag (RESET or END with pixels). */
    public static DecodedFrame decoded(String streamId, long seq, int width, int height, Control control) {
        DecodedFrame f = decoded(streamId, seq, width, height);
        f.control = control;
        return f;
    }

    /** A control-only decoded frame (no pixels). */
    public static DecodedFrame controlOnly(String streamId, long seq, Control control) {
        DecodedFrame f = new DecodedFrame();
        f.streamId = streamId;
        f.seq = seq;
        f.control = control;
        f.sourceTopic = TOPIC;
        return f;
    }
}
