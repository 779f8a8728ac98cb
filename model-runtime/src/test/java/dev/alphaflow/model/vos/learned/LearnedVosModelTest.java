package dev.alphaflow.model.vos.learned;

import static dev.alphaflow.model.ElementType.FLOAT32;
import static dev.alphaflow.model.vos.learned.LearnedVosTinyModels.STRIDE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.alphaflow.model.ModelCard;
import dev.alphaflow.model.ModelLoadException;
import dev.alphaflow.model.ModelRegistry;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.SharedSessions;
import dev.alphaflow.model.TensorSpec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.vos.AttentionReadout;
import dev.alphaflow.model.vos.FeatureBank;
import dev.alphaflow.model.vos.FeatureBankConfig;
import dev.alphaflow.model.vos.ReadoutKernel;
import dev.alphaflow.model.vos.learned.LearnedVosTinyModels.DecoderWeights;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The learned-VOS adapter on tiny generated models (stride 4, Ck = 2, Cv = 3) against outputs worked out by hand,
 * and the load-time contract check on models that break it. Frames are 12x8, so the grid is 3x2 (6 positions) and
 * a transposed width/height or channel/position shows.
 */
class LearnedVosModelTest {

  private static final SessionSettings ONE_THREAD = SessionSettings.builder().intraOpThreads(1).build();
  private static final int W = 12;
  private static final int H = 8;
  private static final DecoderWeights WEIGHTS =
      new DecoderWeights(new float[] {1, -1, 0.5f}, new float[] {0.1f, -0.1f}, 0.25f, -0.5f);
  /** Decodes {@code sigmoid(readout channel 0)} only. */
  private static final DecoderWeights FIRST_CHANNEL =
      new DecoderWeights(new float[] {1, 0, 0}, new float[] {0, 0}, 0, 0);

  @TempDir
  Path dir;

  @AfterEach
  void noSessionLeaks() {
    assertThat(SharedSessions.openSessionCount()).isZero();
  }

  // ---------------------------------------------------------------- encoders and decoder, by hand

  @Test
  void keysAreTheKeyEncoderOutputTransposedToOneRowPerPosition() {
    try (LearnedVosModel model = open(standardCards(WEIGHTS, STRIDE))) {
      assertThat(model.keyDim()).isEqualTo(2);
      assertThat(model.valueDim()).isEqualTo(3);
      assertThat(model.stride()).isEqualTo(4);
      assertThat(model.decoderFeatures()).containsExactlyInAnyOrder("key", "skip");

      KeyFeatures key = model.encodeKey(gradient());

      assertThat(key.gridWidth()).isEqualTo(3);
      assertThat(key.gridHeight()).isEqualTo(2);
      assertThat(key.positions()).isEqualTo(6);
      assertThat(key.keys()).hasSize(6 * 2);
      // cell (0, 0): mean R = 20 * 1.5 = 30, mean G = 30 * 1.5 = 45; key = 10 * normalized (R, G)
      assertThat(key.keys()[0]).isCloseTo(-16.041613f, offset(1e-4f));
      assertThat(key.keys()[1]).isCloseTo(-12.478992f, offset(1e-4f));
      // cell (2, 1), row 5: mean R = 20 * 9.5 = 190, mean G = 30 * 5.5 = 165
      assertThat(key.keys()[10]).isCloseTo(11.357993f, offset(1e-4f));
      assertThat(key.keys()[11]).isCloseTo(8.529412f, offset(1e-4f));
      for (int p = 0; p < 6; p++) {
        assertThat(key.keys()[2 * p]).as("R of row %d", p).isCloseTo(expectedKey(p, 0), offset(1e-4f));
        assertThat(key.keys()[2 * p + 1]).as("G of row %d", p).isCloseTo(expectedKey(p, 1), offset(1e-4f));
      }
    }
  }

