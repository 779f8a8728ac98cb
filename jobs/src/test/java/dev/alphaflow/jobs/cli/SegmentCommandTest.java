package dev.alphaflow.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import picocli.CommandLine;

import dev.alphaflow.jobs.matting.MattingJobOptions;
import dev.alphaflow.jobs.segmentation.SegmentationJobOptions;
import dev.alphaflow.model.vos.VosOptions;

/** The segment command's flags map onto the job options, and the VOS options onto the segmenter's. */
class SegmentCommandTest {

    @Test
    void flagsBecomeJobOptions() {
        CommandLine cl = AlphaflowCli.commandLine();
        CommandLine.ParseResult parsed = cl.parseArgs("segment", "--bootstrap-servers", "10.0.0.1:9093",
                "--segments-topic", "segs", "--model-dir", "/models", "--threads", "3", "--bank-budget", "512",
                "--no-refine", "--at-least-once", "-D", "alphaflow.vos.memory-every=7");
        SegmentCommand command = parsed.subcommand().commandSpec().commandLine().getCommand();

        Configuration conf = command.toConfiguration(Path.of("/unused"));

        assertThat(conf.get(MattingJobOptions.BOOTSTRAP_SERVERS)).isEqualTo("10.0.0.1:9093");
        assertThat(conf.get(MattingJobOptions.SEGMENTS_TOPIC)).isEqualTo("segs");
        assertThat(conf.get(MattingJobOptions.MODEL_DIR)).isEqualTo("/models");
        assertThat(conf.get(MattingJobOptions.INTRA_OP_THREADS)).isEqualTo(3);
        assertThat(conf.get(MattingJobOptions.DELIVERY)).isEqualTo(MattingJobOptions.Delivery.AT_LEAST_ONCE);

        VosOptions options = SegmentationJobOptions.vosOptions(conf);
        assertThat(options.bank().budget()).isEqualTo(512);
        assertThat(options.refine()).isFalse();
        assertThat(options.memoryEvery()).isEqualTo(7);
    }

    @Test
    void unsetOptionsKeepTheSegmenterDefaults() {
        assertThat(SegmentationJobOptions.vosOptions(new Configuration())).isEqualTo(VosOptions.defaults());
    }
}
