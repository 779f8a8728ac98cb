package dev.alphaflow.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

import dev.alphaflow.jobs.CommonOptions;
import dev.alphaflow.jobs.flow.FlowJob;
import dev.alphaflow.jobs.flow.FlowJobOptions;
import dev.alphaflow.model.flow.DisPreset;
import dev.alphaflow.operators.flow.FlowSpec;

/** {@code alphaflow flow} and {@code export-flow}: flags to the job configuration, and bad values fail at start naming the flag. */
class FlowCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private CommandLine cli() {
        CommandLine cl = AlphaflowCli.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl;
    }

    @Test
    void helpListsTheFlowCommandsAndTheirFlags() {
        assertThat(cli().execute("--help")).isZero();
        assertThat(out.toString()).contains("flow", "export-flow");
        assertThat(cli().execute("flow", "--help")).isZero();
        assertThat(out.toString()).contains("--preset", "--max-size", "--flow-topic", "--bounded");
        assertThat(cli().execute("export-flow", "--help")).isZero();
        assertThat(out.toString()).contains("KITTI", "_color.png", "--flow-topic");
    }

    @Test
    void flagsBecomeTheJobConfiguration() {
        CommandLine.ParseResult parsed = cli().parseArgs("flow", "--bootstrap-servers", "10.0.0.1:9093",
                "--frames-topic", "f", "--dlq-topic", "d", "--flow-topic", "fl", "--preset", "Medium", "--max-size",
                "512", "--bounded");
        FlowCommand command = parsed.subcommand().commandSpec().commandLine().getCommand();
        Configuration conf = command.toConfiguration();

        assertThat(conf.get(FlowJobOptions.FLOW_TOPIC)).isEqualTo("fl");
        assertThat(conf.get(CommonOptions.FRAMES_TOPIC)).isEqualTo("f");
        assertThat(conf.get(CommonOptions.BOUNDED)).isTrue();
        FlowJob job = FlowJob.fromConfiguration(conf);
        assertThat(job.outputTopic()).isEqualTo("fl");
        assertThat(job.spec().preset()).isEqualTo(DisPreset.MEDIUM);
        assertThat(job.spec().maxSide()).isEqualTo(512);
        assertThat(FlowJob.IDENTITY.groupId(conf)).isEqualTo("alphaflow-flow");
        assertThat(FlowJob.IDENTITY.transactionalIdPrefix(conf)).isEqualTo("alphaflow-flow");
    }

    @Test
    void defaultsAreDisFastAtFullSize() {
        CommandLine.ParseResult parsed = cli().parseArgs("flow");
        FlowCommand command = parsed.subcommand().commandSpec().commandLine().getCommand();
        FlowSpec spec = FlowJob.fromConfiguration(command.toConfiguration()).spec();
        assertThat(spec.preset()).isEqualTo(DisPreset.DEFAULT);
        assertThat(spec.maxSide()).isZero();
        assertThat(spec.estimatorName()).isEqualTo("opencv-dis");
    }

    @Test
    void badValuesFailAtStartNamingTheFlag() {
        // no broker at 127.0.0.1:1: these fail before any connection is tried
        assertThat(cli().execute("flow", "--bootstrap-servers", "127.0.0.1:1", "--preset", "slow")).isEqualTo(2);
        assertThat(err.toString()).contains("invalid --preset (-D alphaflow.flow.preset)", "ultrafast, fast, medium",
                "'slow'");
        assertThat(cli().execute("flow", "--bootstrap-servers", "127.0.0.1:1", "--max-size", "8")).isEqualTo(2);
        assertThat(err.toString()).contains("invalid --max-size (-D alphaflow.flow.max-size)", "at least 12", "got 8");
        assertThat(cli().execute("flow", "--bootstrap-servers", "127.0.0.1:1", "-D", "alphaflow.flow.max-size=-3"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("got -3");
        assertThat(err.toString()).doesNotContain("\tat ");
    }

    @Test
    void exportFlowNeedsAnOutputFolder(@TempDir Path dir) {
        assertThat(cli().execute("export-flow")).isEqualTo(2);
        assertThat(err.toString()).contains("--output");
        assertThat(cli().execute("export-flow", "-o", dir.toString(), "--idle-timeout", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("idleTimeout must be positive");
    }

    @Test
    void theFlinkEntryPointKnowsTheFlowJob() {
        Configuration conf = new Configuration();
        conf.set(FlowSpec.PRESET, "ultrafast");
        assertThat(FlinkEntryPoint.job("flow", conf)).isInstanceOf(FlowJob.class);
        assertThat(((FlowJob) FlinkEntryPoint.job("flow", conf)).spec().preset()).isEqualTo(DisPreset.ULTRAFAST);
    }
}
