package dev.alphaflow.jobs;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

import dev.alphaflow.operators.decode.DecodeLimits;
import dev.alphaflow.operators.decode.DecodedFrame;
import dev.alphaflow.operators.decode.FrameDecoder;
import dev.alphaflow.operators.decode.RawFrameRecord;
import dev.alphaflow.operators.sequencer.FrameSequencer;
import dev.alphaflow.operators.sequencer.SequencedFrame;
import dev.alphaflow.operators.sequencer.SequencerOptions;

/**
 * The front the jobs share: raw frame records are decoded and validated (rejects go to the
 * {@link FrameDecoder#DEAD_LETTERS} side output of the returned operator), then, for the jobs with per-stream
 * state, keyed by stream id and put in order by the sequencer. Operator names and uids are the same in every job.
 */
public final class FrameIngest {
    private FrameIngest() {}

    /** Decode and validate; the side output {@link FrameDecoder#DEAD_LETTERS} holds the rejected records. */
    public static SingleOutputStreamOperator<DecodedFrame> decode(DataStream<RawFrameRecord> rawFrames,
            DecodeLimits limits) {
        return rawFrames
                .process(new FrameDecoder(limits))
                .name("decode and validate").uid("decode")
                // each decoded frame goes to the keyed operators as soon as it is written (see the constant)
                .setBufferTimeout(FrameDecoder.OUTPUT_BUFFER_TIMEOUT_MS);
    }

    /**
     * keyBy(stream id) → sequencer (duplicates, gaps, resets, END, idle streams). The result is keyed the same way,
     * so the stateful operator after it shares the sequencer's partitioning instead of shuffling again.
     */
    public static KeyedStream<SequencedFrame, String> sequence(DataStream<DecodedFrame> decoded,
            SequencerOptions options) {
        SingleOutputStreamOperator<SequencedFrame> sequenced = decoded
                .keyBy(DecodedFrame.byStreamId(), Types.STRING)
                .process(new FrameSequencer(options))
                .name("sequencer").uid("sequencer");
        return DataStreamUtils.reinterpretAsKeyedStream(sequenced, SequencedFrame.byStreamId(), Types.STRING);
    }
}
