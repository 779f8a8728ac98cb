package dev.alphaflow.jobs;

import java.util.List;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

import dev.alphaflow.operators.decode.DecodeLimits;
import dev.alphaflow.operators.decode.DecodedFrame;
import dev.alphaflow.operators.decode.FrameDecoder;
import dev.alphaflow.operators.decode.FrameDecoder.PixelDecoding;
import dev.alphaflow.operators.decode.PixelDecoder;
import dev.alphaflow.operators.decode.RawFrameRecord;
import dev.alphaflow.operators.sequencer.FrameSequencer;
import dev.alphaflow.operators.sequencer.SequencedFrame;
import dev.alphaflow.operators.sequencer.SequencerOptions;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.serde.KafkaSchemaStore;

/**
 * The front the jobs share: raw frame records are validated and decoded (rejects become dead letters), then, for the
 * jobs with per-stream state, keyed by stream id and put in order by the sequencer. Operator names and uids are the
 * same in every job.
 */
public final class FrameIngest {
    private FrameIngest() {}

    /**
     * Checks the decode limits ({@code alphaflow.decode.*}) and sequencer settings ({@code alphaflow.sequencer.*})
     * before anything starts, naming the option.
     */
    public static void checkOptions(ReadableConfig conf) {
        for (ConfigOption<Integer> side : List.of(DecodeLimits.MAX_WIDTH, DecodeLimits.MAX_HEIGHT)) {
            InvalidOptionException.check(conf.get(side) > 0, side, "must be positive, got %d", conf.get(side));
        }
        for (ConfigOption<MemorySize> size : List.of(DecodeLimits.MAX_PAYLOAD, DecodeLimits.MAX_DEAD_LETTER_PAYLOAD)) {
            InvalidOptionException.check(conf.get(size).getBytes() <= Integer.MAX_VALUE, size,
                    "must be below 2 GiB, got %s", conf.get(size).toHumanReadableString());
        }
        InvalidOptionException.check(conf.get(DecodeLimits.MAX_PAYLOAD).getBytes() > 0, DecodeLimits.MAX_PAYLOAD,
                "must be positive");
        int gap = conf.get(SequencerOptions.MAX_GAP_FRAMES);
        InvalidOptionException.check(gap >= 1, SequencerOptions.MAX_GAP_FRAMES, "must be at least 1, got %d", gap);
    }

    /** Frames with their pixels and the records rejected on the way. */
    public record Decoded(DataStream<DecodedFrame> frames, DataStream<DeadLetter> deadLetters) {}

    /** Frames in order per stream, keyed by stream id, with their pixels, and the records rejected on the way. */
    public record Sequenced(KeyedStream<SequencedFrame, String> frames, DataStream<DeadLetter> deadLetters) {}

    /**
     * Validate and decode in one step, for the jobs without a keyBy (chained to the source).
     *
     * @param writerSchemas where unknown writer schemas are looked up ({@link CommonOptions#schemaStore}); null: only
     *     the Frame schemas of this build are readable
     */
    public static Decoded decode(DataStream<RawFrameRecord> rawFrames, DecodeLimits limits,
            KafkaSchemaStore.Settings writerSchemas) {
        SingleOutputStreamOperator<DecodedFrame> decoded = rawFrames
                .process(new FrameDecoder(limits, PixelDecoding.HERE, writerSchemas))
                .name("decode").uid("decode");
        return new Decoded(decoded, decoded.getSideOutput(FrameDecoder.DEAD_LETTERS));
    }

    /**
     * validate → keyBy(stream id) → decode pixels → sequencer (duplicates, gaps, resets, END, idle streams).
     *
     * <p>Pixels are decoded after the keyBy, in the keyed task: the shuffle carries the compressed image instead of
     * 1.2 MB of RGB per 854×480 frame, and the decode runs in the thread that runs the model next, one after the
     * other as in a plain loop, instead of on another thread that takes a core from ONNX Runtime's threads in the
     * middle of an inference (BENCHMARKS.md). A frame whose pixels do not decode is dead-lettered before the
     * sequencer, as before. The result is keyed the same way, so the stateful operator after it shares the
     * partitioning instead of shuffling again. {@code writerSchemas} as in {@link #decode}.
     */
    public static Sequenced sequence(DataStream<RawFrameRecord> rawFrames, DecodeLimits limits,
            KafkaSchemaStore.Settings writerSchemas, SequencerOptions options) {
        SingleOutputStreamOperator<DecodedFrame> validated = rawFrames
                .process(new FrameDecoder(limits, PixelDecoding.AFTER_KEY_BY, writerSchemas))
                .name("validate").uid("decode")
                // each frame goes to the keyed operators as soon as it is written (see the constant)
                .setBufferTimeout(FrameDecoder.OUTPUT_BUFFER_TIMEOUT_MS);
        SingleOutputStreamOperator<DecodedFrame> decoded = validated
                .keyBy(DecodedFrame.byStreamId(), Types.STRING)
                .process(new PixelDecoder(limits, writerSchemas))
                .name("decode pixels").uid("decode-pixels");
        SingleOutputStreamOperator<SequencedFrame> sequenced = DataStreamUtils
                .reinterpretAsKeyedStream(decoded, DecodedFrame.byStreamId(), Types.STRING)
                .process(new FrameSequencer(options))
                .name("sequencer").uid("sequencer");
        return new Sequenced(
                DataStreamUtils.reinterpretAsKeyedStream(sequenced, SequencedFrame.byStreamId(), Types.STRING),
                validated.getSideOutput(FrameDecoder.DEAD_LETTERS)
                        .union(decoded.getSideOutput(FrameDecoder.DEAD_LETTERS)));
    }
}
