package dev.alphaflow.operators.segmentation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.alphaflow.model.ModelCards;
import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.SharedSessions;
import dev.alphaflow.model.eval.DavisMasks;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.model.image.RgbImage;
import dev.alphaflow.model.instances.BinaryMask;
import dev.alphaflow.model.instances.Rle;
import dev.alphaflow.model.testing.SharedTestData;
import dev.alphaflow.model.vos.TrackEvidence;
import dev.alphaflow.model.vos.VosOptions;
import dev.alphaflow.operators.instances.InstancesSpec;
import dev.alphaflow.operators.sequencer.ResetReason;
import dev.alphaflow.operators.sequencer.SequencedFrame;
import dev.alphaflow.operators.testutils.TestFrames;
import dev.alphaflow.schemas.Segmentation;
import dev.alphaflow.schemas.SegmentedObject;

/**
 * "Detect, then track" in the segmentation operator, on the first frames of DAVIS dance-twirl with the real
 * YOLOv8n-seg and MobileNetV2 models: with no prompt at all, person detections start tracks, the dancer keeps one
 * track (labelled with the class) across frames, and a restore in the middle gives the same output.
 */
class SegmentationTrackingTest {

    private static final String STREAM = "stage";
    private static final int FRAMES = 6;

    private static List<RgbImage> images;
    private static List<BinaryMask> dancer;

    private final List<KeyedOneInputStreamOperatorTestHarness<String, SequencedFrame, Segmentation>> harnesses =
            new ArrayList<>();

    @BeforeAll
    static void load() throws Exception {
        Path jpegs = SharedTestData.data("davis2016/JPEGImages/480p/dance-twirl");
        Path masks = SharedTestData.data("davis2016/Annotations/480p/dance-twirl");
        images = new ArrayList<>();
        dancer = new ArrayList<>();
        for (int t = 0; t < FRAMES; t++) {
            images.add(ImageCodec.decode(Files.readAllBytes(jpegs.resolve(String.format("%05d.jpg", t)))));
            DavisMasks.LabelMap labels = DavisMasks.read(masks.resolve(String.format("%05d.png", t)));
            byte[] on = new byte[labels.labels().length];
            for (int i = 0; i < on.length; i++) {
                on[i] = labels.labels()[i] != 0 ? (byte) 1 : 0;
            }
            dancer.add(BinaryMask.fromBytes(labels.width(), labels.height(), on));
        }
    }

    @AfterEach
    void closeHarnesses() throws Exception {
        for (var h : harnesses) {
            h.close();
        }
        assertThat(SharedSessions.openSessionCount()).as("sessions released on close").isZero();
    }

    private static SegmentationSpec spec(Set<String> startClasses) {
        return spec(startClasses, SegmentationSpec.DEFAULT_DROP_STARTED_TRACKS_AFTER);
    }

    private static SegmentationSpec spec(Set<String> startClasses, int dropAfter) {
        SessionSettings settings = SessionSettings.builder().intraOpThreads(2).interOpThreads(1).build();
        return SegmentationSpec.builder()
                .modelDir(SharedTestData.modelDir())
                .sessionSettings(settings)
                .vosOptions(VosOptions.defaults())
                .tracking(InstancesSpec.builder().modelDir(SharedTestData.modelDir()).card(ModelCards.YOLOV8N_SEG)
                                .sessionSettings(settings).build(),
                        new TrackEvidence.Options(startClasses, 0.5f, 0.3f, 0.5f, 16, 0.5f))
                .dropStartedTracksAfter(dropAfter)
                .build();
    }

    @Test
    void personDetectionsStartTracksAndTheDancerKeepsOne() throws Exception {
        List<Segmentation> out = run(newHarness(spec(Set.of("person")), null), 0, FRAMES - 1);

        assertThat(out).hasSize(FRAMES);
        SegmentedObject first = best(out.get(0), 0);
        assertThat(first.getLabel()).as("a started track carries its class").isEqualTo("person");
        int dancerId = first.getObjectId();
        for (int t = 0; t < FRAMES; t++) {
            Segmentation s = out.get(t);
            assertThat(s.getTimingsMicros()).containsKey("detect");
            SegmentedObject best = best(s, t);
            assertThat(best.getObjectId()).as("frame %d: the dancer keeps her id", t).isEqualTo(dancerId);
            assertThat(mask(best).iou(dancer.get(t))).as("frame %d: IoU with DAVIS", t).isGreaterThan(0.7);
            BinaryMask truth = dancer.get(t);
            long otherTracksOnHer = s.getObjects().stream()
                    .filter(o -> o.getObjectId() != dancerId && mask(o).iou(truth) > 0.2).count();
            assertThat(otherTracksOnHer).as("frame %d: no second track for the dancer", t).isZero();
        }
    }

