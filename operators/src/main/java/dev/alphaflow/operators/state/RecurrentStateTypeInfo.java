package dev.alphaflow.operators.state;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

import dev.alphaflow.model.rvm.RecurrentState;

/** Type information for RVM's {@link RecurrentState}: serialized by {@link RecurrentStateSerializer}, never Kryo. */
public final class RecurrentStateTypeInfo extends TypeInformation<RecurrentState> {
    private static final long serialVersionUID = 1L;

    public static final RecurrentStateTypeInfo INSTANCE = new RecurrentStateTypeInfo();

    public RecurrentStateTypeInfo() {}

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<RecurrentState> getTypeClass() {
        return RecurrentState.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<RecurrentState> createSerializer(SerializerConfig config) {
        return RecurrentStateSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "RecurrentState(fp16 r1..r4)";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof RecurrentStateTypeInfo;
    }

    @Override
    public int hashCode() {
        return RecurrentStateTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof RecurrentStateTypeInfo;
    }
}
