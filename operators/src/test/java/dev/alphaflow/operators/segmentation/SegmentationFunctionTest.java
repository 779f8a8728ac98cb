package dev.alphaflow.operators.segmentation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.SharedSessions;
import dev.alphaflow.model.eval.DavisMasks;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.instances.BinaryMask;
import dev.alphaflow.model.instances.Rle;
import dev.alphaflow.model.testing.SharedTestData;
import dev.alphaflow.model.vos.VosOptions;
import dev.alphaflow.operators.decode.DecodedFrame;
import dev.alphaflow.operators.decode.FramePrompt;
import dev.alphaflow.operators.sequencer.EndReason;
import dev.alphaflow.operators.sequencer.ResetReason;
import dev.alphaflow.operators.sequencer.SequencedFrame;
import dev.alphaflow.operators.testutils.TestFrames;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.DeadLetterReason;
import dev.alphaflow.schemas.PromptAction;
import dev.alphaflow.schemas.Segmentation;
import dev.alphaflow.schemas.SegmentedObject;

/**
 * The segmentation operator on real DAVIS frames (blackswan, halved to 427x240 to keep the test fast) with the real
 * MobileNetV2 feature model: prompts, dead letters for bad prompts, resets, END, and checkpoint/restore in the middle
 * of the sequence on both state backends giving the same masks as an uninterrupted run.
 */
class SegmentationFunctionTest {

    private static final String STREAM = "swan";
    private static final int FRAMES = 8;

    private static SegmentationSpec spec;
    private static List<RgbImage> images;
    private static List<byte[]> truth; // 0/255 masks per frame

    private final List<KeyedOneInputStreamOperatorTestHarness<String, SequencedFrame, Segmentation>> harnesses =
            new ArrayList<>();

    @BeforeAll
    static void load() throws Exception {
        spec = SegmentationSpec.builder()
                .modelDir(SharedTestData.modelDir())
                .sessionSettings(SessionSettings.builder().intraOpThreads(2).interOpThreads(1).build())
                .vosOptions(VosOptions.defaults())
                .build();
        Path jpegs = SharedTestData.data("davis2016/JPEGImages/480p/blackswan");
        Path masks = SharedTestData.data("davis2016/Annotations/480p/blackswan");
        images = new ArrayList<>();
        truth = new ArrayList<>();
        for (int t = 0; t < FRAMES; t++) {
            RgbImage full = ImageCodec.decode(Files.readAllBytes(jpegs.resolve(String.format("%05d.jpg", t))));
            images.add(halve(full));
            DavisMasks.LabelMap labels = DavisMasks.read(masks.resolve(String.format("%05d.png", t)));
            truth.add(halveMask(labels));
        }
    }

    @AfterEach
    void closeHarnesses() throws Exception {
        for (var h : harnesses) {
            h.close();
        }
        assertThat(SharedSessions.openSessionCount()).as("sessions released on close").isZero();
    }

    @Test
    void promptedObjectIsTrackedAndLabelled() throws Exception {
        var harness = newHarness(new HashMapStateBackend(), null);
        List<Segmentation> out = run(harness, sequence(0, FRAMES - 1));

        assertThat(out).hasSize(FRAMES);
        Segmentation first = out.get(0);
        assertThat(first.getStateReset()).isTrue();
        assertThat(first.getResetReason()).isEqualTo("FIRST_FRAME");
        assertThat(first.getObjects()).singleElement().satisfies(o -> {
            assertThat(o.getObjectId()).isEqualTo(1);
            assertThat(o.getLabel()).isEqualTo("swan");
            assertThat(mask(o)).as("the prompt frame outputs the prompt").isEqualTo(truthMask(0));
        });
        for (int t = 1; t < FRAMES; t++) {
            SegmentedObject swan = out.get(t).getObjects().get(0);
            assertThat(swan.getLabel()).isEqualTo("swan");
            assertThat(mask(swan).iou(truthMask(t))).as("IoU at frame %d", t).isGreaterThan(0.7);
            assertThat(swan.getScore()).isBetween(0.5f, 1f);
            assertThat(swan.getBbox()).isNotNull();
            assertThat(swan.getArea()).isEqualTo(mask(swan).area());
        }
        assertThat(harness.getSideOutput(SegmentationFunction.DEAD_LETTERS)).isNull();
    }

