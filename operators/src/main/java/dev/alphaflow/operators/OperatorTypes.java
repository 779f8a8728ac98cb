package dev.alphaflow.operators;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

import dev.alphaflow.model.rvm.RecurrentState;
import dev.alphaflow.operators.decode.DecodedFrame;
import dev.alphaflow.operators.decode.RawFrameRecord;
import dev.alphaflow.operators.matting.MattedFrame;
import dev.alphaflow.operators.sequencer.SequencedFrame;
import dev.alphaflow.operators.state.RecurrentStateTypeInfo;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.Matte;

/**
 * Type information for every type that flows between alphaflow's operators or sits in their state; none of them
 * falls back to Kryo. Pass these to {@code returns(...)} and to sources/sinks.
 */
public final class OperatorTypes {
    private OperatorTypes() {}

    public static final TypeInformation<RawFrameRecord> RAW_FRAME_RECORD = TypeInformation.of(RawFrameRecord.class);
    public static final TypeInformation<DecodedFrame> DECODED_FRAME = TypeInformation.of(DecodedFrame.class);
    public static final TypeInformation<SequencedFrame> SEQUENCED_FRAME = TypeInformation.of(SequencedFrame.class);
    public static final TypeInformation<MattedFrame> MATTED_FRAME = TypeInformation.of(MattedFrame.class);
    public static final TypeInformation<Matte> MATTE = new AvroTypeInfo<>(Matte.class);
    public static final TypeInformation<DeadLetter> DEAD_LETTER = new AvroTypeInfo<>(DeadLetter.class);
    public static final TypeInformation<RecurrentState> RECURRENT_STATE = RecurrentStateTypeInfo.INSTANCE;
}
