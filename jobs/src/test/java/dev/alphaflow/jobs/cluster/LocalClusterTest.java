package dev.alphaflow.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a {@link LocalCluster} writes before any process starts: settings and Flink's own view of its config files. */
class LocalClusterTest {
    @TempDir Path tmp;
    private final int restPort = LocalCluster.freePort();

    private ClusterSettings settings() throws Exception {
        Path jar = Files.createFile(tmp.resolve("alphaflow.jar"));
        // Free ports: "nothing runs" must not meet a cluster someone runs on this machine.
        return new ClusterSettings(tmp.resolve("cluster"), jar, 2, 3, restPort, LocalCluster.freePort(), "1536m", "1g",
                Duration.ofMillis(1500), "rocksdb", Map.of("metrics.latency.interval", "0"));
    }

    @Test
    void settingsSurviveSaveAndLoad() throws Exception {
        ClusterSettings settings = settings();
        settings.save();
        assertThat(ClusterSettings.load(settings.root())).isEqualTo(settings);
    }

    @Test
    void loadingWhereNoClusterWasStartedSaysHowToStartOne() {
        assertThatThrownBy(() -> ClusterSettings.load(tmp))
                .hasMessageContaining("no cluster in").hasMessageContaining("alphaflow cluster start");
    }

    @Test
    void flinkReadsEachProcessConfigurationAsWritten() throws Exception {
        LocalCluster cluster = LocalCluster.of(settings());
        ClusterProcess tm = cluster.taskManager(2);
        Configuration written = cluster.writeFlinkConfiguration(tm);

        // Flink's own loader, as the TaskManager will read it from --configDir.
        Configuration read = GlobalConfiguration.loadConfiguration(tm.confDir().toString());
        assertThat(read.toMap()).isEqualTo(written.toMap());
        assertThat(read.toMap()).containsEntry("rest.port", Integer.toString(restPort))
                .containsEntry("taskmanager.numberOfTaskSlots", "3")
                .containsEntry("taskmanager.resource-id", "taskmanager-2")
                .containsEntry("state.backend.type", "rocksdb")
                .containsEntry("execution.checkpointing.interval", "1500 ms")
                .containsEntry("execution.checkpointing.dir", cluster.settings().checkpointDir().toUri().toString())
                .containsEntry("io.tmp.dirs", tm.tmpDir().toString())
                .containsEntry("metrics.latency.interval", "0");
        assertThat(read.toMap().get("rest.bind-address")).isEqualTo("127.0.0.1");
        assertThat(read.toMap()).containsEntry("metrics.reporter.prom.port", LocalCluster.PROMETHEUS_PORTS)
                .containsEntry("metrics.reporter.prom.factory.class",
                        "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
    }

    @Test
    void javaOptionsFromFlinksScriptKeysReachTheirRoleOnly() throws Exception {
        ClusterSettings base = settings();
        ClusterSettings tuned = new ClusterSettings(tmp.resolve("tuned"), base.jar(), 2, 1, restPort,
                LocalCluster.freePort(), "1536m", "1g", Duration.ofMillis(1500), "hashmap",
                Map.of("env.java.opts.all", " -Dall.flag=1  -XX:+UseSerialGC ",
                        "env.java.opts.jobmanager", "-XX:TieredStopAtLevel=1",
                        "env.java.opts.taskmanager", "-Dtm.flag=2"));
        LocalCluster cluster = LocalCluster.of(tuned);
        Configuration jm = cluster.writeFlinkConfiguration(cluster.jobManager());
        Configuration tm = cluster.writeFlinkConfiguration(cluster.taskManager(1));

        List<String> jmOptions = cluster.flinkJvmOptions(jm, CoreOptions.FLINK_JM_JVM_OPTIONS);
        List<String> tmOptions = cluster.flinkJvmOptions(tm, CoreOptions.FLINK_TM_JVM_OPTIONS);
        // After Flink's own options, so that a user's flag wins where the JVM takes the last one.
        assertThat(jmOptions.subList(jmOptions.size() - 3, jmOptions.size()))
                .containsExactly("-Dall.flag=1", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
        assertThat(tmOptions.subList(tmOptions.size() - 3, tmOptions.size()))
                .containsExactly("-Dall.flag=1", "-XX:+UseSerialGC", "-Dtm.flag=2");
        assertThat(jmOptions).doesNotContain("-Dtm.flag=2");
        assertThat(tmOptions).doesNotContain("-XX:TieredStopAtLevel=1");
        assertThat(LocalCluster.of(base).flinkJvmOptions(new Configuration(), CoreOptions.FLINK_TM_JVM_OPTIONS))
                .noneMatch(String::isBlank).anyMatch(o -> o.startsWith("-Dlog4j2.configurationFile="));
    }

    @Test
    void managedMemoryIsLeftToRocksDbAndGivenToTheHeapOnTheHeapBackend() throws Exception {
        ClusterSettings rocks = settings();
        assertThat(LocalCluster.of(rocks).writeFlinkConfiguration(LocalCluster.of(rocks).taskManager(1)).toMap())
                .doesNotContainKey("taskmanager.memory.managed.fraction");
        ClusterSettings heap = new ClusterSettings(tmp.resolve("heap-cluster"), rocks.jar(), 2, 3, restPort,
                LocalCluster.freePort(), "1536m", "1g", Duration.ofMillis(1500), "hashmap", Map.of());
        LocalCluster cluster = LocalCluster.of(heap);
        ClusterProcess tm = cluster.taskManager(1);
        cluster.writeFlinkConfiguration(tm);
        assertThat(GlobalConfiguration.loadConfiguration(tm.confDir().toString()).toMap())
                .containsEntry("state.backend.type", "hashmap")
                .containsEntry("taskmanager.memory.managed.fraction", "0");
    }

    @Test
    void anEmptyPrometheusPortTurnsTheReporterOff() throws Exception {
        ClusterSettings settings = settings().withFlinkOverrides(Map.of("metrics.reporter.prom.port", ""));
        Configuration written = LocalCluster.of(settings).writeFlinkConfiguration(LocalCluster.of(settings).jobManager());
        assertThat(written.toMap()).doesNotContainKeys("metrics.reporter.prom.port",
                "metrics.reporter.prom.factory.class");
    }

    @Test
    void theEntryClassIsTheJarsFlinkRunMain() throws Exception {
        Method main = Class.forName(LocalCluster.ENTRY_CLASS).getMethod("main", String[].class);
        assertThat(Modifier.isStatic(main.getModifiers())).isTrue();
    }

    @Test
    void nothingRunsInAFreshFolder() throws Exception {
        LocalCluster cluster = LocalCluster.of(settings());
        LocalCluster.Status status = cluster.status();
        assertThat(status.anyRunning()).isFalse();
        assertThat(status.line()).contains("kafka            stopped", "not answering");
        assertThat(cluster.stop()).isEmpty();
    }
}
