package dev.alphaflow.operators.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.SavepointType;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.alphaflow.model.SessionSettings;
import dev.alphaflow.model.testing.TinyFeatureModels;
import dev.alphaflow.model.testing.TinyModels;
import dev.alphaflow.model.vos.ReadoutKernel;
import dev.alphaflow.model.vos.VosOptions;
import dev.alphaflow.operators.decode.DecodedFrame;
import dev.alphaflow.operators.decode.FramePrompt;
import dev.alphaflow.operators.matting.MattingFunction;
import dev.alphaflow.operators.matting.MattingSpec;
import dev.alphaflow.operators.segmentation.SegmentationFunction;
import dev.alphaflow.operators.segmentation.SegmentationSpec;
import dev.alphaflow.operators.sequencer.ResetReason;
import dev.alphaflow.operators.sequencer.SequencedFrame;
import dev.alphaflow.operators.testutils.SquareVideo;
import dev.alphaflow.operators.testutils.TestFrames;

/**
 * Writes canonical savepoints of the matting and segmentation operators (as {@code flink stop --savepointPath} would
 * take them), for {@link SavepointUpgradeTest}: {@code <dir>/<operator>-savepoint/<generation>/savepoint}. Each is
 * taken after the first {@link #SAVEPOINT_AFTER} frames of a fixed input on the tiny generated models, which the test
 * regenerates to continue the run.
 *
 * <p>Like {@code StateUpgradeResources}, a generation is never rewritten; the command is in
 * {@code src/test/resources/state-upgrade/README.md}.
 */
final class SavepointUpgradeResources {

    static final String GENERATION = "v1";
    static final String MATTING = "matting-savepoint";
    static final String SEGMENTATION = "segmentation-savepoint";
    static final String SAVEPOINT_FILE = "savepoint";

    /** Frames 0 .. SAVEPOINT_AFTER - 1 of each stream are in the savepoint. */
    static final int SAVEPOINT_AFTER = 4;
    /** The run goes on to this frame (inclusive) after the restore. */
    static final int LAST_FRAME = 7;

    static final List<String> MATTING_STREAMS = List.of("cam-a", "cam-b");
    static final String SEGMENTATION_STREAM = "cam";
    private static final int MATTING_W = 64;
    private static final int MATTING_H = 48;

    static MattingSpec mattingSpec(Path modelDir) {
        Path file = TinyModels.rvmContract(modelDir.resolve("rvm-tiny.onnx"));
        return MattingSpec.builder()
                .modelDir(modelDir)
                .card(TinyModels.rvmCard(file))
                .sessionSettings(SessionSettings.builder().intraOpThreads(1).interOpThreads(1).build())
                .build();
    }

    /**
     * The options generation v1 was written with. Its segmenter defaults had no flow prior, so that is pinned here: a
     * restore goes on exactly as an uninterrupted run only under the options the savepoint was taken with.
     */
    static SegmentationSpec segmentationSpec(Path modelDir) {
        return segmentationSpec(modelDir, false);
    }

    /** As {@link #segmentationSpec(Path)}, with today's default flow prior when {@code flowPrior}. */
    static SegmentationSpec segmentationSpec(Path modelDir, boolean flowPrior) {
        Path file = TinyFeatureModels.mobileNetV2FeaturesContract(modelDir.resolve("features-tiny.onnx"));
        VosOptions.Builder options = VosOptions.builder()
                .featureModel(TinyFeatureModels.card(file))
                .memoryEvery(2)
                .bank(VosOptions.defaultBank().toBuilder().readoutKernel(ReadoutKernel.JAVA).build());
        if (!flowPrior) {
            options.flowPreset(null);
        }
        return SegmentationSpec.builder()
                .modelDir(modelDir)
                .sessionSettings(SessionSettings.builder().intraOpThreads(1).interOpThreads(1).build())
                .vosOptions(options.build())
                .build();
    }

