package dev.alphaflow.operators.state;

import java.io.IOException;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import dev.alphaflow.model.rvm.RecurrentState;

/**
 * Flink serializer for RVM's {@link RecurrentState}: r1..r4 in the {@link HalfTensorListSerializer} format, so a
 * state costs its fp16 bytes plus a few dozen bytes of shapes. Stateless and thread-safe.
 */
@Internal
public final class RecurrentStateSerializer extends TypeSerializer<RecurrentState> {
    private static final long serialVersionUID = 1L;

    public static final RecurrentStateSerializer INSTANCE = new RecurrentStateSerializer();

    private RecurrentStateSerializer() {}

    @Override
    public boolean isImmutableType() {
        return true; // RecurrentState and its tensors are immutable
    }

    @Override
    public TypeSerializer<RecurrentState> duplicate() {
        return this;
    }

    @Override
    public RecurrentState createInstance() {
        return RecurrentState.initial();
    }

    @Override
    public RecurrentState copy(RecurrentState from) {
        return from;
    }

    @Override
    public RecurrentState copy(RecurrentState from, RecurrentState reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(RecurrentState record, DataOutputView target) throws IOException {
        HalfTensorListSerializer.writeTensors(record.tensors(), target);
    }

    @Override
    public RecurrentState deserialize(DataInputView source) throws IOException {
        var tensors = HalfTensorListSerializer.readTensors(source);
        try {
            return RecurrentState.of(tensors);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt RVM recurrent state: " + e.getMessage(), e);
        }
    }

    @Override
    public RecurrentState deserialize(RecurrentState reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        HalfTensorListSerializer.copyTensors(source, target);
    }

    /** Bytes that {@link #serialize} writes for {@code state}. */
    public static long serializedSize(RecurrentState state) {
        return HalfTensorListSerializer.serializedSize(state.tensors());
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof RecurrentStateSerializer;
    }

    @Override
    public int hashCode() {
        return RecurrentStateSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<RecurrentState> snapshotConfiguration() {
        return new RecurrentStateSerializerSnapshot();
    }

    private Object readResolve() {
        return INSTANCE;
    }
}
