package dev.alphaflow.model.vos.learned;

import static dev.alphaflow.model.vos.learned.LearnedVosModel.IMAGE;
import static dev.alphaflow.model.vos.learned.LearnedVosModel.KEY;
import static dev.alphaflow.model.vos.learned.LearnedVosModel.LOGITS;
import static dev.alphaflow.model.vos.learned.LearnedVosModel.MASK;
import static dev.alphaflow.model.vos.learned.LearnedVosModel.OTHERS;
import static dev.alphaflow.model.vos.learned.LearnedVosModel.READOUT;
import static dev.alphaflow.model.vos.learned.LearnedVosModel.VALUE;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import dev.alphaflow.model.ModelCard;
import dev.alphaflow.model.ModelLoadException;
import dev.alphaflow.model.SharedSession;
import dev.alphaflow.model.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The load-time check of the three models against the learned-VOS contract, and the dimensions it finds. Every
 * problem of all three models is collected into one {@link ModelLoadException}, each naming the model, the tensor and
 * the expected vs found shape, so one failed load tells an exporter everything to fix.
 */
final class LearnedVosContract {

  private LearnedVosContract() {}

  /** What the load found: Ck, Cv, the stride, and the key-encoder outputs the decoder reads besides the readout. */
  record Layout(int keyDim, int valueDim, int stride, List<String> decoderFeatures) {}

  /** One model's id, card and declared tensors. */
  private record Model(String id, ModelCard card, Map<String, NodeInfo> inputs, Map<String, NodeInfo> outputs) {
    static Model of(SharedSession session) {
      try {
        return new Model(session.card().id(), session.card(), session.session().getInputInfo(),
            session.session().getOutputInfo());
      } catch (OrtException e) {
        throw new ModelLoadException("model " + session.card().id() + ": cannot read its inputs/outputs: "
            + e.getMessage(), e);
      }
    }
  }

  static Layout check(SharedSession keySession, SharedSession valueSession, SharedSession decoderSession,
      int declaredStride) {
    Model key = Model.of(keySession);
    Model value = Model.of(valueSession);
    Model decoder = Model.of(decoderSession);
    List<String> problems = new ArrayList<>();

    long[] keyImage = tensor(key, "input", IMAGE, 3, problems);
    onlyInputs(key, Set.of(IMAGE), problems);
    long[] keyOut = tensor(key, "output", KEY, -1, problems);

    long[] valueImage = tensor(value, "input", IMAGE, 3, problems);
    tensor(value, "input", MASK, 1, problems);
    tensor(value, "input", OTHERS, 1, problems);
    onlyInputs(value, Set.of(IMAGE, MASK, OTHERS), problems);
    long[] valueOut = tensor(value, "output", VALUE, -1, problems);

    long[] readout = tensor(decoder, "input", READOUT, -1, problems);
    long[] logits = tensor(decoder, "output", LOGITS, 1, problems);
    List<String> features = decoderFeatures(key, decoder, problems);

    int keyDim = keyOut == null ? -1 : channels(key, KEY, keyOut, problems);
    int valueDim = valueOut == null ? -1 : channels(value, VALUE, valueOut, problems);
    if (readout != null && valueDim > 0) {
      long found = readout[1] >= 0 ? readout[1] : declaredChannels(decoder.card, READOUT);
      if (found >= 0 && found != valueDim) {
        problems.add("model " + decoder.id + ": input '" + READOUT + "' has shape " + shapeOf(decoder.card, READOUT,
            readout) + ", expected " + fmt(1, valueDim, -1, -1) + " (Cv = " + valueDim + ", the channels of output '"
            + VALUE + "' of " + value.id + ")");
      }
    }

    int stride = declaredStride;
    if (stride == 0 && keyImage != null && keyOut != null) {
      stride = strideFromShapes(key, keyImage, keyOut, problems);
    }
    if (stride > 0) {
      onGrid(key, KEY, keyOut, keyImage, stride, problems);
      onGrid(value, VALUE, valueOut, valueImage, stride, problems);
      if (readout != null && logits != null) {
        for (int axis = 2; axis < 4; axis++) {
          if (readout[axis] >= 0 && logits[axis] >= 0 && logits[axis] != readout[axis] * stride) {
            problems.add("model " + decoder.id + ": output '" + LOGITS + "' has shape " + fmt(logits) + ", expected "
                + fmt(1, 1, readout[2] * stride, readout[3] * stride) + " (frame resolution: input '" + READOUT
                + "' " + fmt(readout) + " times stride " + stride + "; end the decoder with a Resize)");
            break;
          }
        }
      }
    }

    if (!problems.isEmpty()) {
      throw new ModelLoadException(String.join("; ", problems) + ". The models do not follow the learned VOS "
          + "contract (docs/learned-vos-contract.md).");
    }
    return new Layout(keyDim, valueDim, stride, features);
  }

