package dev.alphaflow.operators.state;

import dev.alphaflow.model.vos.FrameMemory;

/** Type information for a VOS {@link FrameMemory}: serialized by {@link FrameMemorySerializer}, never Kryo. */
public final class FrameMemoryTypeInfo extends SingletonSerializerTypeInfo<FrameMemory> {
    private static final long serialVersionUID = 1L;

    public static final FrameMemoryTypeInfo INSTANCE = new FrameMemoryTypeInfo();

    public FrameMemoryTypeInfo() {
        super(FrameMemory.class, FrameMemorySerializer.INSTANCE, "FrameMemory(frame index, fp16 tensors)");
    }
}
