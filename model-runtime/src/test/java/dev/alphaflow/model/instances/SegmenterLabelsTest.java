package dev.alphaflow.model.instances;

import static org.assertj.core.api.Assertions.assertThat;

import dev.alphaflow.model.ModelRegistry;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.SharedSessions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link InstanceSegmenter#labels()} before the first frame: what a class filter can be checked against. */
class SegmenterLabelsTest {

  private static final SessionSettings ONE_THREAD = SessionSettings.builder().intraOpThreads(1).build();

  @TempDir
  Path dir;

  @AfterEach
  void noSessionLeaks() {
    assertThat(SharedSessions.openSessionCount()).isZero();
  }

  private InstanceSegmenter open(Path model) {
    return InstanceSegmenters.open(new ModelRegistry(dir), InstanceTinyModels.card(model), ONE_THREAD,
        InstanceOptions.defaults());
  }

  @Test
  void yoloSegNamesItsClassesFromTheOutputShape() {
    try (InstanceSegmenter s = open(InstanceTinyModels.yoloSeg(dir.resolve("yolo.onnx")))) {
      assertThat(s.labels()).containsExactly("class_0", "class_1");
    }
  }

  @Test
  void sparseInstNamesItsClassesWhenTheirCountIsFixed() {
    try (InstanceSegmenter s = open(InstanceTinyModels.sparseInst(dir.resolve("sparse.onnx")))) {
      assertThat(s.labels()).containsExactly("class_0", "class_1", "class_2");
    }
  }

  @Test
  void condInstFallsBackToCoco() {
    try (InstanceSegmenter s = open(InstanceTinyModels.condInst(dir.resolve("condinst.onnx")))) {
      assertThat(s.labels()).isEqualTo(ClassNames.COCO80);
    }
  }

  @Test
  void otherSegmentersTellNothingByDefault() {
    InstanceSegmenter anonymous = new InstanceSegmenter() {
      @Override
      public List<Instance> segment(dev.alphaflow.model.image.RgbImage frame) {
        return List.of();
      }

      @Override
      public InstanceOptions options() {
        return InstanceOptions.defaults();
      }

      @Override
      public void close() {}
    };
    assertThat(anonymous.labels()).isEmpty();
  }
}
