package dev.alphaflow.jobs.cluster;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * How a {@link LocalCluster} is laid out: its folder, ports, sizes and checkpointing. {@link #save} writes it to
 * {@code <root>/cluster.properties} when the cluster starts, so that {@code alphaflow cluster status|stop|submit}
 * find a running cluster from its folder alone.
 *
 * <p>{@code flinkOverrides} are Flink configuration entries written last into every process's {@code config.yaml}
 * (e.g. {@code metrics.reporter.prom.factory.class}); {@code flink.*} lines of {@code cluster.properties} keep them.
 */
public record ClusterSettings(Path root, Path jar, int taskManagers, int slotsPerTaskManager, int restPort,
        int kafkaPort, String taskManagerMemory, String jobManagerMemory, Duration checkpointInterval,
        String stateBackend, Map<String, String> flinkOverrides) {

    public static final String FILE_NAME = "cluster.properties";
    public static final int DEFAULT_REST_PORT = 8081;
    public static final int DEFAULT_KAFKA_PORT = 9092;

    public ClusterSettings {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(jar, "jar");
        if (taskManagers < 1 || slotsPerTaskManager < 1) {
            throw new IllegalArgumentException("task managers and slots must be at least 1");
        }
        if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
            throw new IllegalArgumentException("the checkpoint interval must be positive: " + checkpointInterval);
        }
        if (!stateBackend.equals("rocksdb") && !stateBackend.equals("hashmap")) {
            throw new IllegalArgumentException("state backend must be rocksdb or hashmap: " + stateBackend);
        }
        root = root.toAbsolutePath().normalize();
        jar = jar.toAbsolutePath().normalize();
        flinkOverrides = Map.copyOf(flinkOverrides);
    }

    /** Defaults for a cluster in {@code root} running {@code jar}: 1 TaskManager of 1 slot, ports 8081 and 9092. */
    public static ClusterSettings defaults(Path root, Path jar) {
        return new ClusterSettings(root, jar, 1, 1, DEFAULT_REST_PORT, DEFAULT_KAFKA_PORT, "2g", "1g",
                Duration.ofSeconds(2), "rocksdb", Map.of());
    }

    public ClusterSettings withTaskManagers(int n) {
        return new ClusterSettings(root, jar, n, slotsPerTaskManager, restPort, kafkaPort, taskManagerMemory,
                jobManagerMemory, checkpointInterval, stateBackend, flinkOverrides);
    }

    public ClusterSettings withPorts(int rest, int kafka) {
        return new ClusterSettings(root, jar, taskManagers, slotsPerTaskManager, rest, kafka, taskManagerMemory,
                jobManagerMemory, checkpointInterval, stateBackend, flinkOverrides);
    }

    public ClusterSettings withMemory(String taskManager, String jobManager) {
        return new ClusterSettings(root, jar, taskManagers, slotsPerTaskManager, restPort, kafkaPort, taskManager,
                jobManager, checkpointInterval, stateBackend, flinkOverrides);
    }

    public ClusterSettings withCheckpointing(Duration interval, String backend) {
        return new ClusterSettings(root, jar, taskManagers, slotsPerTaskManager, restPort, kafkaPort,
                taskManagerMemory, jobManagerMemory, interval, backend, flinkOverrides);
    }

    public ClusterSettings withFlinkOverrides(Map<String, String> overrides) {
        Map<String, String> all = new LinkedHashMap<>(flinkOverrides);
        all.putAll(overrides);
        return new ClusterSettings(root, jar, taskManagers, slotsPerTaskManager, restPort, kafkaPort,
                taskManagerMemory, jobManagerMemory, checkpointInterval, stateBackend, all);
    }

    public String restUrl() {
        return "http://127.0.0.1:" + restPort;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + kafkaPort;
    }

    public Path checkpointDir() {
        return root.resolve("checkpoints");
    }

    public Path savepointDir() {
        return root.resolve("savepoints");
    }

    /** Writes {@code <root>/cluster.properties}. */
    public void save() {
        Properties p = new Properties();
        p.setProperty("jar", jar.toString());
        p.setProperty("task-managers", Integer.toString(taskManagers));
        p.setProperty("slots-per-task-manager", Integer.toString(slotsPerTaskManager));
        p.setProperty("rest-port", Integer.toString(restPort));
        p.setProperty("kafka-port", Integer.toString(kafkaPort));
        p.setProperty("task-manager-memory", taskManagerMemory);
        p.setProperty("job-manager-memory", jobManagerMemory);
        p.setProperty("checkpoint-interval-ms", Long.toString(checkpointInterval.toMillis()));
        p.setProperty("state-backend", stateBackend);
        flinkOverrides.forEach((k, v) -> p.setProperty("flink." + k, v));
        try {
            Files.createDirectories(root);
            try (Writer w = Files.newBufferedWriter(root.resolve(FILE_NAME), StandardCharsets.UTF_8)) {
                p.store(w, "alphaflow local cluster; written by 'alphaflow cluster start'");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + root.resolve(FILE_NAME), e);
        }
    }

    /** The settings a cluster in {@code root} was started with. */
    public static ClusterSettings load(Path root) {
        Path file = root.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("no cluster in " + root.toAbsolutePath()
                    + " (no " + FILE_NAME + "); start one with 'alphaflow cluster start'");
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Map<String, String> overrides = new LinkedHashMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith("flink.")) {
                overrides.put(key.substring("flink.".length()), p.getProperty(key));
            }
        }
        return new ClusterSettings(root, Path.of(p.getProperty("jar")),
                Integer.parseInt(p.getProperty("task-managers")),
                Integer.parseInt(p.getProperty("slots-per-task-manager")),
                Integer.parseInt(p.getProperty("rest-port")), Integer.parseInt(p.getProperty("kafka-port")),
                p.getProperty("task-manager-memory"), p.getProperty("job-manager-memory"),
                Duration.ofMillis(Long.parseLong(p.getProperty("checkpoint-interval-ms"))),
                p.getProperty("state-backend"), overrides);
    }
}
