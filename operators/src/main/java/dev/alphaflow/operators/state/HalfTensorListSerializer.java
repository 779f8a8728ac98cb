package dev.alphaflow.operators.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import dev.alphaflow.model.tensor.HalfTensor;

/**
 * Serializes a list of fp16 tensors compactly; the core that every tensor-valued state type (RVM's recurrent state,
 * feature banks) builds on, so they share one format.
 *
 * <p>Format, version {@value #FORMAT_VERSION}:
 *
 * <pre>
 *   u8      format version
 *   varint  tensor count
 *   per tensor:
 *     u8      rank
 *     varint  each dimension
 *     bytes   the fp16 values, 2 bytes each, little-endian, row-major
 * </pre>
 *
 * <p>So a tensor costs its fp16 bytes plus a few bytes of header. Values are converted in bulk through a chunk
 * buffer, never one {@code writeShort} per element. No Kryo and no Java serialization.
 */
@Internal
public final class HalfTensorListSerializer extends TypeSerializer<List<HalfTensor>> {
    private static final long serialVersionUID = 1L;

    /** Version of the per-record format, written as each record's first byte. */
    public static final int FORMAT_VERSION = 1;

    /**
     * Whether {@link #readTensors} reads records of format {@code version}. Only the current one today; a later format
     * adds its predecessors here when it brings a reader for them, and only then may a serializer snapshot claim a
     * migration from them.
     */
    public static boolean canRead(int version) {
        return version == FORMAT_VERSION;
    }

    /** Highest rank accepted when reading; guards against reading garbage as a huge header. */
    static final int MAX_RANK = 16;

    private static final int CHUNK_BYTES = 64 * 1024;

    public static final HalfTensorListSerializer INSTANCE = new HalfTensorListSerializer();

    private HalfTensorListSerializer() {}

    // ---- the format, shared by the state serializers ----

    /** Writes {@code tensors} in the format above. */
    public static void writeTensors(List<HalfTensor> tensors, DataOutputView out) throws IOException {
        out.writeByte(FORMAT_VERSION);
        writeVarLong(out, tensors.size());
        byte[] chunk = null;
        for (HalfTensor tensor : tensors) {
            long[] shape = tensor.shape();
            out.writeByte(shape.length);
            for (long dim : shape) {
                writeVarLong(out, dim);
            }
            ShortBuffer bits = tensor.bits();
            if (bits.remaining() > 0 && chunk == null) {
                chunk = new byte[Math.min(CHUNK_BYTES, maxTensorBytes(tensors))];
            }
            ByteBuffer chunkBuffer = chunk == null ? null : ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
            while (bits.hasRemaining()) {
                int n = Math.min(bits.remaining(), chunk.length / 2);
                ShortBuffer slice = bits.slice().limit(n);
                chunkBuffer.clear();
                chunkBuffer.asShortBuffer().put(slice);
                out.write(chunk, 0, n * 2);
                bits.position(bits.position() + n);
            }
        }
    }

    /** Reads tensors written by {@link #writeTensors}; the list is unmodifiable. */
    public static List<HalfTensor> readTensors(DataInputView in) throws IOException {
        checkVersion(in.readUnsignedByte());
        int count = readCount(in);
        List<HalfTensor> tensors = new ArrayList<>(Math.min(count, 64));
        byte[] chunk = null;
        for (int t = 0; t < count; t++) {
            long[] shape = readShape(in);
            int size = elementCount(shape);
            short[] bits = new short[size];
            int chunkBytes = (int) Math.min(CHUNK_BYTES, 2L * size);
            if (size > 0 && (chunk == null || chunk.length < chunkBytes)) {
                chunk = new byte[chunkBytes];
            }
            for (int done = 0; done < size; ) {
                int n = Math.min(size - done, chunk.length / 2);
                in.readFully(chunk, 0, n * 2);
                ByteBuffer.wrap(chunk, 0, n * 2).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(bits, done, n);
                done += n;
            }
            tensors.add(HalfTensor.wrapBits(shape, bits));
        }
        return List.copyOf(tensors);
    }

