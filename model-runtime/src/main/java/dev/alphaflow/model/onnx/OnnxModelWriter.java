package dev.alphaflow.model.onnx;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Encodes ONNX protobuf messages (onnx.proto, the few fields tests need) straight to bytes with protobuf's
 * {@link CodedOutputStream}: there is no ONNX Java library. Each method returns one serialized message; nested
 * messages are passed in as bytes. {@link OnnxGraphBuilder} is the friendlier entry point.
 */
public final class OnnxModelWriter {

  private OnnxModelWriter() {}

  /** TensorProto.DataType values. */
  public static final int FLOAT = 1;
  public static final int UINT8 = 2;
  public static final int INT8 = 3;
  public static final int INT32 = 6;
  public static final int INT64 = 7;
  public static final int BOOL = 9;
  public static final int FLOAT16 = 10;
  public static final int DOUBLE = 11;

  /** AttributeProto.AttributeType values. */
  static final int ATTR_FLOAT = 1;
  static final int ATTR_INT = 2;
  static final int ATTR_STRING = 3;
  static final int ATTR_TENSOR = 4;
  static final int ATTR_FLOATS = 6;
  static final int ATTR_INTS = 7;

  @FunctionalInterface
  interface Body {
    void write(CodedOutputStream out) throws IOException;
  }

  static byte[] message(Body body) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      body.write(out);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory cannot fail", e);
    }
  }

  /** ModelProto{ir_version=1, producer_name=2, graph=7, opset_import=8}. */
  public static byte[] model(long irVersion, String producer, long opsetVersion, byte[] graph) {
    byte[] opset = message(out -> {
      out.writeString(1, ""); // default ai.onnx domain
      out.writeInt64(2, opsetVersion);
    });
    return message(out -> {
      out.writeInt64(1, irVersion);
      out.writeString(2, producer);
      out.writeByteArray(7, graph);
      out.writeByteArray(8, opset);
    });
  }

  /** GraphProto{node=1, name=2, initializer=5, input=11, output=12}. */
  public static byte[] graph(String name, List<byte[]> nodes, List<byte[]> initializers, List<byte[]> inputs,
      List<byte[]> outputs) {
    return message(out -> {
      for (byte[] node : nodes) {
        out.writeByteArray(1, node);
      }
      out.writeString(2, name);
      for (byte[] tensor : initializers) {
        out.writeByteArray(5, tensor);
      }
      for (byte[] input : inputs) {
        out.writeByteArray(11, input);
      }
      for (byte[] output : outputs) {
        out.writeByteArray(12, output);
      }
    });
  }

  /** NodeProto{input=1, output=2, name=3, op_type=4, attribute=5}. */
  public static byte[] node(String name, String opType, List<String> inputs, List<String> outputs,
      List<byte[]> attributes) {
    return message(out -> {
      for (String input : inputs) {
        out.writeString(1, input);
      }
      for (String output : outputs) {
        out.writeString(2, output);
      }
      out.writeString(3, name);
      out.writeString(4, opType);
      for (byte[] attribute : attributes) {
        out.writeByteArray(5, attribute);
      }
    });
  }

  /** TensorProto{dims=1, data_type=2, name=8, raw_data=9 (little-endian)}. */
  public static byte[] tensor(String name, int dataType, long[] dims, byte[] rawLittleEndian) {
    return message(out -> {
      for (long d : dims) {
        out.writeInt64(1, d);
      }
      out.writeInt32(2, dataType);
      out.writeString(8, name);
      out.writeByteArray(9, rawLittleEndian);
    });
  }

  public static byte[] floatTensor(String name, long[] dims, float[] values) {
    ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(values);
    return tensor(name, FLOAT, dims, raw.array());
  }

  public static byte[] int64Tensor(String name, long[] dims, long[] values) {
    ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    raw.asLongBuffer().put(values);
    return tensor(name, INT64, dims, raw.array());
  }

  /**
   * ValueInfoProto{name=1, type=2: TypeProto{tensor_type=1: {elem_type=1, shape=2: {dim=1: {dim_value=1 |
   * dim_param=2}}}}}. A dims entry is a Long (fixed) or a String (symbolic).
   */
  public static byte[] valueInfo(String name, int elemType, List<Object> dims) {
    byte[] shape = message(out -> {
      for (Object d : dims) {
        byte[] dim = message(dimOut -> {
          if (d instanceof Number number) {
            dimOut.writeInt64(1, number.longValue());
          } else {
            dimOut.writeString(2, d.toString());
          }
        });
        out.writeByteArray(1, dim);
      }
    });
    byte[] tensorType = message(out -> {
      out.writeInt32(1, elemType);
      out.writeByteArray(2, shape);
    });
    byte[] type = message(out -> out.writeByteArray(1, tensorType));
    return message(out -> {
      out.writeString(1, name);
      out.writeByteArray(2, type);
    });
  }

  /** AttributeProto{name=1, f=2, i=3, s=4, t=5, floats=7, ints=8, type=20}. */
  static byte[] attribute(String name, int type, Body value) {
    return message(out -> {
      out.writeString(1, name);
      value.write(out);
      out.writeInt32(20, type);
    });
  }
}
