package dev.alphaflow.model.instances;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Class names of a model: its {@code names} metadata (Ultralytics' format), else COCO-80, else "class_N". */
public final class ClassNames {

  private ClassNames() {}

  /** The 80 COCO detection classes in the order YOLO models (and Detectron2's COCO models) index them. */
  public static final List<String> COCO80 = List.of(
      "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
      "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
      "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
      "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard",
      "tennis racket", "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
      "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch",
      "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone",
      "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors", "teddy bear",
      "hair drier", "toothbrush");

  /** The metadata key Ultralytics exports write the names under. */
  public static final String METADATA_KEY = "names";

  private static final Pattern ENTRY = Pattern.compile("(\\d+)\\s*:\\s*(['\"])(.*?)\\2");

  /** Names for {@code count} classes, from the session's metadata when it has a complete list. */
  public static List<String> of(OrtSession session, int count) {
    Map<String, String> metadata;
    try {
      metadata = session.getMetadata().getCustomMetadata();
    } catch (OrtException e) {
      metadata = Map.of();
    }
    List<String> parsed = parse(metadata.get(METADATA_KEY));
    if (parsed.size() == count) {
      return parsed;
    }
    return fallback(count);
  }

  /**
   * Parses a Python dict literal such as {@code {0: 'person', 1: 'bicycle'}}; returns an empty list unless the
   * keys are exactly 0..n-1.
   */
  public static List<String> parse(String names) {
    if (names == null || names.isBlank()) {
      return List.of();
    }
    TreeMap<Integer, String> byId = new TreeMap<>();
    Matcher m = ENTRY.matcher(names);
    while (m.find()) {
      byId.put(Integer.parseInt(m.group(1)), m.group(3));
    }
    if (byId.isEmpty() || byId.firstKey() != 0 || byId.lastKey() != byId.size() - 1) {
      return List.of();
    }
    return List.copyOf(new ArrayList<>(byId.values()));
  }

  /** COCO-80 when there are 80 classes, else {@code class_0, class_1, ...}. */
  public static List<String> fallback(int count) {
    if (count == COCO80.size()) {
      return COCO80;
    }
    String[] names = new String[count];
    Arrays.setAll(names, i -> "class_" + i);
    return List.of(names);
  }
}
