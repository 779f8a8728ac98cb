package dev.alphaflow.operators.state;

import java.io.IOException;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import dev.alphaflow.model.rvm.RecurrentState;

/**
 * Snapshot of {@link RecurrentStateSerializer}, kept in every checkpoint next to the state it describes. It records
 * the tensor format version the state was written in, so a later build can tell whether it reads old state as is,
 * must migrate it (only for formats {@link HalfTensorListSerializer#canRead} says it still reads), or cannot read it.
 */
@Internal
public final class RecurrentStateSerializerSnapshot implements TypeSerializerSnapshot<RecurrentState> {

    /** Version of this snapshot's own layout. */
    static final int CURRENT_VERSION = 1;

    private int formatVersion = HalfTensorListSerializer.FORMAT_VERSION;

    /** For Flink, which instantiates snapshots reflectively before {@link #readSnapshot}. */
    public RecurrentStateSerializerSnapshot() {}

    /** The tensor format version of the state this snapshot describes. */
    public int formatVersion() {
        return formatVersion;
    }

    @Override
    public int getCurrentVersion() {
        return CURRENT_VERSION;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
        out.writeInt(formatVersion);
    }

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader userCodeClassLoader) throws IOException {
        if (readVersion != CURRENT_VERSION) {
            throw new IOException("cannot read a RecurrentStateSerializer snapshot of version " + readVersion
                    + "; this build knows version " + CURRENT_VERSION);
        }
        formatVersion = in.readInt();
    }

    @Override
    public TypeSerializer<RecurrentState> restoreSerializer() {
        return RecurrentStateSerializer.INSTANCE;
    }

    @Override
    public TypeSerializerSchemaCompatibility<RecurrentState> resolveSchemaCompatibility(
            TypeSerializerSnapshot<RecurrentState> oldSnapshot) {
        if (!(oldSnapshot instanceof RecurrentStateSerializerSnapshot old)) {
            return TypeSerializerSchemaCompatibility.incompatible();
        }
        if (old.formatVersion == formatVersion) {
            return TypeSerializerSchemaCompatibility.compatibleAsIs();
        }
        // Migrating means reading the old records with the restored serializer: only claim it where a reader exists.
        return HalfTensorListSerializer.canRead(old.formatVersion)
                ? TypeSerializerSchemaCompatibility.compatibleAfterMigration()
                : TypeSerializerSchemaCompatibility.incompatible();
    }
}
