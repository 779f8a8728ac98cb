package dev.alphaflow.operators.upgrade;

import static dev.alphaflow.operators.upgrade.SavepointUpgradeResources.LAST_FRAME;
import static dev.alphaflow.operators.upgrade.SavepointUpgradeResources.SAVEPOINT_AFTER;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.alphaflow.model.SharedSessions;
import dev.alphaflow.operators.matting.MattedFrame;
import dev.alphaflow.operators.matting.MattingFunction;
import dev.alphaflow.operators.segmentation.SegmentationFunction;
import dev.alphaflow.operators.segmentation.SegmentationSpec;
import dev.alphaflow.schemas.Matte;
import dev.alphaflow.schemas.Segmentation;

/**
 * Canonical savepoints of the matting and segmentation operators taken by an earlier build (committed under
 * {@code src/test/resources/state-upgrade/}, see {@link SavepointUpgradeResources}) restore with today's code on the
 * heap and on RocksDB, and the run goes on exactly as an uninterrupted run of today's code: same alphas, same masks
 * and scores, no state reset. The tiny generated models are deterministic, so both runs use the same weights.
 */
class SavepointUpgradeTest {

    enum Backend {
        HASHMAP, ROCKSDB;

        StateBackend create() {
            return this == HASHMAP ? new HashMapStateBackend() : new EmbeddedRocksDBStateBackend();
        }
    }

    @TempDir
    Path modelDir;

    @AfterEach
    void sessionsReleased() {
        assertThat(SharedSessions.openSessionCount()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void mattingSavepointV1RestoresAndTheRunGoesOnUninterrupted(Backend backend) throws Exception {
        var spec = SavepointUpgradeResources.mattingSpec(modelDir);
        OperatorSubtaskState savepoint = savepoint(SavepointUpgradeResources.MATTING, "v1");

        List<MattedFrame> resumed;
        try (var restored = SavepointUpgradeResources.harness(new MattingFunction(spec), backend.create(), savepoint)) {
            resumed = SavepointUpgradeResources.run(restored,
                    SavepointUpgradeResources.mattingFrames(SAVEPOINT_AFTER, LAST_FRAME));
        }
        List<MattedFrame> uninterrupted;
        try (var today = SavepointUpgradeResources.harness(new MattingFunction(spec), backend.create(), null)) {
            uninterrupted = SavepointUpgradeResources.run(today,
                    SavepointUpgradeResources.mattingFrames(0, LAST_FRAME));
        }

        List<Matte> expected = uninterrupted.stream().map(MattedFrame::encode)
                .filter(m -> m.getSeq() >= SAVEPOINT_AFTER).toList();
        List<Matte> actual = resumed.stream().map(MattedFrame::encode).toList();
        assertThat(actual).hasSize(SavepointUpgradeResources.MATTING_STREAMS.size() * (LAST_FRAME - SAVEPOINT_AFTER + 1));
        assertThat(actual).extracting(Matte::getStateReset).containsOnly(false);
        assertThat(alphas(actual)).isEqualTo(alphas(expected));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void segmentationSavepointV1RestoresAndTheRunGoesOnUninterrupted(Backend backend) throws Exception {
        var spec = SavepointUpgradeResources.segmentationSpec(modelDir);
        SegmentationRuns runs = segmentationRuns(spec, backend);
        List<Segmentation> resumed = runs.resumed();
        List<Segmentation> uninterrupted = runs.uninterrupted();

        assertThat(resumed).hasSize(LAST_FRAME - SAVEPOINT_AFTER + 1);
        assertThat(resumed).extracting(Segmentation::getStateReset).containsOnly(false);
        assertThat(resumed).allSatisfy(s -> assertThat(s.getObjects()).singleElement()
                .satisfies(o -> assertThat(o.getLabel()).as("label restored").isEqualTo("square")));
        assertThat(masks(resumed)).isEqualTo(masks(uninterrupted.subList(SAVEPOINT_AFTER, uninterrupted.size())));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void segmentationSavepointV1RestoresUnderTodaysFlowPrior(Backend backend) throws Exception {
        // v1's frame memory has no luma: the first frame after the restore keeps its prior unmoved, later ones move it
        var spec = SavepointUpgradeResources.segmentationSpec(modelDir, true);
        SegmentationRuns runs = segmentationRuns(spec, backend);
        List<Segmentation> resumed = runs.resumed();
        List<Segmentation> uninterrupted = runs.uninterrupted();

        assertThat(resumed).hasSize(LAST_FRAME - SAVEPOINT_AFTER + 1);
        assertThat(resumed).extracting(Segmentation::getStateReset).containsOnly(false);
        for (int i = 0; i < resumed.size(); i++) {
            long area = area(resumed.get(i));
            long expected = area(uninterrupted.get(SAVEPOINT_AFTER + i));
            assertThat(area).as("mask area of frame %d after the restore", SAVEPOINT_AFTER + i)
                    .isPositive().isBetween(expected * 9 / 10, expected * 11 / 10);
        }
    }

    /** The frames after the v1 savepoint, restored from it, and the whole run from frame 0, both under {@code spec}. */
    private record SegmentationRuns(List<Segmentation> resumed, List<Segmentation> uninterrupted) {}

    private static SegmentationRuns segmentationRuns(SegmentationSpec spec, Backend backend) throws Exception {
        OperatorSubtaskState savepoint = savepoint(SavepointUpgradeResources.SEGMENTATION, "v1");
        List<Segmentation> resumed;
        try (var restored = SavepointUpgradeResources.harness(new SegmentationFunction(spec), backend.create(),
                savepoint)) {
            resumed = SavepointUpgradeResources.run(restored,
                    SavepointUpgradeResources.segmentationFrames(SAVEPOINT_AFTER, LAST_FRAME));
        }
        try (var today = SavepointUpgradeResources.harness(new SegmentationFunction(spec), backend.create(), null)) {
            return new SegmentationRuns(resumed, SavepointUpgradeResources.run(today,
                    SavepointUpgradeResources.segmentationFrames(0, LAST_FRAME)));
        }
    }

    /** Pixels of the single object's mask (run lengths alternate background, object, starting with background). */
    private static long area(Segmentation s) {
        List<Integer> counts = s.getObjects().get(0).getMask().getCounts();
        long area = 0;
        for (int i = 1; i < counts.size(); i += 2) {
            area += counts.get(i);
        }
        return area;
    }

    private static OperatorSubtaskState savepoint(String operator, String generation) throws Exception {
        String name = "/state-upgrade/" + operator + "/" + generation + "/" + SavepointUpgradeResources.SAVEPOINT_FILE;
        URL url = SavepointUpgradeTest.class.getResource(name);
        assertThat(url).as("test resource %s", name).isNotNull();
        return OperatorSnapshotUtil.readStateHandle(Path.of(url.toURI()).toString());
    }

    private static List<String> alphas(List<Matte> mattes) {
        return mattes.stream().map(m -> m.getStreamId() + "#" + m.getSeq() + ":" + hex(m.getAlphaPng())).toList();
    }

    private static List<String> masks(List<Segmentation> out) {
        return out.stream().map(s -> s.getSeq() + ":" + s.getObjects().stream()
                .map(o -> o.getObjectId() + "/" + o.getScore() + "/" + o.getMask().getCounts()).toList()).toList();
    }

    private static String hex(ByteBuffer buffer) {
        byte[] b = new byte[buffer.remaining()];
        buffer.duplicate().get(b);
        return HexFormat.of().formatHex(b);
    }
}