    /** Copies one record from {@code in} to {@code out} without decoding the values. */
    public static void copyTensors(DataInputView in, DataOutputView out) throws IOException {
        int version = in.readUnsignedByte();
        checkVersion(version);
        out.writeByte(version);
        int count = readCount(in);
        writeVarLong(out, count);
        byte[] chunk = new byte[CHUNK_BYTES];
        for (int t = 0; t < count; t++) {
            long[] shape = readShape(in);
            out.writeByte(shape.length);
            for (long dim : shape) {
                writeVarLong(out, dim);
            }
            long remaining = 2L * elementCount(shape);
            while (remaining > 0) {
                int n = (int) Math.min(remaining, chunk.length);
                in.readFully(chunk, 0, n);
                out.write(chunk, 0, n);
                remaining -= n;
            }
        }
    }

    /** Bytes that {@link #writeTensors} writes for {@code tensors}. */
    public static long serializedSize(List<HalfTensor> tensors) {
        long size = 1 + varLongSize(tensors.size());
        for (HalfTensor tensor : tensors) {
            size += 1;
            for (long dim : tensor.shape()) {
                size += varLongSize(dim);
            }
            size += tensor.byteSize();
        }
        return size;
    }

    private static int maxTensorBytes(List<HalfTensor> tensors) {
        int max = 0;
        for (HalfTensor tensor : tensors) {
            max = Math.max(max, tensor.byteSize());
        }
        return max;
    }

    private static void checkVersion(int version) throws IOException {
        if (!canRead(version)) {
            throw new IOException("unknown fp16 tensor format version " + version + " (this build reads version "
                    + FORMAT_VERSION + "); the state was written by a newer alphaflow, or the bytes are not tensor state");
        }
    }

    private static int readCount(DataInputView in) throws IOException {
        long count = readVarLong(in);
        if (count > Integer.MAX_VALUE) {
            throw new IOException("corrupt tensor state: " + count + " tensors");
        }
        return (int) count;
    }

    private static long[] readShape(DataInputView in) throws IOException {
        int rank = in.readUnsignedByte();
        if (rank > MAX_RANK) {
            throw new IOException("corrupt tensor state: rank " + rank + " (at most " + MAX_RANK + ")");
        }
        long[] shape = new long[rank];
        for (int i = 0; i < rank; i++) {
            shape[i] = readVarLong(in);
        }
        return shape;
    }

    private static int elementCount(long[] shape) throws IOException {
        try {
            return (int) HalfTensor.elementCount(shape);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new IOException("corrupt tensor state: shape " + Arrays.toString(shape) + ": " + e.getMessage(), e);
        }
    }

    static void writeVarLong(DataOutputView out, long value) throws IOException {
        if (value < 0) {
            throw new IllegalArgumentException("negative value in a tensor header: " + value);
        }
        while ((value & ~0x7FL) != 0) {
            out.writeByte((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.writeByte((int) value);
    }

    static long readVarLong(DataInputView in) throws IOException {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IOException("corrupt tensor state: varint longer than 10 bytes");
    }

    static int varLongSize(long value) {
        int size = 1;
        while ((value & ~0x7FL) != 0) {
            size++;
            value >>>= 7;
        }
        return size;
    }

    // ---- TypeSerializer<List<HalfTensor>> ----

    @Override
    public boolean isImmutableType() {
        return false; // callers may hand in a mutable list
    }

    @Override
    public TypeSerializer<List<HalfTensor>> duplicate() {
        return this; // stateless
    }

    @Override
    public List<HalfTensor> createInstance() {
        return List.of();
    }

    @Override
    public List<HalfTensor> copy(List<HalfTensor> from) {
        return List.copyOf(from); // the tensors themselves are immutable
    }

    @Override
    public List<HalfTensor> copy(List<HalfTensor> from, List<HalfTensor> reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(List<HalfTensor> record, DataOutputView target) throws IOException {
        writeTensors(record, target);
    }

    @Override
    public List<HalfTensor> deserialize(DataInputView source) throws IOException {
        return readTensors(source);
    }

    @Override
    public List<HalfTensor> deserialize(List<HalfTensor> reuse, DataInputView source) throws IOException {
        return readTensors(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        copyTensors(source, target);
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof HalfTensorListSerializer;
    }

    @Override
    public int hashCode() {
        return HalfTensorListSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<List<HalfTensor>> snapshotConfiguration() {
        return new Snapshot();
    }

    private Object readResolve() {
        return INSTANCE;
    }

    /** Snapshot of the stateless {@link HalfTensorListSerializer}; the format version travels in every record. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<List<HalfTensor>> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
