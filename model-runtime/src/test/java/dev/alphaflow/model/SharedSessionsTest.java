package dev.alphaflow.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.alphaflow.model.testing.TinyModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hash and contract checks, reference counting, and provider selection of shared sessions. */
class SharedSessionsTest {

  @TempDir
  Path dir;

  @AfterEach
  void noLeaks() {
    assertThat(SharedSessions.openSessionCount()).as("sessions left open").isZero();
  }

  private ModelCard tinyCard() {
    return TinyModels.rvmCard(TinyModels.rvmContract(dir.resolve("tiny.onnx")));
  }

  @Test
  void twoAcquiresShareOneSessionUntilBothClose() {
    ModelCard card = tinyCard();
    ModelRegistry registry = new ModelRegistry(dir);
    SessionSettings settings = SessionSettings.builder().intraOpThreads(1).build();

    SharedSession first = SharedSessions.acquire(registry, card, settings);
    SharedSession second = SharedSessions.acquire(registry, card, settings);
    ai.onnxruntime.OrtSession shared = first.session();
    assertThat(second.session()).isSameAs(shared);
    assertThat(SharedSessions.openSessionCount()).isEqualTo(1);

    first.close();
    first.close(); // idempotent: must not release the second holder's reference
    assertThat(SharedSessions.openSessionCount()).isEqualTo(1);
    assertThat(second.session().getInputNames()).contains("src");
    assertThatThrownBy(first::session).isInstanceOf(IllegalStateException.class);

    second.close();
    assertThat(SharedSessions.openSessionCount()).isZero();

    // A fresh acquire after the last close opens a new session.
    try (SharedSession third = SharedSessions.acquire(registry, card, settings)) {
      assertThat(third.session()).isNotSameAs(shared);
    }
  }

  @Test
  void differentSettingsGetDifferentSessions() {
    ModelCard card = tinyCard();
    ModelRegistry registry = new ModelRegistry(dir);
    try (SharedSession one = SharedSessions.acquire(registry, card, SessionSettings.builder().intraOpThreads(1).build());
         SharedSession two = SharedSessions.acquire(registry, card,
             SessionSettings.builder().intraOpThreads(2).build())) {
      assertThat(two.session()).isNotSameAs(one.session());
      assertThat(SharedSessions.openSessionCount()).isEqualTo(2);
    }
  }

