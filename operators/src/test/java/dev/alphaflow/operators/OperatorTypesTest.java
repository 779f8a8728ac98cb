package dev.alphaflow.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.junit.jupiter.api.Test;

import dev.alphaflow.operators.decode.DecodedFrame;
import dev.alphaflow.operators.decode.FrameDecoder;
import dev.alphaflow.operators.decode.RawFrameRecord;
import dev.alphaflow.operators.sequencer.EndReason;
import dev.alphaflow.operators.sequencer.ResetReason;
import dev.alphaflow.operators.sequencer.SequencedFrame;
import dev.alphaflow.operators.sequencer.SequencerState;
import dev.alphaflow.operators.testutils.TestFrames;
import dev.alphaflow.schemas.Control;

/** Nothing that flows between operators or sits in state falls back to Kryo. */
class OperatorTypesTest {

    /** A config that refuses generic types: creating a serializer for anything that needs Kryo throws. */
    private static SerializerConfigImpl noKryo() {
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        return config;
    }

    private static <T> T roundTrip(TypeInformation<T> type, T value) throws IOException {
        TypeSerializer<T> serializer = type.createSerializer(noKryo());
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(value, out);
        return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    @Test
    void recordsArePojos() {
        assertThat(OperatorTypes.RAW_FRAME_RECORD).isInstanceOf(PojoTypeInfo.class);
        assertThat(OperatorTypes.DECODED_FRAME).isInstanceOf(PojoTypeInfo.class);
        assertThat(OperatorTypes.SEQUENCED_FRAME).isInstanceOf(PojoTypeInfo.class);
        assertThat(OperatorTypes.MATTED_FRAME).isInstanceOf(PojoTypeInfo.class);
        assertThat(TypeInformation.of(SequencerState.class)).isInstanceOf(PojoTypeInfo.class);
        PojoTypeInfo<SequencedFrame> sequenced = (PojoTypeInfo<SequencedFrame>) OperatorTypes.SEQUENCED_FRAME;
        for (int i = 0; i < sequenced.getArity(); i++) {
            assertThat(sequenced.getPojoFieldAt(i).getTypeInformation())
                    .as(sequenced.getPojoFieldAt(i).getField().getName())
                    .isNotInstanceOf(GenericTypeInfo.class);
        }
    }

    @Test
    void avroRecordsUseAvroTypeInfo() {
        assertThat(OperatorTypes.MATTE).isInstanceOf(AvroTypeInfo.class);
        assertThat(OperatorTypes.DEAD_LETTER).isInstanceOf(AvroTypeInfo.class);
        assertThat(FrameDecoder.DEAD_LETTERS.getTypeInfo()).isInstanceOf(AvroTypeInfo.class);
        assertThat(OperatorTypes.RECURRENT_STATE).isNotInstanceOf(GenericTypeInfo.class);
    }

    @Test
    void everyTypeSerializesWithoutKryo() throws IOException {
        RawFrameRecord raw = TestFrames.record(TestFrames.control("s", 1, Control.END), 9);
        assertThat(roundTrip(OperatorTypes.RAW_FRAME_RECORD, raw)).isEqualTo(raw);

        DecodedFrame frame = TestFrames.decoded("s", 3, 16, 16);
        assertThat(roundTrip(OperatorTypes.DECODED_FRAME, frame)).isEqualTo(frame);

        SequencedFrame sequenced = SequencedFrame.frame(frame, ResetReason.GAP);
        assertThat(roundTrip(OperatorTypes.SEQUENCED_FRAME, sequenced)).isEqualTo(sequenced);
        SequencedFrame end = SequencedFrame.end("s", EndReason.IDLE_TIMEOUT);
        assertThat(roundTrip(OperatorTypes.SEQUENCED_FRAME, end)).isEqualTo(end);

        DecodedFrame control = TestFrames.controlOnly("s", 4, Control.RESET);
        assertThat(roundTrip(OperatorTypes.DECODED_FRAME, control)).isEqualTo(control);
    }
}