  /**
   * The declared shape of a float32 tensor of rank 4, batch 1 and (when {@code channels >= 0}) that many channels
   * where the model fixes them; null (and a problem) when it is missing or does not fit.
   */
  private static long[] tensor(Model model, String kind, String name, int channels, List<String> problems) {
    Map<String, NodeInfo> infos = kind.equals("input") ? model.inputs : model.outputs;
    String prefix = "model " + model.id + ": " + kind + " '" + name + "'";
    NodeInfo node = infos.get(name);
    if (node == null) {
      problems.add(prefix + " is missing (its " + kind + "s are " + infos.keySet() + ")");
      return null;
    }
    if (!(node.getInfo() instanceof TensorInfo info)) {
      problems.add(prefix + " is not a tensor (" + node.getInfo() + ")");
      return null;
    }
    long[] shape = info.getShape();
    long[] expected = {1, channels, -1, -1};
    boolean fits = shape.length == 4 && (shape[0] < 0 || shape[0] == 1) && (channels < 0 || shape[1] < 0
        || shape[1] == channels);
    if (!fits) {
      problems.add(prefix + " has shape " + fmt(shape) + (shape.length != 4 ? " (rank " + shape.length + ")" : "")
          + ", expected " + fmt(expected));
    }
    if (info.type != OnnxJavaType.FLOAT) {
      problems.add(prefix + " has element type " + info.type + ", expected FLOAT (float32)");
    }
    return fits && info.type == OnnxJavaType.FLOAT ? shape : null;
  }

  private static void onlyInputs(Model model, Set<String> contract, List<String> problems) {
    for (String name : model.inputs.keySet()) {
      if (!contract.contains(name)) {
        problems.add("model " + model.id + ": input '" + name + "' is not part of the contract, which feeds only "
            + contract);
      }
    }
  }

  /** The decoder inputs besides the readout: each must be a key-encoder output of the same type and shape. */
  private static List<String> decoderFeatures(Model key, Model decoder, List<String> problems) {
    List<String> features = new ArrayList<>();
    for (Map.Entry<String, NodeInfo> input : decoder.inputs.entrySet()) {
      String name = input.getKey();
      if (name.equals(READOUT)) {
        continue;
      }
      String prefix = "model " + decoder.id + ": input '" + name + "'";
      NodeInfo made = key.outputs.get(name);
      if (made == null) {
        problems.add(prefix + " is neither '" + READOUT + "' nor an output of " + key.id + " (whose outputs are "
            + key.outputs.keySet() + ")");
        continue;
      }
      if (!(input.getValue().getInfo() instanceof TensorInfo wanted) || !(made.getInfo() instanceof TensorInfo has)
          || wanted.type != OnnxJavaType.FLOAT || has.type != OnnxJavaType.FLOAT) {
        problems.add(prefix + " and output '" + name + "' of " + key.id + " must both be float32 tensors");
        continue;
      }
      if (!compatible(wanted.getShape(), has.getShape())) {
        problems.add(prefix + " has shape " + fmt(wanted.getShape()) + ", expected " + fmt(has.getShape())
            + " (output '" + name + "' of " + key.id + ")");
        continue;
      }
      features.add(name);
    }
    return features;
  }

