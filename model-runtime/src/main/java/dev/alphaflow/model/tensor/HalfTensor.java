package dev.alphaflow.model.tensor;

import java.io.Serializable;
import java.nio.ShortBuffer;
import java.util.Arrays;
import java.util.Objects;

/** An immutable fp16 tensor: a shape and the half-precision bit patterns in row-major order. */
public final class HalfTensor implements Serializable {

  private static final long serialVersionUID = 1L;

  private final long[] shape;
  private final short[] data;

  private HalfTensor(long[] shape, short[] data) {
    this.shape = shape;
    this.data = data;
  }

  /** Rounds float values to fp16. */
  public static HalfTensor fromFloats(long[] shape, float[] values) {
    long[] s = checkShape(shape, values.length);
    return new HalfTensor(s, Fp16.fromFloats(values));
  }

  /** Wraps fp16 bit patterns (copied), e.g. when a serializer restores a tensor. */
  public static HalfTensor ofBits(long[] shape, short[] bits) {
    long[] s = checkShape(shape, bits.length);
    return new HalfTensor(s, bits.clone());
  }

  /** Takes ownership of {@code bits} without copying; the caller must not touch the array afterwards. */
  public static HalfTensor wrapBits(long[] shape, short[] bits) {
    long[] s = checkShape(shape, bits.length);
    return new HalfTensor(s, bits);
  }

  /** All zeros. */
  public static HalfTensor zeros(long... shape) {
    long n = elementCount(shape);
    return new HalfTensor(shape.clone(), new short[(int) n]);
  }

  private static long[] checkShape(long[] shape, int length) {
    Objects.requireNonNull(shape, "shape");
    long n = elementCount(shape);
    if (n != length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " holds " + n + " elements but " + length + " values were given");
    }
    return shape.clone();
  }

  /** Product of the dimensions; rejects negative dimensions and tensors larger than an array can hold. */
  public static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, d);
    }
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " is too large");
    }
    return n;
  }

  public long[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  public long dim(int axis) {
    return shape[axis];
  }

  /** True when both tensors have the same shape. */
  public boolean sameShape(HalfTensor other) {
    return Arrays.equals(shape, other.shape);
  }

  /** Number of elements. */
  public int size() {
    return data.length;
  }

  /** Bytes of tensor data (2 per element), shape excluded. */
  public int byteSize() {
    return data.length * 2;
  }

  /** A read-only view of the fp16 bits, without copying. */
  public ShortBuffer bits() {
    return ShortBuffer.wrap(data).asReadOnlyBuffer();
  }

  /** A copy of the fp16 bits. */
  public short[] toBits() {
    return data.clone();
  }

  public short bitsAt(int index) {
    return data[index];
  }

  public float floatAt(int index) {
    return Fp16.toFloat(data[index]);
  }

  public float[] toFloats() {
    return Fp16.toFloats(data);
  }

  /** Writes the values as floats into {@code dst} at {@code offset}. */
  public void copyFloatsTo(float[] dst, int offset) {
    Fp16.toFloats(data, 0, dst, offset, data.length);
  }

  /** Writes the values as floats at the buffer's position, advancing it. */
  public void copyFloatsTo(java.nio.FloatBuffer dst) {
    Fp16.toFloats(data, 0, dst, data.length);
  }

  /** True when every element is +0 or -0. */
  public boolean isAllZero() {
    for (short s : data) {
      if ((s & 0x7fff) != 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HalfTensor other && Arrays.equals(shape, other.shape) && Arrays.equals(data, other.data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "HalfTensor" + Arrays.toString(shape);
  }
}
