package dev.alphaflow.operators.state;

import dev.alphaflow.model.vos.FeatureBank;

/** Type information for a VOS {@link FeatureBank}: serialized by {@link FeatureBankSerializer}, never Kryo. */
public final class FeatureBankTypeInfo extends SingletonSerializerTypeInfo<FeatureBank> {
    private static final long serialVersionUID = 1L;

    public static final FeatureBankTypeInfo INSTANCE = new FeatureBankTypeInfo();

    public FeatureBankTypeInfo() {
        super(FeatureBank.class, FeatureBankSerializer.INSTANCE, "FeatureBank(fp16 keys, values, info)");
    }
}