  /** Channels of a rank-4 tensor: the model's if fixed, else the card's; -1 (and a problem) if neither says. */
  private static int channels(Model model, String name, long[] shape, List<String> problems) {
    long channels = shape[1] >= 0 ? shape[1] : declaredChannels(model.card, name);
    if (channels < 1) {
      problems.add("model " + model.id + ": the channel count of '" + name + "' is symbolic in the model ("
          + fmt(shape) + ") and card '" + model.card.id() + "' does not declare it: add e.g. TensorSpec.of(\""
          + name + "\", FLOAT32, 1, 64, -1, -1) to the card");
      return -1;
    }
    return Math.toIntExact(channels);
  }

  /** Dimension 1 of the card's rank-4 spec of that tensor; -1 when the card does not fix it. */
  private static long declaredChannels(ModelCard card, String name) {
    List<TensorSpec> specs = new ArrayList<>(card.inputs());
    specs.addAll(card.outputs());
    for (TensorSpec spec : specs) {
      if (spec.name().equals(name) && spec.rank() == 4) {
        return spec.dim(1);
      }
    }
    return -1;
  }

  /** The model's shape, with the card's channel count filled in where the model leaves it symbolic. */
  private static String shapeOf(ModelCard card, String name, long[] shape) {
    long[] filled = shape.clone();
    if (filled[1] < 0) {
      filled[1] = declaredChannels(card, name);
    }
    return fmt(filled);
  }

  private static int strideFromShapes(Model key, long[] image, long[] out, List<String> problems) {
    long imageH = image[2];
    long imageW = image[3];
    long h = out[2];
    long w = out[3];
    if (imageH > 0 && imageW > 0 && h > 0 && w > 0 && imageH % h == 0 && imageW % w == 0
        && imageH / h == imageW / w) {
      return Math.toIntExact(imageH / h);
    }
    problems.add("model " + key.id + ": cannot read the stride from input '" + IMAGE + "' " + fmt(image)
        + " and output '" + KEY + "' " + fmt(out) + ": that needs fixed sizes with H/h == W/w; declare the stride "
        + "with LearnedVosCards.of(..., stride)");
    return -1;
  }

  /** Where the model fixes both, the output's spatial size must be the image's divided by the stride. */
  private static void onGrid(Model model, String name, long[] out, long[] image, int stride, List<String> problems) {
    if (out == null || image == null) {
      return;
    }
    long[] expected = out.clone();
    boolean fits = true;
    for (int axis = 2; axis < 4; axis++) {
      if (image[axis] < 0) {
        continue;
      }
      if (image[axis] % stride != 0) {
        problems.add("model " + model.id + ": input '" + IMAGE + "' " + fmt(image) + " is not a multiple of stride "
            + stride);
        return;
      }
      expected[axis] = image[axis] / stride;
      fits &= out[axis] < 0 || out[axis] == expected[axis];
    }
    if (!fits) {
      problems.add("model " + model.id + ": output '" + name + "' has shape " + fmt(out) + ", expected "
          + fmt(expected) + " (input '" + IMAGE + "' " + fmt(image) + " at stride " + stride + ")");
    }
  }

  /** Same rank, and every dimension both fix is equal. */
  private static boolean compatible(long[] a, long[] b) {
    if (a.length != b.length) {
      return false;
    }
    for (int i = 0; i < a.length; i++) {
      if (a[i] >= 0 && b[i] >= 0 && a[i] != b[i]) {
        return false;
      }
    }
    return true;
  }

  private static String fmt(long... shape) {
    return TensorSpec.formatShape(shape);
  }
}
