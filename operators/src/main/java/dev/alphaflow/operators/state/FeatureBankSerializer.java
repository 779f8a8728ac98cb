package dev.alphaflow.operators.state;

import java.io.IOException;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import dev.alphaflow.model.vos.FeatureBank;
import dev.alphaflow.model.vos.FeatureBankConfig;
import dev.alphaflow.model.vos.ReadoutKernel;

/**
 * Flink serializer for one object's {@link FeatureBank}, meant for a {@code MapState<Integer, FeatureBank>} keyed by
 * object id (one state entry per object, so absorbing into one object rewrites only that object's bank). Stateless
 * and thread-safe.
 *
 * <p>Format, version {@value #FORMAT_VERSION}:
 *
 * <pre>
 *   u8      bank format version
 *   f32     thresClose
 *   f32     updateRate
 *   i32     budget
 *   f32     usageThreshold
 *   bool    evictionEnabled
 *   utf     valueMerge (enum name)
 *   utf     readoutKernel (enum name)
 *   tensors keys [n, d], values [n, v], info [n, 6] in the {@link HalfTensorListSerializer} format
 * </pre>
 *
 * <p>So a bank costs {@code n x ((d + v) x 2 + 12)} bytes plus about 60 bytes of header; key and value dimensions
 * travel in the tensor shapes, so an empty bank keeps them too. Enums are written by name, so reordering their
 * constants does not change old state. The restored bank is lossless: it absorbs and reads bit for bit like the
 * original.
 *
 * <p>{@link FeatureBank} is mutable: {@link #copy} is a deep copy, and with RocksDB a bank read from state and then
 * changed must be {@code put} back.
 */
@Internal
public final class FeatureBankSerializer extends TypeSerializer<FeatureBank> {
    private static final long serialVersionUID = 1L;

    /** Version of the per-record bank format, written as each record's first byte. */
    public static final int FORMAT_VERSION = 1;

    /** Whether {@link #deserialize} reads banks of format {@code version}; see {@link HalfTensorListSerializer#canRead}. */
    public static boolean canRead(int version) {
        return version == FORMAT_VERSION;
    }

    public static final FeatureBankSerializer INSTANCE = new FeatureBankSerializer();

    private FeatureBankSerializer() {}

    @Override
    public boolean isImmutableType() {
        return false; // banks are absorbed into and read (which counts usage) in place
    }

    @Override
    public TypeSerializer<FeatureBank> duplicate() {
        return this; // stateless
    }

    @Override
    public FeatureBank createInstance() {
        return new FeatureBank(1, 1, FeatureBankConfig.defaults());
    }

    @Override
    public FeatureBank copy(FeatureBank from) {
        return FeatureBank.fromHalfTensors(from.toHalfTensors(), from.config()); // lossless deep copy
    }

    @Override
    public FeatureBank copy(FeatureBank from, FeatureBank reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(FeatureBank record, DataOutputView target) throws IOException {
        target.writeByte(FORMAT_VERSION);
        writeConfig(record.config(), target);
        HalfTensorListSerializer.writeTensors(record.toHalfTensors(), target);
    }

    @Override
    public FeatureBank deserialize(DataInputView source) throws IOException {
        checkVersion(source.readUnsignedByte());
        FeatureBankConfig config = readConfig(source);
        var tensors = HalfTensorListSerializer.readTensors(source);
        try {
            return FeatureBank.fromHalfTensors(tensors, config);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt feature bank state: " + e.getMessage(), e);
        }
    }

    @Override
    public FeatureBank deserialize(FeatureBank reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        int version = source.readUnsignedByte();
        checkVersion(version);
        target.writeByte(version);
        writeConfig(readConfig(source), target);
        HalfTensorListSerializer.copyTensors(source, target);
    }

    /** Bytes that {@link #serialize} writes for {@code bank}. */
    public static long serializedSize(FeatureBank bank) {
        FeatureBankConfig config = bank.config();
        return 1 + 4 + 4 + 4 + 4 + 1
                + utfSize(config.valueMerge().name())
                + utfSize(config.readoutKernel().name())
                + HalfTensorListSerializer.serializedSize(bank.toHalfTensors());
    }

    private static int utfSize(String ascii) {
        return 2 + ascii.length(); // enum names are ASCII
    }

    private static void writeConfig(FeatureBankConfig config, DataOutputView out) throws IOException {
        out.writeFloat(config.thresClose());
        out.writeFloat(config.updateRate());
        out.writeInt(config.budget());
        out.writeFloat(config.usageThreshold());
        out.writeBoolean(config.evictionEnabled());
        out.writeUTF(config.valueMerge().name());
        out.writeUTF(config.readoutKernel().name());
    }

    private static FeatureBankConfig readConfig(DataInputView in) throws IOException {
        float thresClose = in.readFloat();
        float updateRate = in.readFloat();
        int budget = in.readInt();
        float usageThreshold = in.readFloat();
        boolean evictionEnabled = in.readBoolean();
        String valueMerge = in.readUTF();
        String readoutKernel = in.readUTF();
        try {
            return FeatureBankConfig.builder()
                    .thresClose(thresClose)
                    .updateRate(updateRate)
                    .budget(budget)
                    .usageThreshold(usageThreshold)
                    .evictionEnabled(evictionEnabled)
                    .valueMerge(FeatureBankConfig.ValueMerge.valueOf(valueMerge))
                    .readoutKernel(ReadoutKernel.valueOf(readoutKernel))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt feature bank config in state: " + e.getMessage(), e);
        }
    }

    private static void checkVersion(int version) throws IOException {
        if (!canRead(version)) {
            throw new IOException("unknown feature bank format version " + version + " (this build reads version "
                    + FORMAT_VERSION + "); the state was written by a newer alphaflow, or the bytes are not a bank");
        }
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof FeatureBankSerializer;
    }

    @Override
    public int hashCode() {
        return FeatureBankSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<FeatureBank> snapshotConfiguration() {
        return new FeatureBankSerializerSnapshot();
    }

    private Object readResolve() {
        return INSTANCE;
    }
}