    @Test
    void restoreInTheMiddleGivesTheSameOutput() throws Exception {
        SegmentationSpec spec = spec(Set.of("person"));
        List<Segmentation> uninterrupted = run(newHarness(spec, null), 0, FRAMES - 1);

        var before = newHarness(spec, null);
        run(before, 0, 2);
        OperatorSubtaskState snapshot = before.snapshot(1L, 1L);
        List<Segmentation> after = run(newHarness(spec, snapshot), 3, FRAMES - 1);

        assertThat(masks(after)).isEqualTo(masks(uninterrupted.subList(3, FRAMES)));
        assertThat(after).extracting(s -> s.getObjects().stream().map(SegmentedObject::getLabel).toList())
                .isEqualTo(uninterrupted.subList(3, FRAMES).stream()
                        .map(s -> s.getObjects().stream().map(SegmentedObject::getLabel).toList()).toList());
    }

    @Test
    void startedTracksAreDroppedWhenNoDetectionSupportsThemAnyMore() throws Exception {
        var harness = newHarness(spec(Set.of("person"), 3), null);
        List<Segmentation> out = new ArrayList<>(run(harness, 0, 1));
        assertThat(out.get(1).getObjects()).as("tracks started on the dance floor").isNotEmpty();
        // the scene changes to a pond with a swan (same size, no cut detected here): no person any more
        Path pond = SharedTestData.data("davis2016/JPEGImages/480p/blackswan");
        for (int t = 2; t < 9; t++) {
            RgbImage swan = ImageCodec.decode(Files.readAllBytes(pond.resolve(String.format("%05d.jpg", t))));
            harness.processElement(SequencedFrame.frame(TestFrames.decoded(STREAM, t, swan), ResetReason.NONE), t);
        }
        out.addAll(harness.extractOutputValues());

        assertThat(out).hasSize(9);
        // last support on frame 1: kept through frame 4 (3 unsupported frames), gone from frame 5 on
        assertThat(out.get(4).getObjects()).isNotEmpty();
        for (int t = 5; t < 9; t++) {
            assertThat(out.get(t).getObjects()).as("frame %d", t).isEmpty();
        }
    }

    @Test
    void aStartClassTheModelDoesNotKnowFailsAtOpen() {
        assertThatThrownBy(() -> newHarness(spec(Set.of("unicorn")), null))
                .hasStackTraceContaining("track start class 'unicorn' is not a class of model "
                        + ModelCards.YOLOV8N_SEG.id());
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    private KeyedOneInputStreamOperatorTestHarness<String, SequencedFrame, Segmentation> newHarness(
            SegmentationSpec spec, OperatorSubtaskState restoreFrom) throws Exception {
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new SegmentationFunction(spec)), SequencedFrame.byStreamId(), Types.STRING);
        harnesses.add(harness);
        harness.setStateBackend(new HashMapStateBackend());
        if (restoreFrom != null) {
            harness.initializeState(restoreFrom);
        }
        harness.open();
        return harness;
    }

    private static List<Segmentation> run(
            KeyedOneInputStreamOperatorTestHarness<String, SequencedFrame, Segmentation> harness, int from, int to)
            throws Exception {
        for (int t = from; t <= to; t++) {
            SequencedFrame f = SequencedFrame.frame(TestFrames.decoded(STREAM, t, images.get(t)),
                    t == 0 ? ResetReason.FIRST_FRAME : ResetReason.NONE);
            harness.processElement(f, f.frame.eventTimeMs);
        }
        List<Segmentation> out = harness.extractOutputValues();
        harness.getOutput().clear();
        return out;
    }

    /** The object that overlaps the dancer most on frame t. */
    private static SegmentedObject best(Segmentation s, int t) {
        assertThat(s.getObjects()).as("objects on frame %d", t).isNotEmpty();
        SegmentedObject best = null;
        double bestIou = -1;
        for (SegmentedObject o : s.getObjects()) {
            double iou = mask(o).iou(dancer.get(t));
            if (iou > bestIou) {
                bestIou = iou;
                best = o;
            }
        }
        return best;
    }

    private static BinaryMask mask(SegmentedObject o) {
        int[] counts = o.getMask().getCounts().stream().mapToInt(Integer::intValue).toArray();
        return Rle.of(o.getMask().getHeight(), o.getMask().getWidth(), counts).decode();
    }

    private static List<List<String>> masks(List<Segmentation> out) {
        return out.stream().map(s -> s.getObjects().stream()
                .map(o -> o.getObjectId() + ":" + o.getMask().getCounts()).toList()).toList();
    }
}
