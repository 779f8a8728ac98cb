package dev.alphaflow.jobs.cli;

import dev.alphaflow.jobs.CommonOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import picocli.CommandLine;

import dev.alphaflow.jobs.matting.MattingJobOptions;
import dev.alphaflow.jobs.segmentation.SegmentationJobOptions;
import dev.alphaflow.jobs.segmentation.SegmentationJob;
import dev.alphaflow.model.vos.TrackEvidence;
import dev.alphaflow.model.vos.VosOptions;
import dev.alphaflow.operators.segmentation.SegmentationSpec;

/** The segment command's flags map onto the job options, and the VOS options onto the segmenter's. */
class SegmentCommandTest {

    @Test
    void flagsBecomeJobOptions() {
        CommandLine cl = AlphaflowCli.commandLine();
        CommandLine.ParseResult parsed = cl.parseArgs("segment", "--bootstrap-servers", "10.0.0.1:9093",
                "--segments-topic", "segs", "--model-dir", "/models", "--threads", "3", "--bank-budget", "512",
                "--no-refine", "--colour-band", "0", "--at-least-once", "-D", "alphaflow.vos.memory-every=7");
        SegmentCommand command = parsed.subcommand().commandSpec().commandLine().getCommand();

        Configuration conf = command.toConfiguration();

        assertThat(conf.get(CommonOptions.BOOTSTRAP_SERVERS)).isEqualTo("10.0.0.1:9093");
        assertThat(conf.get(SegmentationJobOptions.SEGMENTS_TOPIC)).isEqualTo("segs");
        assertThat(conf.get(CommonOptions.MODEL_DIR)).isEqualTo("/models");
        assertThat(conf.get(CommonOptions.INTRA_OP_THREADS)).isEqualTo(3);
        assertThat(conf.get(CommonOptions.DELIVERY)).isEqualTo(CommonOptions.Delivery.AT_LEAST_ONCE);

        VosOptions options = SegmentationJobOptions.vosOptions(conf);
        assertThat(options.bank().budget()).isEqualTo(512);
        assertThat(options.refine()).isFalse();
        assertThat(options.colourBand()).isZero();
        assertThat(options.memoryEvery()).isEqualTo(7);
    }

    @Test
    void badColourBandFailsAtStartNamingTheKey() {
        Configuration bad = new Configuration();
        bad.set(SegmentationJobOptions.COLOUR_BAND, -3);
        assertThatThrownBy(() -> SegmentationJobOptions.check(bad))
                .isInstanceOf(dev.alphaflow.jobs.InvalidOptionException.class)
                .hasMessageContaining("alphaflow.vos.colour-band").hasMessageContaining("got -3");
    }

    @Test
    void flowPriorFlagSetsTheSegmentersFlowAndBadValuesNameTheKey() {
        CommandLine.ParseResult parsed = AlphaflowCli.commandLine().parseArgs("segment", "--flow-prior", "Medium",
                "-D", "alphaflow.vos.flow-max-side=214");
        SegmentCommand command = parsed.subcommand().commandSpec().commandLine().getCommand();
        Configuration conf = command.toConfiguration();

        VosOptions options = SegmentationJobOptions.vosOptions(conf);
        assertThat(options.flowPreset()).isEqualTo(dev.alphaflow.model.flow.DisPreset.MEDIUM);
        assertThat(options.flowMaxSide()).isEqualTo(214);
        assertThat(SegmentationJobOptions.vosOptions(new Configuration()).flowPreset())
                .isEqualTo(dev.alphaflow.model.flow.DisPreset.FAST);
        Configuration off = new Configuration();
        off.set(SegmentationJobOptions.FLOW_PRIOR, " Off ");
        assertThat(SegmentationJobOptions.vosOptions(off).flowPrior()).isFalse();

        Configuration bad = new Configuration();
        bad.set(SegmentationJobOptions.FLOW_PRIOR, "fastest");
        assertThatThrownBy(() -> SegmentationJobOptions.check(bad))
                .isInstanceOf(dev.alphaflow.jobs.InvalidOptionException.class)
                .hasMessageContaining("alphaflow.vos.flow-prior").hasMessageContaining("fastest");
        Configuration badSide = new Configuration();
        badSide.set(SegmentationJobOptions.FLOW_MAX_SIDE, 5);
        assertThatThrownBy(() -> SegmentationJobOptions.check(badSide))
                .hasMessageContaining("alphaflow.vos.flow-max-side").hasMessageContaining("got 5");
    }