    /** Frames from..to (inclusive) of both matting streams, interleaved, as the sequencer emits them. */
    static List<SequencedFrame> mattingFrames(int from, int to) {
        List<SequencedFrame> frames = new ArrayList<>();
        for (int t = from; t <= to; t++) {
            for (int s = 0; s < MATTING_STREAMS.size(); s++) {
                DecodedFrame f = TestFrames.decoded(MATTING_STREAMS.get(s), t,
                        TestFrames.image(MATTING_W, MATTING_H, t + 10 * s));
                frames.add(SequencedFrame.frame(f, t == 0 ? ResetReason.FIRST_FRAME : ResetReason.NONE));
            }
        }
        return frames;
    }

    /** Frames from..to (inclusive) of the square video; frame 0 carries the prompt of object 1. */
    static List<SequencedFrame> segmentationFrames(int from, int to) {
        List<SequencedFrame> frames = new ArrayList<>();
        for (int t = from; t <= to; t++) {
            DecodedFrame f = TestFrames.decoded(SEGMENTATION_STREAM, t, SquareVideo.image(t));
            f.prompts = t == 0 ? new FramePrompt[] {SquareVideo.prompt(1)} : new FramePrompt[0];
            frames.add(SequencedFrame.frame(f, t == 0 ? ResetReason.FIRST_FRAME : ResetReason.NONE));
        }
        return frames;
    }

    static <O> KeyedOneInputStreamOperatorTestHarness<String, SequencedFrame, O> harness(
            KeyedProcessFunction<String, SequencedFrame, O> function, StateBackend backend,
            OperatorSubtaskState restoreFrom) throws Exception {
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(function), SequencedFrame.byStreamId(), Types.STRING);
        harness.setStateBackend(backend);
        if (restoreFrom != null) {
            harness.initializeState(restoreFrom);
        }
        harness.open();
        return harness;
    }

    static <O> List<O> run(KeyedOneInputStreamOperatorTestHarness<String, SequencedFrame, O> harness,
            List<SequencedFrame> input) throws Exception {
        for (SequencedFrame f : input) {
            harness.processElement(f, f.frame.eventTimeMs);
        }
        List<O> out = harness.extractOutputValues();
        harness.getOutput().clear();
        return out;
    }

    /**
     * Writes generation {@link #GENERATION} into {@code src/test/resources/state-upgrade} (surefire runs tests in the
     * module folder). Not part of the suite (the class name matches none of surefire's patterns): run it by name, as
     * the README there says. A test rather than a main because ONNX Runtime loads reliably in surefire's JVM.
     */
    @Test
    void writeGeneration(@TempDir Path models) throws Exception {
        Path root = Path.of("src/test/resources/state-upgrade");
        assertThat(root).as("run from the operators module folder").isDirectory();
        write(root.resolve(MATTING).resolve(GENERATION), new MattingFunction(mattingSpec(models)),
                mattingFrames(0, SAVEPOINT_AFTER - 1));
        write(root.resolve(SEGMENTATION).resolve(GENERATION), new SegmentationFunction(segmentationSpec(models)),
                segmentationFrames(0, SAVEPOINT_AFTER - 1));
    }

    private static <O> void write(Path dir, KeyedProcessFunction<String, SequencedFrame, O> function,
            List<SequencedFrame> frames) throws Exception {
        if (Files.exists(dir)) {
            throw new IOException(dir + " exists: resources of a released generation are never rewritten");
        }
        Files.createDirectories(dir);
        try (var harness = harness(function, new HashMapStateBackend(), null)) {
            run(harness, frames);
            harness.prepareSnapshotPreBarrier(1);
            OperatorSubtaskState savepoint = harness.snapshotWithLocalState(1, 1,
                    SavepointType.savepoint(SavepointFormatType.CANONICAL)).getJobManagerOwnedState();
            Path file = dir.resolve(SAVEPOINT_FILE);
            OperatorSnapshotUtil.writeStateHandle(savepoint, file.toString());
            assertThat(Files.size(file)).as(file.toString()).isPositive();
        }
    }
}
