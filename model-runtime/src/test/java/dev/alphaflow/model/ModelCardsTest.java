package dev.alphaflow.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.alphaflow.model.testing.SharedTestData;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

/** The built-in cards describe the real model files in the shared folder. */
class ModelCardsTest {

  @Test
  void everyBuiltInCardMatchesItsRealModel() {
    ModelRegistry registry = SharedTestData.modelRegistry();
    SessionSettings settings = SessionSettings.builder().optimizationLevel(OptimizationLevel.BASIC).build();
    for (ModelCard card : ModelCards.all()) {
      try (SharedSession session = SharedSessions.acquire(registry, card, settings)) {
        assertThat(session.session().getInputNames())
            .containsAll(card.inputs().stream().map(TensorSpec::name).toList());
      }
    }
    assertThat(SharedSessions.openSessionCount()).isZero();
  }

  @Test
  void byIdFindsCardsAndListsKnownIdsOtherwise() {
    assertThat(ModelCards.byId("rvm-mobilenetv3")).isSameAs(ModelCards.RVM_MOBILENETV3);
    assertThat(ModelCards.byId("yolov8n-seg")).isSameAs(ModelCards.YOLOV8N_SEG);
    assertThatThrownBy(() -> ModelCards.byId("modnet"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("modnet")
        .hasMessageContaining("rvm-mobilenetv3, mobilenetv2-features");
  }

  @Test
  void rvmCardHasTheManifestContract() {
    ModelCard card = ModelCards.RVM_MOBILENETV3;
    assertThat(card.relativePath()).isEqualTo("rvm/rvm_mobilenetv3_fp32.onnx");
    assertThat(card.inputs()).extracting(TensorSpec::name)
        .containsExactly("src", "r1i", "r2i", "r3i", "r4i", "downsample_ratio");
    assertThat(card.outputs()).extracting(TensorSpec::name)
        .containsExactly("fgr", "pha", "r1o", "r2o", "r3o", "r4o");
    assertThat(card.outputs().get(2)).isEqualTo(TensorSpec.of("r1o", ElementType.FLOAT32, -1, 16, -1, -1));
  }

  @Test
  void cardsAreSerializableValues() throws IOException, ClassNotFoundException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(ModelCards.RVM_MOBILENETV3);
      out.writeObject(SessionSettings.defaults());
      out.writeObject(SharedTestData.modelRegistry());
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertThat(in.readObject()).isEqualTo(ModelCards.RVM_MOBILENETV3);
      assertThat(in.readObject()).isEqualTo(SessionSettings.defaults());
      assertThat(in.readObject()).isEqualTo(SharedTestData.modelRegistry());
    }
  }

  @Test
  void builderRejectsBadInput() {
    assertThatThrownBy(() -> ModelCard.builder().id("x").relativePath("a.onnx").sha256("abc").build())
        .hasMessageContaining("sha256 must be 64 hex digits");
    assertThatThrownBy(() -> ModelCard.builder().id("x").relativePath("/abs/a.onnx").sha256("a".repeat(64)).build())
        .hasMessageContaining("relative");
    assertThat(ModelCard.builder().id("x").relativePath("a.onnx").sha256("A".repeat(64)).build().sha256())
        .isEqualTo("a".repeat(64));
    assertThatThrownBy(() -> ModelCard.builder().id("x").relativePath("a.onnx").sha256("a".repeat(64))
        .input(TensorSpec.of("in", ElementType.FLOAT32, 1)).input(TensorSpec.of("in", ElementType.FLOAT32, 2))
        .build())
        .hasMessageContaining("input 'in' is listed twice");
  }

  @Test
  void tensorSpecComparesShapesByValue() {
    TensorSpec a = TensorSpec.of("x", ElementType.FLOAT32, -1, 3);
    TensorSpec b = TensorSpec.of("x", ElementType.FLOAT32, -1, 3);
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(TensorSpec.of("x", ElementType.FLOAT32, -1, 4));
    assertThat(a.toString()).isEqualTo("x:FLOAT32[?,3]");
    long[] shape = a.shape();
    shape[1] = 99;
    assertThat(a.dim(1)).isEqualTo(3); // defensive copies keep the spec immutable
    assertThatThrownBy(() -> TensorSpec.of("x", ElementType.FLOAT32, -2)).hasMessageContaining("-1");
  }
}