  @Test
  void wrongSha256NamesExpectedAndActual() {
    ModelCard good = tinyCard();
    String wrong = "0".repeat(64);
    ModelCard bad = good.toBuilder().sha256(wrong).build();

    assertThatThrownBy(() -> SharedSessions.acquire(new ModelRegistry(dir), bad, SessionSettings.defaults()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("sha256 mismatch")
        .hasMessageContaining("expected " + wrong)
        .hasMessageContaining("actual " + good.sha256())
        .hasMessageContaining("tiny.onnx");
  }

  @Test
  void missingFileNamesPathAndSetting() {
    ModelCard card = ModelCards.RVM_MOBILENETV3;
    assertThatThrownBy(() -> new ModelRegistry(dir).resolve(card))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(dir.resolve("rvm/rvm_mobilenetv3_fp32.onnx").toString())
        .hasMessageContaining("--model-dir")
        .hasMessageContaining("alphaflow.model.dir");
  }

  @Test
  void renamedOutputAndWrongChannelsAreNamed() {
    Path file = TinyModels.rvmContractVariant(dir.resolve("variant.onnx"), "alpha", 8);
    ModelCard card = TinyModels.rvmCard(file);

    assertThatThrownBy(() -> SharedSessions.acquire(new ModelRegistry(dir), card, SessionSettings.defaults()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("model rvm-tiny-contract: output 'pha' is missing")
        .hasMessageContaining("output 'r1o' has shape [?,8,?,?], expected [?,16,?,?]");
  }

  @Test
  void wrongElementTypeAndRankAreNamed() {
    ModelCard card = tinyCard().toBuilder()
        .inputs(java.util.List.of(
            TensorSpec.of("src", ElementType.UINT8, -1, 3, -1, -1),
            TensorSpec.of("r1i", ElementType.FLOAT32, -1, -1, -1),
            TensorSpec.of("r2i", ElementType.FLOAT32, -1, -1, -1, -1),
            TensorSpec.of("r3i", ElementType.FLOAT32, -1, -1, -1, -1),
            TensorSpec.of("r4i", ElementType.FLOAT32, -1, -1, -1, -1)))
        .build();

    assertThatThrownBy(() -> SharedSessions.acquire(new ModelRegistry(dir), card, SessionSettings.defaults()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("input 'src' has element type FLOAT32")
        .hasMessageContaining("expected UINT8")
        .hasMessageContaining("input 'r1i' has shape [?,?,?,?], expected [?,?,?]")
        .hasMessageContaining("the model needs input 'downsample_ratio', which the card does not list");
  }

  @Test
  void cardWithoutContractOpensAnyModel() {
    Path file = TinyModels.rvmContract(dir.resolve("any.onnx"));
    ModelCard card = ModelCard.forFile("any", file);
    try (SharedSession session = SharedSessions.acquire(new ModelRegistry(dir), card, SessionSettings.defaults())) {
      assertThat(session.card().sha256()).isEqualTo(TinyModels.sha256(file));
      assertThat(session.modelPath()).isEqualTo(file.toAbsolutePath().normalize());
    }
  }

  @Test
  void garbageFileWithMatchingHashFailsToOpenClearly() throws IOException {
    Path file = Files.write(dir.resolve("garbage.onnx"), new byte[] {1, 2, 3, 4, 5});
    ModelCard card = ModelCard.forFile("garbage", file);
    assertThatThrownBy(() -> SharedSessions.acquire(new ModelRegistry(dir), card, SessionSettings.defaults()))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("model garbage: ONNX Runtime cannot open");
  }

  @Test
  void unavailableGpuProviderFailsNamingProviderAndFix() {
    ModelCard card = tinyCard();
    for (ExecutionProvider gpu : new ExecutionProvider[] {ExecutionProvider.CUDA, ExecutionProvider.TENSORRT}) {
      if (OrtRuntime.availableProviders().contains(gpu)) {
        continue; // a GPU build: the provider is genuinely there, nothing to reject
      }
      SessionSettings settings = SessionSettings.builder().executionProvider(gpu).build();
      assertThatThrownBy(() -> SharedSessions.acquire(new ModelRegistry(dir), card, settings))
          .isInstanceOf(ModelLoadException.class)
          .hasMessageContaining("execution provider " + gpu)
          .hasMessageContaining("available: [CPU]")
          .hasMessageContaining("onnxruntime_gpu")
          .hasMessageContaining("allowCpuFallback");
    }
  }

  @Test
  void unavailableGpuProviderFallsBackToCpuWhenAllowed() {
    ModelCard card = tinyCard();
    SessionSettings settings = SessionSettings.builder()
        .executionProvider(ExecutionProvider.CUDA)
        .allowCpuFallback(true)
        .build();
    try (SharedSession session = SharedSessions.acquire(new ModelRegistry(dir), card, settings)) {
      ExecutionProvider expected = OrtRuntime.availableProviders().contains(ExecutionProvider.CUDA)
          ? ExecutionProvider.CUDA : ExecutionProvider.CPU;
      assertThat(session.provider()).isEqualTo(expected);
      assertThat(session.session().getOutputNames()).contains("pha");
    }
  }

  @Test
  void cpuIsAlwaysAvailable() {
    assertThat(OrtRuntime.availableProviders()).contains(ExecutionProvider.CPU);
    assertThat(OrtRuntime.environment()).isSameAs(OrtRuntime.environment());
  }
}