    @Test
    void badPromptsGoToTheDeadLettersAndTheStreamContinues() throws Exception {
        var harness = newHarness(new HashMapStateBackend(), null);
        SequencedFrame first = frame(0, ResetReason.FIRST_FRAME,
                addPrompt(1, "swan", png(truth.get(0), W(), H())),
                addPrompt(2, null, png(new byte[W() * H()], W(), H())),          // empty mask
                addPrompt(3, null, png(new byte[16 * 16], 16, 16)),              // wrong size
                addPrompt(4, null, new byte[] {1, 2, 3}),                         // not a PNG
                removePrompt(9));                                                  // unknown object
        List<Segmentation> out = run(harness, List.of(first, frame(1, ResetReason.NONE)));

        assertThat(out).hasSize(2);
        assertThat(out).allSatisfy(s -> assertThat(s.getObjects()).extracting(SegmentedObject::getObjectId)
                .containsExactly(1));
        List<DeadLetter> dead = deadLetters(harness);
        assertThat(dead).hasSize(4).allSatisfy(d -> {
            assertThat(d.getReason()).isEqualTo(DeadLetterReason.INVALID_PROMPT);
            assertThat(d.getStage()).isEqualTo(SegmentationFunction.STAGE);
            assertThat(d.getStreamId()).isEqualTo(STREAM);
            assertThat(d.getSeq()).isZero();
        });
        assertThat(dead).extracting(DeadLetter::getMessage).satisfiesExactly(
                m -> assertThat(m).contains("object 2").containsIgnoringCase("empty"),
                m -> assertThat(m).contains("object 3").contains("16x16"),
                m -> assertThat(m).contains("object 4").contains("not a readable PNG"),
                m -> assertThat(m).contains("REMOVE of object 9").contains("[1]"));
        assertThat(dead.get(2).getOriginal()).as("the rejected prompt's bytes are kept")
                .isEqualTo(ByteBuffer.wrap(new byte[] {1, 2, 3}));
    }

    @Test
    void objectsCanBeAddedLaterAndRemoved() throws Exception {
        var harness = newHarness(new HashMapStateBackend(), null);
        byte[] leftHalf = new byte[W() * H()];
        for (int y = 0; y < H(); y++) {
            for (int x = 0; x < W() / 4; x++) {
                leftHalf[y * W() + x] = (byte) 255;
            }
        }
        List<SequencedFrame> input = new ArrayList<>(sequence(0, 2));
        input.add(frame(3, ResetReason.NONE, addPrompt(2, "shore", png(leftHalf, W(), H()))));
        input.add(frame(4, ResetReason.NONE));
        input.add(frame(5, ResetReason.NONE, removePrompt(1)));
        input.add(frame(6, ResetReason.NONE));
        List<Segmentation> out = run(harness, input);

        assertThat(ids(out.get(2))).containsExactly(1);
        assertThat(ids(out.get(3))).containsExactly(1, 2);
        assertThat(ids(out.get(4))).containsExactly(1, 2);
        assertThat(out.get(4).getObjects().get(1).getLabel()).isEqualTo("shore");
        assertThat(ids(out.get(5))).containsExactly(2);
        assertThat(ids(out.get(6))).containsExactly(2);
        // Objects never overlap: each pixel belongs to at most one.
        BinaryMask a = mask(out.get(4).getObjects().get(0));
        BinaryMask b = mask(out.get(4).getObjects().get(1));
        assertThat(a.intersection(b)).isZero();
        assertThat(bankKeys(harness)).containsExactly(2);
    }

