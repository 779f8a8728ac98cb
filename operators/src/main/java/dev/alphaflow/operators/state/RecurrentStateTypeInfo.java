package dev.alphaflow.operators.state;

import dev.alphaflow.model.rvm.RecurrentState;

/** Type information for RVM's {@link RecurrentState}: serialized by {@link RecurrentStateSerializer}, never Kryo. */
public final class RecurrentStateTypeInfo extends SingletonSerializerTypeInfo<RecurrentState> {
    private static final long serialVersionUID = 1L;

    public static final RecurrentStateTypeInfo INSTANCE = new RecurrentStateTypeInfo();

    public RecurrentStateTypeInfo() {
        super(RecurrentState.class, RecurrentStateSerializer.INSTANCE, "RecurrentState(fp16 r1..r4)");
    }
}
