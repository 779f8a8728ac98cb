package dev.alphaflow.operators.state;

import java.io.IOException;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import dev.alphaflow.model.vos.FrameMemory;

/**
 * Flink serializer for a stream's VOS {@link FrameMemory} (the previous frame's fp16 tensors), meant for a
 * {@code ValueState<FrameMemory>} beside the per-object banks. Stateless and thread-safe.
 *
 * <p>Format, version {@value #FORMAT_VERSION}:
 *
 * <pre>
 *   u8      format version
 *   varlong frame index (zig-zag free: frame indices are never negative)
 *   tensors in the {@link HalfTensorListSerializer} format
 * </pre>
 */
@Internal
public final class FrameMemorySerializer extends TypeSerializer<FrameMemory> {
    private static final long serialVersionUID = 1L;

    public static final int FORMAT_VERSION = 1;

    public static final FrameMemorySerializer INSTANCE = new FrameMemorySerializer();

    private FrameMemorySerializer() {}

    @Override
    public boolean isImmutableType() {
        return true; // a record of an immutable list of immutable tensors
    }

    @Override
    public TypeSerializer<FrameMemory> duplicate() {
        return this;
    }

    @Override
    public FrameMemory createInstance() {
        return new FrameMemory(0, java.util.List.of());
    }

    @Override
    public FrameMemory copy(FrameMemory from) {
        return from;
    }

    @Override
    public FrameMemory copy(FrameMemory from, FrameMemory reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(FrameMemory record, DataOutputView target) throws IOException {
        if (record.frameIndex() < 0) {
            throw new IOException("frame index " + record.frameIndex() + " is negative");
        }
        target.writeByte(FORMAT_VERSION);
        HalfTensorListSerializer.writeVarLong(target, record.frameIndex());
        HalfTensorListSerializer.writeTensors(record.tensors(), target);
    }

    @Override
    public FrameMemory deserialize(DataInputView source) throws IOException {
        checkVersion(source.readUnsignedByte());
        long frameIndex = HalfTensorListSerializer.readVarLong(source);
        return new FrameMemory(frameIndex, HalfTensorListSerializer.readTensors(source));
    }

    @Override
    public FrameMemory deserialize(FrameMemory reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        int version = source.readUnsignedByte();
        checkVersion(version);
        target.writeByte(version);
        HalfTensorListSerializer.writeVarLong(target, HalfTensorListSerializer.readVarLong(source));
        HalfTensorListSerializer.copyTensors(source, target);
    }

    private static void checkVersion(int version) throws IOException {
        if (version != FORMAT_VERSION) {
            throw new IOException("unknown frame memory format version " + version + " (this build reads version "
                    + FORMAT_VERSION + "); the state was written by a newer alphaflow, or the bytes are not one");
        }
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof FrameMemorySerializer;
    }

    @Override
    public int hashCode() {
        return FrameMemorySerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<FrameMemory> snapshotConfiguration() {
        return new Snapshot();
    }

    private Object readResolve() {
        return INSTANCE;
    }

    /** Snapshot of the stateless serializer; the format version travels in every record. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<FrameMemory> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