    @Test
    void engineFlagsAreTheSameAsTheOtherJobs() {
        CommandLine.ParseResult parsed = AlphaflowCli.commandLine().parseArgs("segment", "--provider", "cuda",
                "--allow-cpu-fallback", "--parallelism", "3", "--checkpoint-interval", "0.5",
                "-D", "alphaflow.ort.provider=tensorrt");
        SegmentCommand command = parsed.subcommand().commandSpec().commandLine().getCommand();

        Configuration conf = command.toConfiguration();

        // -D comes last and wins over the named flag
        assertThat(conf.get(CommonOptions.EXECUTION_PROVIDER)).isEqualTo("tensorrt");
        assertThat(conf.get(CommonOptions.ALLOW_CPU_FALLBACK)).isTrue();
        assertThat(conf.get(CommonOptions.DELIVERY)).isEqualTo(CommonOptions.Delivery.EXACTLY_ONCE);
        assertThat(command.engine.parallelism).isEqualTo(3);
        assertThat(command.engine.checkpointInterval()).isEqualTo(java.time.Duration.ofMillis(500));
    }

    @Test
    void localRuntimeFollowsTheFlagsAndTheStateBackendOption() {
        CommandLine.ParseResult parsed = AlphaflowCli.commandLine().parseArgs("segment", "--bounded",
                "--checkpoint-dir", "/tmp/cp", "--restore-from", "/tmp/cp/chk-7", "--parallelism", "2",
                "-D", "alphaflow.state.backend=rocksdb");
        SegmentCommand command = parsed.subcommand().commandSpec().commandLine().getCommand();
        Configuration conf = command.toConfiguration();

        Configuration flink = command.local.localFlink(command.engine, conf, "segment").configuration();

        assertThat(conf.get(CommonOptions.BOUNDED)).isTrue();
        assertThat(flink.get(org.apache.flink.configuration.StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(flink.get(org.apache.flink.configuration.CheckpointingOptions.CHECKPOINTS_DIRECTORY))
                .isEqualTo(Path.of("/tmp/cp").toUri().toString());
        assertThat(flink.get(org.apache.flink.configuration.StateRecoveryOptions.SAVEPOINT_PATH))
                .isEqualTo(Path.of("/tmp/cp/chk-7").toUri().toString());
        assertThat(flink.get(org.apache.flink.configuration.CoreOptions.DEFAULT_PARALLELISM)).isEqualTo(2);
    }

    @Test
    void unsetOptionsKeepTheSegmenterDefaults() {
        assertThat(SegmentationJobOptions.vosOptions(new Configuration())).isEqualTo(VosOptions.defaults());
    }

    @Test
    void trackingIsOffUnlessAsked() {
        assertThat(SegmentationJobOptions.tracking(new Configuration())).isEmpty();
        assertThat(SegmentationJob.fromConfiguration(new Configuration()).spec().tracksDetections()).isFalse();
    }

    @Test
    void trackFlagStartsTracksOfTheClassesWithFullEvidence() {
        CommandLine cl = AlphaflowCli.commandLine();
        CommandLine.ParseResult parsed = cl.parseArgs("segment", "--track", "person, sports ball",
                "-D", "alphaflow.vos.track.start-score=0.6");
        SegmentCommand command = parsed.subcommand().commandSpec().commandLine().getCommand();
        Configuration conf = command.toConfiguration();

        TrackEvidence.Options tracking = SegmentationJobOptions.tracking(conf).orElseThrow();
        assertThat(tracking.startClasses()).containsExactlyInAnyOrder("person", "sports ball");
        assertThat(tracking.supportWeight()).isEqualTo(1f);
        assertThat(tracking.startScore()).isEqualTo(0.6f);
        SegmentationSpec spec = SegmentationJob.fromConfiguration(conf).spec();
        assertThat(spec.tracksDetections()).isTrue();
        assertThat(spec.detector().modelDir()).isEqualTo(spec.modelDir());
    }

    @Test
    void evidenceWeightAloneTurnsDetectionsOnForPromptedTracks() {
        CommandLine cl = AlphaflowCli.commandLine();
        CommandLine.ParseResult parsed = cl.parseArgs("segment", "--evidence-weight", "0.5");
        SegmentCommand command = parsed.subcommand().commandSpec().commandLine().getCommand();

        TrackEvidence.Options tracking = SegmentationJobOptions.tracking(command.toConfiguration())
                .orElseThrow();
        assertThat(tracking.startClasses()).isEmpty();
        assertThat(tracking.supportWeight()).isEqualTo(0.5f);
    }

    @Test
    void badTrackingOptionsNameTheOption() {
        Configuration conf = new Configuration();
        conf.set(SegmentationJobOptions.TRACK_EVIDENCE_WEIGHT, 1.5f);
        assertThatThrownBy(() -> SegmentationJobOptions.tracking(conf))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("alphaflow.vos.track.")
                .hasMessageContaining("supportWeight must be in [0, 1], got 1.5");
    }
}
