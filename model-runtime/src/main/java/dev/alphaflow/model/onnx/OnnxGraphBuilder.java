package dev.alphaflow.model.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds small ONNX models in code (IR 8, opset 13 by default): graphs the runtime generates (e.g. the feature-bank readout) and the tiny models of the tests.
 *
 * <pre>{@code
 * byte[] model = new OnnxGraphBuilder("double")
 *     .input("x", OnnxModelWriter.FLOAT, "N,3")
 *     .initializer("two", new long[] {1}, new float[] {2f})
 *     .node("Mul", List.of("x", "two"), List.of("y"))
 *     .output("y", OnnxModelWriter.FLOAT, "N,3")
 *     .build();
 * }</pre>
 *
 * <p>Shapes are written as comma-separated dimensions: a number is fixed, a name is symbolic, "" is a scalar.
 */
public final class OnnxGraphBuilder {

  private final String name;
  private long irVersion = 8;
  private long opset = 13;
  private final List<byte[]> nodes = new ArrayList<>();
  private final List<byte[]> initializers = new ArrayList<>();
  private final List<byte[]> inputs = new ArrayList<>();
  private final List<byte[]> outputs = new ArrayList<>();

  public OnnxGraphBuilder(String name) {
    this.name = name;
  }

  public OnnxGraphBuilder opset(long version) {
    this.opset = version;
    return this;
  }

  public OnnxGraphBuilder irVersion(long version) {
    this.irVersion = version;
    return this;
  }

  public OnnxGraphBuilder input(String tensorName, int elemType, String shape) {
    inputs.add(OnnxModelWriter.valueInfo(tensorName, elemType, parseShape(shape)));
    return this;
  }

  public OnnxGraphBuilder output(String tensorName, int elemType, String shape) {
    outputs.add(OnnxModelWriter.valueInfo(tensorName, elemType, parseShape(shape)));
    return this;
  }

  public OnnxGraphBuilder initializer(String tensorName, long[] dims, float[] values) {
    checkCount(tensorName, dims, values.length);
    initializers.add(OnnxModelWriter.floatTensor(tensorName, dims, values));
    return this;
  }

  public OnnxGraphBuilder initializer(String tensorName, long[] dims, long[] values) {
    checkCount(tensorName, dims, values.length);
    initializers.add(OnnxModelWriter.int64Tensor(tensorName, dims, values));
    return this;
  }

  /** Adds a node named after its position ("n0", "n1", ...). */
  public OnnxGraphBuilder node(String opType, List<String> nodeInputs, List<String> nodeOutputs,
      Attribute... attributes) {
    List<byte[]> encoded = new ArrayList<>();
    for (Attribute attribute : attributes) {
      encoded.add(attribute.bytes);
    }
    nodes.add(OnnxModelWriter.node("n" + nodes.size(), opType, nodeInputs, nodeOutputs, encoded));
    return this;
  }

  /** Shorthand for single-input, single-output nodes. */
  public OnnxGraphBuilder node(String opType, String nodeInput, String nodeOutput, Attribute... attributes) {
    return node(opType, List.of(nodeInput), List.of(nodeOutput), attributes);
  }

  /** Serialized ModelProto. */
  public byte[] build() {
    byte[] graph = OnnxModelWriter.graph(name, nodes, initializers, inputs, outputs);
    return OnnxModelWriter.model(irVersion, "alphaflow-tests", opset, graph);
  }

  /** Writes the model to a file (creating parent folders) and returns the path. */
  public Path writeTo(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.write(file, build());
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write model to " + file, e);
    }
  }

  private static List<Object> parseShape(String shape) {
    List<Object> dims = new ArrayList<>();
    if (shape.isBlank()) {
      return dims;
    }
    for (String part : shape.split(",")) {
      String d = part.trim();
      if (d.chars().allMatch(Character::isDigit)) {
        dims.add(Long.parseLong(d));
      } else {
        dims.add(d);
      }
    }
    return dims;
  }

  private static void checkCount(String tensorName, long[] dims, int count) {
    long n = Arrays.stream(dims).reduce(1, (a, b) -> a * b);
    if (n != count) {
      throw new IllegalArgumentException("initializer " + tensorName + ": dims " + Arrays.toString(dims) + " hold "
          + n + " values, got " + count);
    }
  }

  /** A node attribute. */
  public static final class Attribute {
    private final byte[] bytes;

    private Attribute(byte[] bytes) {
      this.bytes = bytes;
    }

    public static Attribute f(String attrName, float value) {
      return new Attribute(OnnxModelWriter.attribute(attrName, OnnxModelWriter.ATTR_FLOAT,
          out -> out.writeFloat(2, value)));
    }

    public static Attribute i(String attrName, long value) {
      return new Attribute(OnnxModelWriter.attribute(attrName, OnnxModelWriter.ATTR_INT,
          out -> out.writeInt64(3, value)));
    }

    public static Attribute s(String attrName, String value) {
      return new Attribute(OnnxModelWriter.attribute(attrName, OnnxModelWriter.ATTR_STRING,
          out -> out.writeString(4, value)));
    }

    public static Attribute floats(String attrName, float... values) {
      return new Attribute(OnnxModelWriter.attribute(attrName, OnnxModelWriter.ATTR_FLOATS, out -> {
        for (float v : values) {
          out.writeFloat(7, v);
        }
      }));
    }

    public static Attribute ints(String attrName, long... values) {
      return new Attribute(OnnxModelWriter.attribute(attrName, OnnxModelWriter.ATTR_INTS, out -> {
        for (long v : values) {
          out.writeInt64(8, v);
        }
      }));
    }

    /** A tensor-valued attribute, e.g. Constant's "value"; {@code tensor} from OnnxModelWriter.floatTensor(...). */
    public static Attribute tensor(String attrName, byte[] tensor) {
      return new Attribute(OnnxModelWriter.attribute(attrName, OnnxModelWriter.ATTR_TENSOR,
          out -> out.writeByteArray(5, tensor)));
    }
  }
}
