package dev.alphaflow.model;

import static dev.alphaflow.model.ElementType.FLOAT32;

import java.util.List;
import java.util.stream.Collectors;

/** The model cards built into alphaflow; hashes and I/O contracts come from shared/models/MANIFEST.md. */
public final class ModelCards {

  private ModelCards() {}

  /** Robust Video Matting, MobileNetV3 backbone, converted from the official TF.js release (fp32). */
  public static final ModelCard RVM_MOBILENETV3 = ModelCard.builder()
      .id("rvm-mobilenetv3")
      .relativePath("rvm/rvm_mobilenetv3_fp32.onnx")
      .sha256("2a41b9e63effa117da1bf6c797d6c9fd4233f454748598d5d3f57ec480254d2e")
      .license("GPL-3.0")
      .description("Robust Video Matting (MobileNetV3-Large, ConvGRU decoder, guided-filter refiner); "
          + "src RGB 0..1 NCHW, recurrent states r1..r4, downsample_ratio")
      .input(TensorSpec.of("src", FLOAT32, -1, 3, -1, -1))
      .input(TensorSpec.of("r1i", FLOAT32, -1, -1, -1, -1))
      .input(TensorSpec.of("r2i", FLOAT32, -1, -1, -1, -1))
      .input(TensorSpec.of("r3i", FLOAT32, -1, -1, -1, -1))
      .input(TensorSpec.of("r4i", FLOAT32, -1, -1, -1, -1))
      .input(TensorSpec.of("downsample_ratio", FLOAT32, 1))
      .output(TensorSpec.of("fgr", FLOAT32, -1, 3, -1, -1))
      .output(TensorSpec.of("pha", FLOAT32, -1, 1, -1, -1))
      .output(TensorSpec.of("r1o", FLOAT32, -1, 16, -1, -1))
      .output(TensorSpec.of("r2o", FLOAT32, -1, 20, -1, -1))
      .output(TensorSpec.of("r3o", FLOAT32, -1, 40, -1, -1))
      .output(TensorSpec.of("r4o", FLOAT32, -1, 64, -1, -1))
      .build();

  /** MobileNetV2 int8 with the classifier cut off: feature maps at strides 4/8/16/32 (feature-bank keys). */
  public static final ModelCard MOBILENETV2_FEATURES = ModelCard.builder()
      .id("mobilenetv2-features")
      .relativePath("mobilenetv2/mobilenetv2_int8_features.onnx")
      .sha256("18a6cc871d94fbbe3771eb97dd0b3aceefef65a4ab4864750b6870b6f9364a7e")
      .license("Apache-2.0")
      .description("MobileNetV2-1.0 int8 feature extractor; input RGB/255 normalized with ImageNet mean/std")
      .input(TensorSpec.of("input", FLOAT32, -1, 3, -1, -1))
      .output(TensorSpec.of("feat_s4", FLOAT32, -1, 24, -1, -1))
      .output(TensorSpec.of("feat_s8", FLOAT32, -1, 32, -1, -1))
      .output(TensorSpec.of("feat_s16", FLOAT32, -1, 96, -1, -1))
      .output(TensorSpec.of("feat_s32", FLOAT32, -1, 320, -1, -1))
      .build();

  /** MobileNetV2 int8 ImageNet classifier (the model the feature extractor was cut from). */
  public static final ModelCard MOBILENETV2_CLASSIFIER = ModelCard.builder()
      .id("mobilenetv2-classifier")
      .relativePath("mobilenetv2/mobilenetv2-12-int8.onnx")
      .sha256("83530ad811bc31d2b60a5599a21265a5057608c9b044b4ee758cc22f2309f54f")
      .license("Apache-2.0")
      .description("MobileNetV2-1.0 int8 ImageNet-1k classifier, 224x224, logits")
      .input(TensorSpec.of("input", FLOAT32, -1, 3, 224, 224))
      .output(TensorSpec.of("output", FLOAT32, -1, 1000))
      .build();

  /** YOLOv8n-seg int8, fixed 320x320: boxes + class scores + mask coefficients, and mask prototypes. */
  public static final ModelCard YOLOV8N_SEG = ModelCard.builder()
      .id("yolov8n-seg")
      .relativePath("yolov8n-seg/yolov8n-seg_int8.onnx")
      .sha256("a892891617cbadd34d860f66a866393a8d4c487c49f1474e9b6d9e578332e56a")
      .license("AGPL-3.0")
      .description("YOLOv8n-seg (COCO-80) int8; letterboxed RGB 0..1 320x320; output0 [1,116,2100] "
          + "(cx,cy,w,h, 80 scores, 32 coefficients), output1 [1,32,80,80] prototypes; no NMS inside")
      .input(TensorSpec.of("images", FLOAT32, 1, 3, 320, 320))
      .output(TensorSpec.of("output0", FLOAT32, 1, 116, 2100))
      .output(TensorSpec.of("output1", FLOAT32, 1, 32, 80, 80))
      .build();

  private static final List<ModelCard> ALL =
      List.of(RVM_MOBILENETV3, MOBILENETV2_FEATURES, MOBILENETV2_CLASSIFIER, YOLOV8N_SEG);

  /** All built-in cards. */
  public static List<ModelCard> all() {
    return ALL;
  }

  /** The built-in card with this id. */
  public static ModelCard byId(String id) {
    for (ModelCard card : ALL) {
      if (card.id().equals(id)) {
        return card;
      }
    }
    throw new IllegalArgumentException("unknown model id '" + id + "'; known ids: "
        + ALL.stream().map(ModelCard::id).collect(Collectors.joining(", ")));
  }
}