  @Test
  void valuesEncodeMaskOthersAndImagePerCell() {
    try (LearnedVosModel model = open(standardCards(WEIGHTS, STRIDE))) {
      float[] mask = new float[W * H];
      float[] others = new float[W * H];
      fill(mask, 0, 0, 4, 4, 1f); // cell (0, 0) whole
      fill(mask, 4, 0, 2, 4, 1f); // left half of cell (1, 0): mean 0.5
      fill(others, 8, 4, 4, 4, 1f); // cell (2, 1)
      fill(others, 0, 4, 4, 4, 0.5f); // cell (0, 1)

      float[] values = model.encodeValue(gradient(), mask, others);

      // [8 * mean(mask) - 4, mean(others), normalized mean R]; mean R = 30, 110, 190 by column
      float r30 = -1.6041613f;
      float r110 = -0.23418101f;
      float r190 = 1.1357993f;
      float[] expected = {
          4, 0, r30,   0, 0, r110,    -4, 0, r190,
          -4, 0.5f, r30,   -4, 0, r110,   -4, 1, r190};
      assertClose(values, expected, 1e-5f);
    }
  }

  @Test
  void decoderUpsamplesReadoutKeyAndSkipToFrameResolution() {
    try (LearnedVosModel model = open(standardCards(WEIGHTS, STRIDE))) {
      RgbImage frame = gradient();
      KeyFeatures key = model.encodeKey(frame);
      float[] readout = {0.5f, 1, 2, -1, 0, 1, 2, -2, 0, 0, 0.25f, -1, 1, 1, 1, -0.5f, 0.5f, 0};

      float[] probability = model.decode(readout, key);

      assertThat(probability).hasSize(W * H);
      // pixel (0, 0): readout 0.5 - 1 + 0.5 * 2 = 0.5; key 0.1 * (-16.0416 + 12.4790) = -0.35626; bias -0.5;
      // skip: 0.25 * mean of the normalized R 10, G 15, B 7 (the 2x2 block's means) = 0.25 * -1.800735
      assertThat(probability[0]).isCloseTo(sigmoid(-0.806446), offset(1e-5f));
      assertThat(probability[0]).isCloseTo(0.308648f, offset(1e-5f));
      for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
          int p = (y / 4) * 3 + x / 4;
          double logit = WEIGHTS.bias() + 0.25 * skip(x / 2, y / 2);
          for (int c = 0; c < 3; c++) {
            logit += WEIGHTS.readout()[c] * readout[p * 3 + c];
          }
          logit += 0.1 * expectedKey(p, 0) - 0.1 * expectedKey(p, 1);
          assertThat(probability[y * W + x]).as("pixel (%d, %d)", x, y).isCloseTo(sigmoid(logit), offset(1e-5f));
        }
      }
    }
  }

  @Test
  void frameZeroInTheFeatureBankSegmentsTheMovedObjectOnFrameOne() {
    try (LearnedVosModel model = open(standardCards(FIRST_CHANNEL, STRIDE));
         AttentionReadout readout = AttentionReadout.java()) {
      FeatureBank bank = new FeatureBank(model.keyDim(), model.valueDim(),
          FeatureBankConfig.builder().readoutKernel(ReadoutKernel.JAVA).build());
      // frame 0: a red object in cell (0, 0); frame 1: it moved to cell (2, 1). The rest is black.
      RgbImage frame0 = redCell(0, 0);
      RgbImage frame1 = redCell(2, 1);
      float[] mask0 = new float[W * H];
      fill(mask0, 0, 0, 4, 4, 1f);

      KeyFeatures key0 = model.encodeKey(frame0);
      float[] values0 = model.encodeValue(frame0, mask0, new float[W * H]);
      bank.absorb(0, key0.keys(), values0, key0.positions());
      assertThat(bank.size()).isEqualTo(6);

      KeyFeatures key1 = model.encodeKey(frame1);
      float[] memory = bank.read(readout, key1.keys(), key1.positions());
      assertThat(memory).hasSize(6 * 3);
      // Red keys (22.5, -20.4) and black keys (-21.2, -20.4) are far apart at scale 1/sqrt(2): each query reads
      // the frame-0 cells of its own colour, so the red cell (2, 1) = row 5 reads the object's value 8 * 1 - 4.
      assertThat(memory[5 * 3]).isCloseTo(4f, offset(1e-3f));
      assertThat(memory[5 * 3 + 2]).isCloseTo(2.2489083f, offset(2e-3f)); // normalized red, stored as fp16
      assertThat(memory[0]).isCloseTo(-4f, offset(1e-3f));

      float[] probability = model.decode(memory, key1);

      assertThat(probability).hasSize(W * H);
      for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
          boolean object = x >= 8 && y >= 4;
          assertThat(probability[y * W + x]).as("pixel (%d, %d)", x, y)
              .isCloseTo(object ? 0.98201376f : 0.01798621f, offset(1e-4f)); // sigmoid(+-4)
        }
      }
    }
  }

  @Test
  void othersSumsTheOtherObjectsClampedToOne() {
    float[][] p = {{0.2f, 0.9f, 0f}, {0.5f, 0.7f, 0.1f}, {0.25f, 0.6f, 0f}};

    assertClose(LearnedVosModel.others(p, 0), new float[] {0.75f, 1f, 0.1f}, 1e-6f);
    assertClose(LearnedVosModel.others(p, 1), new float[] {0.45f, 1f, 0f}, 1e-6f);
    assertClose(LearnedVosModel.others(new float[][] {{0.3f}}, 0), new float[] {0f}, 0f);
  }

  @Test
  void callsCheckSizesAndTheClosedState() {
    LearnedVosModel model = open(standardCards(WEIGHTS, STRIDE));
    try (model) {
      assertThatThrownBy(() -> model.encodeKey(new RgbImage(10, 8, new byte[10 * 8 * 3])))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("frame width 10 is not a multiple of the stride 4");
      assertThatThrownBy(() -> model.encodeValue(gradient(), new float[W * H - 1], new float[W * H]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("mask has 95 values; a 12x8 frame needs 96");
      KeyFeatures key = model.encodeKey(gradient());
      assertThatThrownBy(() -> model.decode(new float[6 * 2], key))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("readout has 12 floats; a 3x2 grid with Cv = 3 needs 18");
    }
    assertThatThrownBy(() -> model.encodeKey(gradient()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  // ---------------------------------------------------------------- contract violations at load

  @Test
  void missingKeyOutputFailsAtLoadNamingIt() {
    LearnedVosCards cards = cards(
        LearnedVosTinyModels.keyEncoder(dir.resolve("key.onnx"), "1,3,H,W", "features", "1,2,h,w"),
        LearnedVosTinyModels.valueEncoder(dir.resolve("value.onnx")),
        LearnedVosTinyModels.decoder(dir.resolve("decoder.onnx"), WEIGHTS, "skip"), STRIDE);

    assertThatThrownBy(() -> open(cards))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("model vos-key-encoder: output 'key' is missing (its outputs are [")
        .hasMessageContaining("features")
        // the decoder's key input now has no producer either
        .hasMessageContaining("model vos-decoder: input 'key' is neither 'readout' nor an output of vos-key-encoder");
  }

  @Test
  void readoutChannelsThatDisagreeWithTheValueEncoderFailAtLoad() {
    DecoderWeights fourChannels = new DecoderWeights(new float[] {1, 0, 0, 0}, new float[] {0, 0}, 0, 0);

    assertThatThrownBy(() -> open(standardCards(fourChannels, STRIDE)))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("model vos-decoder: input 'readout' has shape [1,4,?,?], expected [1,3,?,?] "
            + "(Cv = 3, the channels of output 'value' of vos-value-encoder)");
  }

  @Test
  void maskOfRankThreeFailsAtLoad() {
    LearnedVosCards cards = cards(
        LearnedVosTinyModels.keyEncoder(dir.resolve("key.onnx")),
        LearnedVosTinyModels.valueEncoder(dir.resolve("value.onnx"), "1,H,W"),
        LearnedVosTinyModels.decoder(dir.resolve("decoder.onnx"), WEIGHTS, "skip"), STRIDE);

    assertThatThrownBy(() -> open(cards))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("model vos-value-encoder: input 'mask' has shape [1,?,?] (rank 3), expected [1,1,?,?]");
  }

  @Test
  void decoderInputTheKeyEncoderDoesNotProduceFailsAtLoad() {
    LearnedVosCards cards = cards(
        LearnedVosTinyModels.keyEncoder(dir.resolve("key.onnx")),
        LearnedVosTinyModels.valueEncoder(dir.resolve("value.onnx")),
        LearnedVosTinyModels.decoder(dir.resolve("decoder.onnx"), WEIGHTS, "skip_s8"), STRIDE);

    assertThatThrownBy(() -> open(cards))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("model vos-decoder: input 'skip_s8' is neither 'readout' nor an output of "
            + "vos-key-encoder");
  }

  @Test
  void symbolicKeyChannelsAreReadFromTheCard() {
    Path keyFile = LearnedVosTinyModels.keyEncoder(dir.resolve("key.onnx"), "1,3,H,W", "key", "1,C,h,w");
    LearnedVosCards undeclared = cards(keyFile, LearnedVosTinyModels.valueEncoder(dir.resolve("value.onnx")),
        LearnedVosTinyModels.decoder(dir.resolve("decoder.onnx"), WEIGHTS, "skip"), STRIDE);

    assertThatThrownBy(() -> open(undeclared))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("model vos-key-encoder: the channel count of 'key' is symbolic in the model "
            + "([1,?,?,?]) and card 'vos-key-encoder' does not declare it");

    ModelCard declared = undeclared.keyEncoder().toBuilder()
        .output(TensorSpec.of("key", FLOAT32, 1, 2, -1, -1))
        .build();
    try (LearnedVosModel model = open(LearnedVosCards.of(declared, undeclared.valueEncoder(),
        undeclared.decoder(), STRIDE))) {
      assertThat(model.keyDim()).isEqualTo(2);
      assertThat(model.encodeKey(gradient()).keys()[0]).isCloseTo(-16.041613f, offset(1e-4f));
    }
  }

  @Test
  void cardChannelsThatContradictTheModelFailAtLoad() {
    LearnedVosCards cards = standardCards(WEIGHTS, STRIDE);
    ModelCard wrong = cards.keyEncoder().toBuilder().output(TensorSpec.of("key", FLOAT32, 1, 4, -1, -1)).build();

    assertThatThrownBy(() -> open(LearnedVosCards.of(wrong, cards.valueEncoder(), cards.decoder(), STRIDE)))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("model vos-key-encoder: output 'key' has shape [1,2,?,?], expected [1,4,?,?]");
  }

  @Test
  void strideIsReadFromFixedShapesAndADeclaredOneMustAgree() {
    Path key = LearnedVosTinyModels.keyEncoder(dir.resolve("key.onnx"), "1,3,8,8", "key", "1,2,2,2");
    Path value = LearnedVosTinyModels.valueEncoder(dir.resolve("value.onnx"));
    Path decoder = LearnedVosTinyModels.decoder(dir.resolve("decoder.onnx"), WEIGHTS, "skip");
    LearnedVosCards fromShapes = LearnedVosCards.strideFromShapes(
        card(LearnedVosCards.KEY_ENCODER_ID, key), card(LearnedVosCards.VALUE_ENCODER_ID, value),
        card(LearnedVosCards.DECODER_ID, decoder));

    try (LearnedVosModel model = open(fromShapes)) {
      assertThat(model.stride()).isEqualTo(4);
      assertThat(model.encodeKey(new RgbImage(8, 8, new byte[8 * 8 * 3])).positions()).isEqualTo(4);
    }
    assertThatThrownBy(() -> open(LearnedVosCards.of(fromShapes.keyEncoder(), fromShapes.valueEncoder(),
        fromShapes.decoder(), 2)))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("model vos-key-encoder: output 'key' has shape [1,2,2,2], expected [1,2,4,4] "
            + "(input 'image' [1,3,8,8] at stride 2)");
    LearnedVosCards symbolic = standardCards(WEIGHTS, STRIDE);
    assertThatThrownBy(() -> open(LearnedVosCards.strideFromShapes(symbolic.keyEncoder(), symbolic.valueEncoder(),
        symbolic.decoder())))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("cannot read the stride from input 'image' [1,3,?,?] and output 'key' [1,2,?,?]");
  }

  // ---------------------------------------------------------------- helpers

  private LearnedVosModel open(LearnedVosCards cards) {
    return LearnedVosModel.open(new ModelRegistry(dir), ONE_THREAD, cards);
  }

  private LearnedVosCards standardCards(DecoderWeights weights, int stride) {
    return cards(LearnedVosTinyModels.keyEncoder(dir.resolve("key.onnx")),
        LearnedVosTinyModels.valueEncoder(dir.resolve("value.onnx")),
        LearnedVosTinyModels.decoder(dir.resolve("decoder.onnx"), weights, "skip"), stride);
  }

  private static LearnedVosCards cards(Path key, Path value, Path decoder, int stride) {
    return LearnedVosCards.of(card(LearnedVosCards.KEY_ENCODER_ID, key), card(LearnedVosCards.VALUE_ENCODER_ID, value),
        card(LearnedVosCards.DECODER_ID, decoder), stride);
  }

  private static ModelCard card(String id, Path file) {
    return ModelCard.forFile(id, file);
  }

  /** 12x8, R = 20x, G = 30y, B = 7: linear, so a cell's mean is the value at its centre. */
  private static RgbImage gradient() {
    byte[] rgb = new byte[W * H * 3];
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        int i = (y * W + x) * 3;
        rgb[i] = (byte) (20 * x);
        rgb[i + 1] = (byte) (30 * y);
        rgb[i + 2] = 7;
      }
    }
    return new RgbImage(W, H, rgb);
  }

  /** 12x8 black with the 4x4 cell (cx, cy) pure red. */
  private static RgbImage redCell(int cx, int cy) {
    byte[] rgb = new byte[W * H * 3];
    for (int y = 4 * cy; y < 4 * cy + 4; y++) {
      for (int x = 4 * cx; x < 4 * cx + 4; x++) {
        rgb[(y * W + x) * 3] = (byte) 255;
      }
    }
    return new RgbImage(W, H, rgb);
  }

  private static double normalized(double byteValue, int channel) {
    double[] mean = {0.485, 0.456, 0.406};
    double[] std = {0.229, 0.224, 0.225};
    return (byteValue / 255 - mean[channel]) / std[channel];
  }

  /** Row p of the gradient's keys: 10 * normalized mean R (channel 0) or G (channel 1) of cell p. */
  private static float expectedKey(int p, int channel) {
    int cx = p % 3;
    int cy = p / 3;
    double mean = channel == 0 ? 20 * (4 * cx + 1.5) : 30 * (4 * cy + 1.5);
    return (float) (10 * normalized(mean, channel));
  }

  /** The gradient's skip at (i, j): the channel mean of the normalized 2x2 block means. */
  private static double skip(int i, int j) {
    double r = 20 * (2 * i + 0.5);
    double g = 30 * (2 * j + 0.5);
    return (normalized(r, 0) + normalized(g, 1) + normalized(7, 2)) / 3;
  }

  private static void fill(float[] plane, int x0, int y0, int w, int h, float v) {
    for (int y = y0; y < y0 + h; y++) {
      Arrays.fill(plane, y * W + x0, y * W + x0 + w, v);
    }
  }

  private static float sigmoid(double x) {
    return (float) (1 / (1 + Math.exp(-x)));
  }

  private static void assertClose(float[] actual, float[] expected, float tolerance) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i], offset(tolerance));
    }
  }
}
