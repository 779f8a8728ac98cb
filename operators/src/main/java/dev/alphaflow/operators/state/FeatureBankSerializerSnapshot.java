package dev.alphaflow.operators.state;

import java.io.IOException;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import dev.alphaflow.model.vos.FeatureBank;

/**
 * Snapshot of {@link FeatureBankSerializer}, kept in every checkpoint next to the banks it describes. It records the
 * bank format version and the fp16 tensor format version the state was written in, so a later build can tell
 * whether it reads old state as is, must migrate it (only from formats {@link FeatureBankSerializer#canRead} and
 * {@link HalfTensorListSerializer#canRead} say it still reads), or cannot read it.
 */
@Internal
public final class FeatureBankSerializerSnapshot implements TypeSerializerSnapshot<FeatureBank> {

    /** Version of this snapshot's own layout. */
    static final int CURRENT_VERSION = 1;

    private int formatVersion = FeatureBankSerializer.FORMAT_VERSION;
    private int tensorFormatVersion = HalfTensorListSerializer.FORMAT_VERSION;

    /** For Flink, which instantiates snapshots reflectively before {@link #readSnapshot}. */
    public FeatureBankSerializerSnapshot() {}

    /** The bank format version of the state this snapshot describes. */
    public int formatVersion() {
        return formatVersion;
    }

    /** The fp16 tensor format version of the state this snapshot describes. */
    public int tensorFormatVersion() {
        return tensorFormatVersion;
    }

    @Override
    public int getCurrentVersion() {
        return CURRENT_VERSION;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
        out.writeInt(formatVersion);
        out.writeInt(tensorFormatVersion);
    }

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader userCodeClassLoader) throws IOException {
        if (readVersion != CURRENT_VERSION) {
            throw new IOException("cannot read a FeatureBankSerializer snapshot of version " + readVersion
                    + "; this build knows version " + CURRENT_VERSION);
        }
        formatVersion = in.readInt();
        tensorFormatVersion = in.readInt();
    }

    @Override
    public TypeSerializer<FeatureBank> restoreSerializer() {
        return FeatureBankSerializer.INSTANCE;
    }

    @Override
    public TypeSerializerSchemaCompatibility<FeatureBank> resolveSchemaCompatibility(
            TypeSerializerSnapshot<FeatureBank> oldSnapshot) {
        if (!(oldSnapshot instanceof FeatureBankSerializerSnapshot old)) {
            return TypeSerializerSchemaCompatibility.incompatible();
        }
        if (old.formatVersion == formatVersion && old.tensorFormatVersion == tensorFormatVersion) {
            return TypeSerializerSchemaCompatibility.compatibleAsIs();
        }
        // Migrating means reading the old records with the restored serializer: only claim it where a reader exists.
        boolean readable = FeatureBankSerializer.canRead(old.formatVersion)
                && HalfTensorListSerializer.canRead(old.tensorFormatVersion);
        return readable
                ? TypeSerializerSchemaCompatibility.compatibleAfterMigration()
                : TypeSerializerSchemaCompatibility.incompatible();
    }
}