    @Test
    void resetForgetsObjectsAndEndClearsTheStream() throws Exception {
        var harness = newHarness(new HashMapStateBackend(), null);
        List<SequencedFrame> input = new ArrayList<>(sequence(0, 2));
        input.add(frame(3, ResetReason.GAP));
        List<Segmentation> out = run(harness, input);
        assertThat(ids(out.get(2))).containsExactly(1);
        assertThat(out.get(3).getObjects()).as("a reset forgets every object").isEmpty();
        assertThat(out.get(3).getResetReason()).isEqualTo("GAP");

        run(harness, List.of(frame(4, ResetReason.NONE, addPrompt(1, null, png(truth.get(4), W(), H())))));
        assertThat(bankKeys(harness)).containsExactly(1);
        run(harness, List.of(SequencedFrame.end(STREAM, EndReason.END_OF_STREAM)));
        assertThat(bankKeys(harness)).isEmpty();
    }

    @Test
    void restoreInTheMiddleGivesTheSameMasksOnHeap() throws Exception {
        restoreEquivalence(new HashMapStateBackend());
    }

    @Test
    void restoreInTheMiddleGivesTheSameMasksOnRocksDb() throws Exception {
        restoreEquivalence(new EmbeddedRocksDBStateBackend());
    }

    private void restoreEquivalence(StateBackend backend) throws Exception {
        List<Segmentation> uninterrupted = run(newHarness(backend, null), sequence(0, FRAMES - 1));

        var before = newHarness(backend, null);
        List<Segmentation> firstHalf = run(before, sequence(0, 3));
        before.prepareSnapshotPreBarrier(1);
        OperatorSubtaskState snapshot = before.snapshot(1, 1);
        // Frames the failed attempt processed after the checkpoint are replayed after the restore.
        run(before, sequence(4, 5));
        before.close();
        harnesses.remove(before);

        List<Segmentation> secondHalf = run(newHarness(backend, snapshot), sequence(4, FRAMES - 1));
        List<Segmentation> resumed = new ArrayList<>(firstHalf);
        resumed.addAll(secondHalf);
        assertThat(masks(resumed)).isEqualTo(masks(uninterrupted));
        assertThat(resumed).extracting(s -> s.getObjects().get(0).getScore())
                .containsExactlyElementsOf(uninterrupted.stream().map(s -> s.getObjects().get(0).getScore()).toList());
    }

    // ---- helpers ----

