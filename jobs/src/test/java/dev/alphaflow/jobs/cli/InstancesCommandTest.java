package dev.alphaflow.jobs.cli;

import dev.alphaflow.jobs.CommonOptions;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import picocli.CommandLine;

import dev.alphaflow.jobs.instances.InstancesJob;
import dev.alphaflow.jobs.instances.InstancesJobOptions;
import dev.alphaflow.jobs.matting.MattingJobOptions;
import dev.alphaflow.jobs.testutils.SharedData;
import dev.alphaflow.model.instances.NmsKind;
import dev.alphaflow.operators.instances.InstancesSpec;

class InstancesCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private CommandLine cli() {
        CommandLine cl = AlphaflowCli.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl;
    }

    @Test
    void helpListsTheInstancesCommandBesideTheOthers() {
        assertThat(cli().execute("--help")).isZero();
        assertThat(out.toString()).contains("instances", "run", "demo", "replay", "export");
        assertThat(cli().execute("instances", "--help")).isZero();
        assertThat(out.toString()).contains("--classes", "--score-threshold", "--nms", "--max-instances",
                "--instances-topic");
    }

    @Test
    void flagsBecomeTheJobConfiguration() {
        CommandLine.ParseResult parsed = cli().parseArgs("instances", "--bootstrap-servers", "10.0.0.1:9093",
                "--frames-topic", "f", "--dlq-topic", "d", "--instances-topic", "i", "--model-dir", "/models",
                "--classes", "person,sports ball", "--classes", "0", "--score-threshold", "0.4", "--nms", "matrix",
                "--max-instances", "7", "--threads", "2", "--at-least-once", "--bounded",
                "-D", "alphaflow.instances.iou-threshold=0.6");
        InstancesCommand command = parsed.subcommand().commandSpec().commandLine().getCommand();
        Configuration conf = command.toConfiguration();

        assertThat(conf.get(CommonOptions.BOOTSTRAP_SERVERS)).isEqualTo("10.0.0.1:9093");
        assertThat(conf.get(CommonOptions.FRAMES_TOPIC)).isEqualTo("f");
        assertThat(conf.get(CommonOptions.DEAD_LETTER_TOPIC)).isEqualTo("d");
        assertThat(conf.get(InstancesJobOptions.INSTANCES_TOPIC)).isEqualTo("i");
        assertThat(conf.get(CommonOptions.MODEL_DIR)).isEqualTo("/models");
        assertThat(conf.get(CommonOptions.DELIVERY)).isEqualTo(CommonOptions.Delivery.AT_LEAST_ONCE);
        assertThat(conf.get(CommonOptions.BOUNDED)).isTrue();
        assertThat(conf.get(CommonOptions.INTRA_OP_THREADS)).isEqualTo(2);

        InstancesSpec spec = InstancesJob.fromConfiguration(conf).spec();
        assertThat(spec.card().id()).isEqualTo("yolov8n-seg");
        assertThat(spec.modelDir()).isEqualTo("/models");
        assertThat(spec.sessionSettings().intraOpThreads()).isEqualTo(2);
        assertThat(spec.instanceOptions().classNames()).containsExactlyInAnyOrder("person", "sports ball");
        assertThat(spec.instanceOptions().classIds()).containsExactly(0);
        assertThat(spec.instanceOptions().scoreThreshold()).isEqualTo(0.4f);
        assertThat(spec.instanceOptions().nms()).isEqualTo(NmsKind.MATRIX_NMS);
        assertThat(spec.instanceOptions().maxInstances()).isEqualTo(7);
        assertThat(spec.instanceOptions().iouThreshold()).isEqualTo(0.6f);

        // The job's own consumer group and transactional ids, unless configured.
        assertThat(InstancesJob.IDENTITY.groupId(conf)).isEqualTo("alphaflow-instances");
        assertThat(InstancesJob.IDENTITY.transactionalIdPrefix(conf)).isEqualTo("alphaflow-instances");
        conf.set(CommonOptions.GROUP_ID, "mine");
        assertThat(InstancesJob.IDENTITY.groupId(conf)).isEqualTo("mine");
    }

    @Test
    void defaultsKeepEveryClassOfYolov8nSeg() {
        CommandLine.ParseResult parsed = cli().parseArgs("instances");
        InstancesCommand command = parsed.subcommand().commandSpec().commandLine().getCommand();
        Configuration conf = command.toConfiguration();
        assertThat(conf.get(InstancesJobOptions.INSTANCES_TOPIC)).isEqualTo("alphaflow.instances");
        InstancesSpec spec = InstancesJob.fromConfiguration(conf).spec();
        assertThat(spec.instanceOptions().classNames()).isEmpty();
        assertThat(spec.instanceOptions().classIds()).isEmpty();
        assertThat(spec.instanceOptions().nms()).isEqualTo(NmsKind.CLASS_AWARE_NMS);
        assertThat(spec.instanceOptions().scoreThreshold()).isEqualTo(0.25f);
    }

    @Test
    void anUnknownClassFailsBeforeTheJobStartsAndNamesTheModelsClasses() {
        int code = cli().execute("instances", "--bootstrap-servers", "127.0.0.1:1",
                "--model-dir", SharedData.dir().resolve("models").toString(), "--classes", "person,sportsball");
        assertThat(code).as(err::toString).isEqualTo(1);
        assertThat(err.toString()).contains("instances failed", "unknown class 'sportsball'", "yolov8n-seg",
                "sports ball").doesNotContain("'person'");
    }

    @Test
    void aBadNmsKindIsAUsageErrorNamingTheFlag() {
        int code = cli().execute("instances", "--nms", "soft");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("invalid --nms (-D alphaflow.instances.nms)", "'soft'");
    }

    @Test
    void badEngineValuesAreUsageErrorsNamingTheFlagBeforeAnythingStarts() {
        // 127.0.0.1:1 has no broker: these fail before any connection is tried
        assertThat(cli().execute("run", "--bootstrap-servers", "127.0.0.1:1", "--ratio", "-1")).isEqualTo(2);
        assertThat(err.toString()).contains("invalid --ratio (-D alphaflow.rvm.downsample-ratio): must be in (0, 1], got -1.0");
        assertThat(cli().execute("segment", "--bootstrap-servers", "127.0.0.1:1", "--threads", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("invalid --threads (-D alphaflow.ort.intra-op-threads): must be at least 1, got 0");
    }

    @Test
    void anUnavailableGpuProviderFailsOnceAtStartWithoutAStackTrace() {
        // no broker at 127.0.0.1:1: the provider is checked before Kafka is contacted
        int code = cli().execute("instances", "--bootstrap-servers", "127.0.0.1:1", "--provider", "cuda",
                "--model-dir", SharedData.dir().resolve("models").toString());
        assertThat(code).as(err::toString).isEqualTo(1);
        assertThat(err.toString()).contains("execution provider CUDA is not available", "--provider",
                "--allow-cpu-fallback").doesNotContain("\tat ");
    }
}
