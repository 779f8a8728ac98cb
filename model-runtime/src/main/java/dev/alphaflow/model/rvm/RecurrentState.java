package dev.alphaflow.model.rvm;

import dev.alphaflow.model.tensor.HalfTensor;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * The ConvGRU hidden states r1..r4 of RVM for one video stream, each of shape [1, C, h, w].
 *
 * <p>Values are always fp16: {@link RvmMatter} rounds the model's float {@code rNo} outputs to fp16 before
 * returning them, and widens them back to float for the next frame. So the next frame sees exactly the same state
 * whether or not it went through a checkpoint and serializer in between, and a restored run is bit-identical to an
 * uninterrupted one. The fp16 state is also half the size in keyed state.
 *
 * <p>{@link #initial()} is the first-frame state: four [1,1,1,1] zeros, which the model broadcasts. Reset to it
 * whenever the frame size or the downsample ratio changes.
 */
public final class RecurrentState implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Channels of r1..r4 in RVM MobileNetV3. */
  public static final List<Integer> RVM_CHANNELS = List.of(16, 20, 40, 64);

  private static final RecurrentState INITIAL = new RecurrentState(List.of(
      HalfTensor.zeros(1, 1, 1, 1), HalfTensor.zeros(1, 1, 1, 1),
      HalfTensor.zeros(1, 1, 1, 1), HalfTensor.zeros(1, 1, 1, 1)));

  private final List<HalfTensor> tensors;

  private RecurrentState(List<HalfTensor> tensors) {
    this.tensors = tensors;
  }

  /** The first-frame state: four [1,1,1,1] zeros. */
  public static RecurrentState initial() {
    return INITIAL;
  }

  public static RecurrentState of(HalfTensor r1, HalfTensor r2, HalfTensor r3, HalfTensor r4) {
    return of(List.of(r1, r2, r3, r4));
  }

  /** Four tensors r1..r4, each rank 4 with batch dimension 1. */
  public static RecurrentState of(List<HalfTensor> tensors) {
    Objects.requireNonNull(tensors, "tensors");
    if (tensors.size() != 4) {
      throw new IllegalArgumentException("RVM has 4 recurrent states, got " + tensors.size());
    }
    for (int i = 0; i < 4; i++) {
      HalfTensor t = Objects.requireNonNull(tensors.get(i), "r" + (i + 1));
      if (t.rank() != 4 || t.dim(0) != 1) {
        throw new IllegalArgumentException("r" + (i + 1) + " must have shape [1,C,h,w], got " + t);
      }
    }
    return new RecurrentState(List.copyOf(tensors));
  }

  /** State r{@code i}, 1-based (1..4). */
  public HalfTensor r(int i) {
    if (i < 1 || i > 4) {
      throw new IndexOutOfBoundsException("recurrent state index is 1..4, got " + i);
    }
    return tensors.get(i - 1);
  }

  /** r1..r4 in order. */
  public List<HalfTensor> tensors() {
    return tensors;
  }

  /** True for the first-frame state (all four [1,1,1,1] and zero). */
  public boolean isInitial() {
    for (HalfTensor t : tensors) {
      if (t.size() != 1 || !t.isAllZero()) {
        return false;
      }
    }
    return true;
  }

  /** Bytes of tensor data (fp16, 2 per element), shapes excluded. */
  public long byteSize() {
    long n = 0;
    for (HalfTensor t : tensors) {
      n += t.byteSize();
    }
    return n;
  }

  /** True when r1..r4 have the same shapes as the other state's. */
  public boolean sameShapes(RecurrentState other) {
    for (int i = 0; i < 4; i++) {
      if (!tensors.get(i).sameShape(other.tensors.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RecurrentState other && tensors.equals(other.tensors);
  }

  @Override
  public int hashCode() {
    return tensors.hashCode();
  }

  @Override
  public String toString() {
    return isInitial() ? "RecurrentState{initial}" : "RecurrentState" + tensors + " (" + byteSize() + " bytes)";
  }
}