    private KeyedOneInputStreamOperatorTestHarness<String, SequencedFrame, Segmentation> newHarness(
            StateBackend backend, OperatorSubtaskState restoreFrom) throws Exception {
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new SegmentationFunction(spec)), SequencedFrame.byStreamId(), Types.STRING);
        harnesses.add(harness);
        harness.setStateBackend(backend);
        if (restoreFrom != null) {
            harness.initializeState(restoreFrom);
        }
        harness.open();
        return harness;
    }

    private static int W() {
        return images.get(0).width();
    }

    private static int H() {
        return images.get(0).height();
    }

    /** Frames from..to (inclusive) as the sequencer emits them; frame 0 carries the swan prompt. */
    private static List<SequencedFrame> sequence(int from, int to) {
        List<SequencedFrame> frames = new ArrayList<>();
        for (int t = from; t <= to; t++) {
            frames.add(t == 0
                    ? frame(0, ResetReason.FIRST_FRAME, addPrompt(1, "swan", png(truth.get(0), W(), H())))
                    : frame(t, ResetReason.NONE));
        }
        return frames;
    }

    private static SequencedFrame frame(int t, ResetReason reason, FramePrompt... prompts) {
        DecodedFrame f = TestFrames.decoded(STREAM, t, images.get(t));
        f.prompts = prompts;
        return SequencedFrame.frame(f, reason);
    }

    private static FramePrompt addPrompt(int id, String label, byte[] png) {
        FramePrompt p = new FramePrompt();
        p.objectId = id;
        p.action = PromptAction.ADD;
        p.maskPng = png;
        p.label = label;
        return p;
    }

    private static FramePrompt removePrompt(int id) {
        FramePrompt p = new FramePrompt();
        p.objectId = id;
        p.action = PromptAction.REMOVE;
        return p;
    }

    private static byte[] png(byte[] gray, int width, int height) {
        return ImageCodec.encodeGray8Png(gray, width, height);
    }

    private static List<Segmentation> run(
            KeyedOneInputStreamOperatorTestHarness<String, SequencedFrame, Segmentation> harness,
            List<SequencedFrame> input) throws Exception {
        for (SequencedFrame f : input) {
            harness.processElement(f, f.isEnd() ? 0 : f.frame.eventTimeMs);
        }
        List<Segmentation> out = harness.extractOutputValues();
        harness.getOutput().clear();
        return out;
    }

    private static List<DeadLetter> deadLetters(
            KeyedOneInputStreamOperatorTestHarness<String, SequencedFrame, Segmentation> harness) {
        return harness.getSideOutput(SegmentationFunction.DEAD_LETTERS).stream().map(r -> r.getValue()).toList();
    }

    private static List<Integer> ids(Segmentation s) {
        return s.getObjects().stream().map(SegmentedObject::getObjectId).toList();
    }

    private static List<Integer> bankKeys(
            KeyedOneInputStreamOperatorTestHarness<String, SequencedFrame, Segmentation> harness) throws Exception {
        KeyedStateBackend<String> backend = harness.getOperator().getKeyedStateBackend();
        List<Integer> ids = new ArrayList<>();
        try (Stream<String> keys = backend.getKeys(SegmentationFunction.BANKS_STATE, VoidNamespace.INSTANCE)) {
            for (String key : keys.toList()) {
                backend.setCurrentKey(key);
                var state = harness.getOperator().getKeyedStateStore().getMapState(
                        new org.apache.flink.api.common.state.MapStateDescriptor<>(SegmentationFunction.BANKS_STATE,
                                Types.INT, dev.alphaflow.operators.state.FeatureBankTypeInfo.INSTANCE));
                state.keys().forEach(ids::add);
            }
        }
        return ids.stream().sorted().toList();
    }

    private static BinaryMask mask(SegmentedObject o) {
        int[] counts = o.getMask().getCounts().stream().mapToInt(Integer::intValue).toArray();
        return Rle.of(o.getMask().getHeight(), o.getMask().getWidth(), counts).decode();
    }

    private static BinaryMask truthMask(int t) {
        return BinaryMask.fromBytes(W(), H(), truth.get(t));
    }

    private static List<List<String>> masks(List<Segmentation> out) {
        return out.stream().map(s -> s.getObjects().stream()
                .map(o -> o.getObjectId() + ":" + o.getMask().getCounts()).toList()).toList();
    }

    private static RgbImage halve(RgbImage full) {
        int w = full.width() / 2;
        int h = full.height() / 2;
        byte[] src = full.rgb();
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    int sum = 0;
                    for (int dy = 0; dy < 2; dy++) {
                        for (int dx = 0; dx < 2; dx++) {
                            sum += src[((2 * y + dy) * full.width() + 2 * x + dx) * 3 + c] & 0xff;
                        }
                    }
                    rgb[(y * w + x) * 3 + c] = (byte) ((sum + 2) / 4);
                }
            }
        }
        return new RgbImage(w, h, rgb);
    }

    private static byte[] halveMask(DavisMasks.LabelMap labels) {
        int w = labels.width() / 2;
        int h = labels.height() / 2;
        byte[] out = new byte[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int on = 0;
                for (int dy = 0; dy < 2; dy++) {
                    for (int dx = 0; dx < 2; dx++) {
                        on += labels.labels()[(2 * y + dy) * labels.width() + 2 * x + dx] != 0 ? 1 : 0;
                    }
                }
                out[y * w + x] = on >= 2 ? (byte) 255 : 0;
            }
        }
        return out;
    }
}
