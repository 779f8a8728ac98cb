package dev.alphaflow.operators.state;

import java.io.IOException;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import dev.alphaflow.model.flow.LumaFrame;

/**
 * Flink serializer for the flow job's previous frame ({@link LumaFrame}: seq and 8-bit luma at the flow resolution),
 * meant for a {@code ValueState<LumaFrame>}. Stateless and thread-safe.
 *
 * <p>Format, version {@value #FORMAT_VERSION}:
 *
 * <pre>
 *   u8      format version
 *   varlong seq (never negative)
 *   varlong width, varlong height
 *   u8[width * height] luma, row-major
 * </pre>
 */
@Internal
public final class LumaFrameSerializer extends TypeSerializer<LumaFrame> {
    private static final long serialVersionUID = 1L;

    public static final int FORMAT_VERSION = 1;

    /** Largest side read back; a header past it is corrupt state, not a frame (the decoder allows 8192). */
    static final int MAX_SIDE = 1 << 15;

    public static final LumaFrameSerializer INSTANCE = new LumaFrameSerializer();

    private LumaFrameSerializer() {}

    @Override
    public boolean isImmutableType() {
        return true; // the frame's array is never written after it was made
    }

    @Override
    public TypeSerializer<LumaFrame> duplicate() {
        return this;
    }

    @Override
    public LumaFrame createInstance() {
        return new LumaFrame(0, 1, 1, new byte[1]);
    }

    @Override
    public LumaFrame copy(LumaFrame from) {
        return from;
    }

    @Override
    public LumaFrame copy(LumaFrame from, LumaFrame reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(LumaFrame record, DataOutputView target) throws IOException {
        if (record.seq() < 0) {
            throw new IOException("seq " + record.seq() + " is negative");
        }
        target.writeByte(FORMAT_VERSION);
        HalfTensorListSerializer.writeVarLong(target, record.seq());
        HalfTensorListSerializer.writeVarLong(target, record.width());
        HalfTensorListSerializer.writeVarLong(target, record.height());
        target.write(record.luma());
    }

    @Override
    public LumaFrame deserialize(DataInputView source) throws IOException {
        checkVersion(source.readUnsignedByte());
        long seq = HalfTensorListSerializer.readVarLong(source);
        int width = side(source);
        int height = side(source);
        byte[] luma = new byte[width * height];
        source.readFully(luma);
        return new LumaFrame(seq, width, height, luma);
    }

    @Override
    public LumaFrame deserialize(LumaFrame reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    private static int side(DataInputView source) throws IOException {
        long side = HalfTensorListSerializer.readVarLong(source);
        if (side < 1 || side > MAX_SIDE) {
            throw new IOException("corrupt luma frame state: side " + side + " outside 1.." + MAX_SIDE);
        }
        return (int) side;
    }

    private static void checkVersion(int version) throws IOException {
        if (version != FORMAT_VERSION) {
            throw new IOException("unknown luma frame format version " + version + " (this build reads version "
                    + FORMAT_VERSION + "); the state was written by a newer alphaflow, or the bytes are not one");
        }
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof LumaFrameSerializer;
    }

    @Override
    public int hashCode() {
        return LumaFrameSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<LumaFrame> snapshotConfiguration() {
        return new Snapshot();
    }

    private Object readResolve() {
        return INSTANCE;
    }

    /** Snapshot of the stateless serializer; the format version travels in every record. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<LumaFrame> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
