package dev.alphaflow.model.vos;

import dev.alphaflow.model.tensor.HalfTensor;
import java.util.List;
import java.util.Objects;

/**
 * A stream's short-term memory: what the segmenter keeps from the previous frame (its keys and object masks at key
 * resolution, used for the local-window match and the previous-mask prior; with the flow prior also the frame's
 * shrunk luma, which the next frame's flow starts from). The tensors are fp16, exactly as they are
 * checkpointed, so a restored stream continues bit for bit; only {@link VideoObjectSegmenter} interprets them.
 *
 * @param frameIndex the frame these tensors come from
 * @param tensors the segmenter's previous-frame tensors, in its own order
 */
public record FrameMemory(long frameIndex, List<HalfTensor> tensors) {

  public FrameMemory {
    tensors = List.copyOf(Objects.requireNonNull(tensors, "tensors"));
  }

  /** Bytes of tensor payload (2 per element). */
  public long byteSize() {
    long bytes = 0;
    for (HalfTensor t : tensors) {
      bytes += 2L * HalfTensor.elementCount(t.shape());
    }
    return bytes;
  }
}
