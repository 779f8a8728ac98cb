package dev.alphaflow.operators.state;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

import dev.alphaflow.model.vos.FeatureBank;

/** Type information for a VOS {@link FeatureBank}: serialized by {@link FeatureBankSerializer}, never Kryo. */
public final class FeatureBankTypeInfo extends TypeInformation<FeatureBank> {
    private static final long serialVersionUID = 1L;

    public static final FeatureBankTypeInfo INSTANCE = new FeatureBankTypeInfo();

    public FeatureBankTypeInfo() {}

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
    public Class<FeatureBank> getTypeClass() {
        return FeatureBank.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<FeatureBank> createSerializer(SerializerConfig config) {
        return FeatureBankSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "FeatureBank(fp16 keys, values, info)";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof FeatureBankTypeInfo;
    }

    @Override
    public int hashCode() {
        return FeatureBankTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof FeatureBankTypeInfo;
    }
}
