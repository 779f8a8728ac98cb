package dev.alphaflow.operators.state;

import dev.alphaflow.model.flow.LumaFrame;

/** Type information for the flow job's previous frame: serialized by {@link LumaFrameSerializer}, never Kryo. */
public final class LumaFrameTypeInfo extends SingletonSerializerTypeInfo<LumaFrame> {
    private static final long serialVersionUID = 1L;

    public static final LumaFrameTypeInfo INSTANCE = new LumaFrameTypeInfo();

    public LumaFrameTypeInfo() {
        super(LumaFrame.class, LumaFrameSerializer.INSTANCE, "LumaFrame(seq, 8-bit luma at the flow resolution)");
    }
}
