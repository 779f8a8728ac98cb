package dev.alphaflow.jobs.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

import dev.alphaflow.jobs.PrometheusOptions;
import dev.alphaflow.jobs.broker.KafkaBroker;
import dev.alphaflow.jobs.broker.KafkaBrokerConfig;
import dev.alphaflow.jobs.broker.TopicCreation;

/**
 * A Flink session cluster and a Kafka broker as separate processes on 127.0.0.1, built only from what the alphaflow
 * jar holds (Flink's {@code flink-dist} is not on Maven Central; its entry points are in {@code flink-runtime}):
 * <ul>
 *   <li>{@code kafka}: {@code kafka.Kafka} (the class {@code kafka-server-start.sh} runs) on a KRaft data folder that
 *       {@code kafka.tools.StorageTool format} prepared the first time; the standard topics are created after it;
 *   <li>{@code jobmanager}: {@code StandaloneSessionClusterEntrypoint} (what {@code jobmanager.sh} runs), REST API
 *       on {@link ClusterSettings#restPort()};
 *   <li>{@code taskmanager-1..N}: {@code TaskManagerRunner} (what {@code taskmanager.sh} runs).
 * </ul>
 * JVM memory flags come from Flink's own calculation ({@code TaskExecutorProcessUtils}, {@code JobManagerProcessUtils},
 * what {@code BashJavaUtils} prints for the scripts). Checkpoints and savepoints go to folders under the root
 * ({@code file://}, standing in for S3). Jobs are submitted over REST with the jar a user would give {@code flink run}.
 *
 * <p>The processes run from the alphaflow jar itself, so the job's classes are already on their classpath: the
 * cluster loads classes parent-first ({@code classloader.resolve-order}), which keeps one copy of each class and of
 * ONNX Runtime's native library per process. On a production cluster the jar goes to {@code usrlib/} of the official
 * Flink image and loads child-first as usual (see {@code infra/}).
 */
public final class LocalCluster {
    public static final String KAFKA = "kafka";
    public static final String JOB_MANAGER = "jobmanager";
    public static final String TASK_MANAGER_PREFIX = "taskmanager-";

    static final String JOB_MANAGER_MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    static final String TASK_MANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    static final String KAFKA_MAIN = "kafka.Kafka";
    static final String KAFKA_STORAGE_TOOL = "kafka.tools.StorageTool";
    /** The jar's {@code flink run} entry class (named, not imported: the CLI depends on this package). */
    public static final String ENTRY_CLASS = "dev.alphaflow.jobs.cli.FlinkEntryPoint";

    // What flink-dist's config.yaml passes to every Flink JVM on Java 17 (env.java.default-opts.all).
    private static final List<String> FLINK_JAVA_OPTS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED", "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED", "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");
    /** Ports the processes' Prometheus endpoints take (one each, the first free one). */
    public static final String PROMETHEUS_PORTS = "9250-9269";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private ClusterSettings settings;
    private final Path java;

    /** Set by {@link #stopWhenThisJvmExits}: while processes run, a shutdown hook stops them. */
    private boolean stopWhenJvmExits;
    private Thread stopOnExit;

    private LocalCluster(ClusterSettings settings) {
        this.settings = settings;
        this.java = Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** A handle on the cluster laid out by {@code settings} (started or not). */
    public static LocalCluster of(ClusterSettings settings) {
        return new LocalCluster(settings);
    }

    /** The cluster whose folder is {@code root}, as {@code alphaflow cluster start} left it. */
    public static LocalCluster in(Path root) {
        return new LocalCluster(ClusterSettings.load(root));
    }

    public ClusterSettings settings() {
        return settings;
    }

    public FlinkRest rest() {
        return new FlinkRest(settings.restUrl());
    }

    public ClusterProcess kafka() {
        return new ClusterProcess(settings.root(), KAFKA, KAFKA_MAIN);
    }

    public ClusterProcess jobManager() {
        return new ClusterProcess(settings.root(), JOB_MANAGER, JOB_MANAGER_MAIN);
    }

    public ClusterProcess taskManager(int index) {
        return new ClusterProcess(settings.root(), TASK_MANAGER_PREFIX + index, TASK_MANAGER_MAIN);
    }

    /** Every process this cluster has a folder for: the broker, the JobManager, then TaskManagers by number. */
    public List<ClusterProcess> processes() {
        List<ClusterProcess> all = new ArrayList<>(List.of(kafka(), jobManager()));
        all.addAll(taskManagers());
        return all;
    }

    /** The TaskManagers this cluster has folders for (started ones and replacements), by number. */
    public List<ClusterProcess> taskManagers() {
        List<Integer> indexes = new ArrayList<>();
        if (Files.isDirectory(settings.root())) {
            try (Stream<Path> dirs = Files.list(settings.root())) {
                dirs.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(TASK_MANAGER_PREFIX))
                        .map(n -> n.substring(TASK_MANAGER_PREFIX.length())).filter(s -> s.matches("\\d+"))
                        .map(Integer::parseInt).sorted().forEach(indexes::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return indexes.stream().map(this::taskManager).toList();
    }

    /**
     * Starts the broker, the JobManager and {@link ClusterSettings#taskManagers()} TaskManagers, and returns once
     * Kafka has its topics and every TaskManager has registered. Fails, stopping what it started, naming the log to
     * read.
     */
    public void start() {
        if (processes().stream().anyMatch(ClusterProcess::isRunning)) {
            throw new IllegalStateException("a cluster already runs in " + settings.root() + ": " + status().line());
        }
        if (!Files.isRegularFile(settings.jar())) {
            throw new IllegalStateException("the alphaflow jar " + settings.jar() + " does not exist");
        }
        if (!settings.flinkOverrides().containsKey("jobmanager.rpc.port")) {
            settings = settings.withFlinkOverrides(Map.of("jobmanager.rpc.port", Integer.toString(freePort())));
        }
        checkPortFree(settings.restPort(), "the Flink REST API (--rest-port)");
        checkPortFree(settings.kafkaPort(), "Kafka (--kafka-port)");
        checkPortFree(settings.kafkaPort() + 1, "the Kafka controller (--kafka-port + 1)");
        try {
            Files.createDirectories(settings.checkpointDir());
            Files.createDirectories(settings.savepointDir());
            writeLog4jConfig();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + settings.root(), e);
        }
        settings.save();
        try {
            startKafka();
            startJobManager();
            for (int i = 1; i <= settings.taskManagers(); i++) {
                startTaskManager(i);
            }
            awaitKafka();
            awaitTaskManagers(settings.taskManagers(), START_TIMEOUT);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
    }

    /** Starts (or restarts, on the same data folder) the broker; returns once it answers and has its topics. */
    public void startKafka() {
        armStopOnExit();
        ClusterProcess kafka = kafka();
        KafkaBrokerConfig config = brokerConfig();
        try {
            Files.createDirectories(config.logDir());
            Files.writeString(config.propertiesFile(), toProperties(config.serverProperties()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + config.propertiesFile(), e);
        }
        List<String> jvm = List.of("-Xmx1g", "-Dlog4j2.configurationFile=" + log4jConfig().toUri());
        if (!KafkaBroker.isFormatted(config)) {
            int exit = kafka.runToEnd(java, settings.jar(), jvm, KAFKA_STORAGE_TOOL, List.of("format",
                    "--config", config.propertiesFile().toString(), "--cluster-id", Uuid.randomUuid().toString()),
                    Duration.ofSeconds(60));
            if (exit != 0) {
                throw new IllegalStateException("kafka-storage format failed (exit " + exit + "); see " + kafka.outFile());
            }
        }
        kafka.start(java, settings.jar(), jvm, List.of(config.propertiesFile().toString()));
    }

    /** Waits until the broker answers and creates the standard topics that are missing. */
    public void awaitKafka() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000))) {
            while (true) {
                if (!kafka().isRunning()) {
                    throw new IllegalStateException("Kafka exited during start; see " + kafka().logFile() + " and "
                            + kafka().outFile());
                }
                try {
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    break;
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Kafka at " + settings.bootstrapServers() + " did not answer in "
                                + START_TIMEOUT.toSeconds() + " s; see " + kafka().logFile(), e);
                    }
                    sleep(300);
                }
            }
            TopicCreation.createAndAwaitLeaders(admin, KafkaBroker.STANDARD_TOPICS, 2, KafkaBrokerConfig.topicConfigs(),
                    Duration.ofSeconds(60));
        }
    }

    /** Starts the JobManager and waits until its REST API answers. */
    public void startJobManager() {
        armStopOnExit();
        ClusterProcess jm = jobManager();
        Configuration conf = writeFlinkConfiguration(jm);
        JobManagerProcessSpec spec = JobManagerProcessUtils.processSpecFromConfig(conf);
        List<String> jvm = new ArrayList<>(split(JobManagerProcessUtils.generateJvmParametersStr(spec, conf)));
        jvm.addAll(flinkJvmOptions(conf, CoreOptions.FLINK_JM_JVM_OPTIONS));
        List<String> args = new ArrayList<>(List.of("--configDir", jm.confDir().toString()));
        args.addAll(split(JobManagerProcessUtils.generateDynamicConfigsStr(spec)));
        jm.start(java, settings.jar(), jvm, args);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (rest().overview().isEmpty()) {
            if (!jm.isRunning()) {
                throw new IllegalStateException("the JobManager exited during start; see " + jm.logFile());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the JobManager's REST API at " + settings.restUrl()
                        + " did not answer in " + START_TIMEOUT.toSeconds() + " s; see " + jm.logFile());
            }
            sleep(300);
        }
    }

    /** Starts TaskManager number {@code index} (a new one, or a replacement for one that died). */
    public ClusterProcess startTaskManager(int index) {
        armStopOnExit();
        ClusterProcess tm = taskManager(index);
        Configuration conf = writeFlinkConfiguration(tm);
        TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(conf);
        List<String> jvm = new ArrayList<>(split(ProcessMemoryUtils.generateJvmParametersStr(spec)));
        jvm.addAll(flinkJvmOptions(conf, CoreOptions.FLINK_TM_JVM_OPTIONS));
        List<String> args = new ArrayList<>(List.of("--configDir", tm.confDir().toString()));
        args.addAll(split(TaskExecutorProcessUtils.generateDynamicConfigsStr(spec)));
        tm.start(java, settings.jar(), jvm, args);
        return tm;
    }

    /** The next unused TaskManager number (for a replacement). */
    public int nextTaskManagerIndex() {
        return taskManagers().stream().mapToInt(t -> Integer.parseInt(t.name().substring(TASK_MANAGER_PREFIX.length())))
                .max().orElse(0) + 1;
    }

    /** Waits until {@code n} TaskManagers are registered with the JobManager. */
    public void awaitTaskManagers(int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<FlinkRest.Overview> overview = rest().overview();
            if (overview.isPresent() && overview.get().taskManagers() >= n) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(n + " TaskManager(s) did not register in " + timeout.toSeconds()
                        + " s (" + overview.map(o -> o.taskManagers() + " did").orElse("the JobManager does not answer")
                        + "); see the logs in " + settings.root());
            }
            sleep(300);
        }
    }

    /**
     * Makes the JVM that calls this stop the cluster's processes when it exits without calling {@link #stop} (a
     * test or benchmark interrupted with SIGTERM or Ctrl-C, a fork killed at its timeout), so that none outlives it.
     * Not for {@code alphaflow cluster start}, whose processes are meant to outlive the command.
     */
    public synchronized LocalCluster stopWhenThisJvmExits() {
        stopWhenJvmExits = true;
        armStopOnExit();
        return this;
    }

    // Called before any process starts, so that a JVM exit between two starts leaves none behind.
    private synchronized void armStopOnExit() {
        if (stopWhenJvmExits && stopOnExit == null) {
            stopOnExit = new Thread(this::stop, "stop local cluster " + settings.root());
            Runtime.getRuntime().addShutdownHook(stopOnExit);
        }
    }

    /** Stops every process (TaskManagers, JobManager, broker) with SIGTERM, SIGKILL after a grace period. */
    public List<String> stop() {
        synchronized (this) {
            if (stopOnExit != null && Thread.currentThread() != stopOnExit) {
                try {
                    Runtime.getRuntime().removeShutdownHook(stopOnExit);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs (or ran) anyway; stopping twice is harmless
                }
                stopOnExit = null;
            }
        }
        List<String> stopped = new ArrayList<>();
        for (ClusterProcess tm : taskManagers()) {
            if (tm.stop(STOP_GRACE)) {
                stopped.add(tm.name());
            }
        }
        if (jobManager().stop(STOP_GRACE)) {
            stopped.add(JOB_MANAGER);
        }
        if (kafka().stop(STOP_GRACE)) {
            stopped.add(KAFKA);
        }
        return stopped;
    }

    /** What runs now. */
    public Status status() {
        Map<String, Optional<Long>> pids = new LinkedHashMap<>();
        for (ClusterProcess p : processes()) {
            pids.put(p.name(), p.handle().map(ProcessHandle::pid));
        }
        return new Status(settings, pids, rest().overview());
    }

    /**
     * Submits a job over REST: uploads the jar (once per JobManager) and runs {@link #ENTRY_CLASS} with
     * {@code --job jobName} and the {@code alphaflow.*} options as {@code key=value} arguments, as
     * {@code flink run -c dev.alphaflow.jobs.cli.FlinkEntryPoint alphaflow.jar --job ...} would. Returns the job id.
     */
    public String submit(String jobName, Map<String, String> options, int parallelism, String fromSavepoint) {
        List<String> args = new ArrayList<>(List.of("--job", jobName));
        options.forEach((k, v) -> args.add(k + "=" + v));
        FlinkRest.RunRequest run = FlinkRest.RunRequest.of(ENTRY_CLASS, args).parallelism(parallelism);
        if (fromSavepoint != null) {
            run.fromSavepoint(fromSavepoint);
        }
        return rest().runJar(uploadedJar(), run);
    }

    // The JobManager keeps uploaded jars in its web.upload.dir while it runs; reuse one newer than the jar file.
    private String uploadedJar() {
        FlinkRest rest = rest();
        try {
            long modified = Files.getLastModifiedTime(settings.jar()).toMillis();
            return rest.uploadedJar(settings.jar().getFileName().toString(), modified)
                    .orElseGet(() -> rest.uploadJar(settings.jar()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private KafkaBrokerConfig brokerConfig() {
        return KafkaBrokerConfig.builder(kafka().dir()).port(settings.kafkaPort()).build();
    }

    /** The Flink configuration every process of the cluster shares, with {@code process}'s own folders. */
    Configuration flinkConfiguration(ClusterProcess process) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("jobmanager.rpc.address", "127.0.0.1");
        c.put("jobmanager.bind-host", "127.0.0.1");
        c.put("taskmanager.host", "127.0.0.1");
        c.put("taskmanager.bind-host", "127.0.0.1");
        c.put("rest.address", "127.0.0.1");
        c.put("rest.bind-address", "127.0.0.1");
        c.put("rest.port", Integer.toString(settings.restPort()));
        c.put("jobmanager.memory.process.size", settings.jobManagerMemory());
        c.put("taskmanager.memory.process.size", settings.taskManagerMemory());
        c.put("taskmanager.numberOfTaskSlots", Integer.toString(settings.slotsPerTaskManager()));
        c.put("parallelism.default", "1");
        c.put("classloader.resolve-order", "parent-first"); // see the class comment
        c.put("execution.checkpointing.interval", settings.checkpointInterval().toMillis() + " ms");
        c.put("execution.checkpointing.dir", settings.checkpointDir().toUri().toString());
        c.put("execution.checkpointing.savepoint-dir", settings.savepointDir().toUri().toString());
        c.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        c.put("state.backend.type", settings.stateBackend());
        if ("hashmap".equals(settings.stateBackend())) {
            // Managed memory serves RocksDB only; on the heap backend Flink's default 40 % of it would sit unused
            // while the frames, their tensors and the keyed state crowd a heap of a third of the process.
            c.put("taskmanager.memory.managed.fraction", "0");
        }
        // Restart until a replacement TaskManager or the broker is back, quickly; a job that cannot run at all
        // still fails after 100 attempts.
        c.put("restart-strategy.type", "fixed-delay");
        c.put("restart-strategy.fixed-delay.attempts", "100");
        c.put("restart-strategy.fixed-delay.delay", "1 s");
        // A killed TaskManager is noticed within seconds (its RPCs fail), not after the 50 s default timeout.
        c.put("heartbeat.interval", "2000");
        c.put("heartbeat.timeout", "10000");
        c.put("io.tmp.dirs", process.tmpDir().toString());
        c.put("web.upload.dir", settings.root().resolve(JOB_MANAGER).resolve("uploads").toString());
        c.put("web.tmpdir", process.tmpDir().toString());
        // Every process's metrics for Prometheus at http://<host>:<port>/metrics, each on the first free port of the
        // range; an override of the port key with an empty value turns the reporter off.
        c.putAll(PrometheusOptions.reporter(PROMETHEUS_PORTS).toMap());
        c.putAll(settings.flinkOverrides());
        if (c.get(PrometheusOptions.PORT_KEY).isBlank()) {
            c.remove(PrometheusOptions.PORT_KEY);
            c.remove(PrometheusOptions.FACTORY_CLASS_KEY);
        }
        return Configuration.fromMap(c);
    }

    /** Writes {@code process}'s {@code conf/config.yaml}; returns what it holds. */
    Configuration writeFlinkConfiguration(ClusterProcess process) {
        Configuration conf = flinkConfiguration(process);
        if (process.name().startsWith(TASK_MANAGER_PREFIX)) {
            conf.setString("taskmanager.resource-id", process.name());
        }
        writeFlinkConfig(process, conf);
        return conf;
    }

    private void writeFlinkConfig(ClusterProcess process, Configuration conf) {
        StringBuilder yaml = new StringBuilder("# Written by alphaflow cluster on every start of " + process.name()
                + "; Flink reads it from --configDir.\n");
        conf.toMap().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
                yaml.append(e.getKey()).append(": \"").append(e.getValue().replace("\\", "\\\\").replace("\"", "\\\""))
                        .append("\"\n"));
        try {
            Files.createDirectories(process.confDir());
            Files.writeString(process.confDir().resolve("config.yaml"), yaml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the configuration of " + process.name(), e);
        }
    }

    /**
     * The JVM options of a JobManager or TaskManager besides its memory flags: the module openings Flink needs, the
     * log configuration, then what Flink's own scripts add from {@code env.java.opts.all} and the process's role key
     * ({@code env.java.opts.jobmanager} or {@code env.java.opts.taskmanager}), split at whitespace as the scripts'
     * shell does, so that the same keys tune a local cluster and one started by {@code jobmanager.sh}.
     */
    List<String> flinkJvmOptions(Configuration conf, ConfigOption<String> roleOptions) {
        List<String> opts = new ArrayList<>(FLINK_JAVA_OPTS);
        opts.add("-Dlog4j2.configurationFile=" + log4jConfig().toUri());
        opts.addAll(split(conf.get(CoreOptions.FLINK_JVM_OPTIONS)));
        opts.addAll(split(conf.get(roleOptions)));
        return opts;
    }

    private Path log4jConfig() {
        return settings.root().resolve("log4j2.properties");
    }

    // One Log4j configuration for all processes: each writes to its own file (-Dlog.file), as Flink's scripts do.
    private void writeLog4jConfig() throws IOException {
        Files.writeString(log4jConfig(), String.join("\n",
                "# Written by alphaflow cluster start: every process logs to its own ${sys:log.file}.",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = file",
                "appender.file.type = File",
                "appender.file.name = file",
                "appender.file.fileName = ${sys:log.file}",
                "appender.file.append = true",
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
                "logger.kafkaClients.name = org.apache.kafka.clients",
                "logger.kafkaClients.level = WARN",
                ""), StandardCharsets.UTF_8);
    }

    private static String toProperties(Map<String, String> properties) {
        StringBuilder out = new StringBuilder("# Written by alphaflow cluster on every start; kafka.Kafka reads it.\n");
        properties.forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
        return out.toString();
    }

    private static List<String> split(String flags) {
        return Arrays.stream(flags.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    private static void checkPortFree(int port, String what) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new IllegalStateException("127.0.0.1:" + port + " for " + what + " is in use; is a cluster "
                    + "(or 'alphaflow kafka') already running? Choose another port or stop it", e);
        }
    }

    /** A port free on 127.0.0.1 now (for the REST API or the JobManager's RPC). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A free port whose next one is free too: Kafka's client port (its controller takes port + 1). */
    public static int freeKafkaPort() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = freePort();
            try (ServerSocket next = new ServerSocket(port + 1, 0, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException busy) {
                // try another
            }
        }
        throw new IllegalStateException("no two adjacent free ports on 127.0.0.1");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Which processes run (pid) and what the JobManager reports. */
    public record Status(ClusterSettings settings, Map<String, Optional<Long>> pids,
            Optional<FlinkRest.Overview> overview) {
        public boolean anyRunning() {
            return pids.values().stream().anyMatch(Optional::isPresent);
        }

        /** One line per process, then the JobManager's overview. */
        public String line() {
            StringBuilder s = new StringBuilder();
            pids.forEach((name, pid) -> s.append(String.format("%-16s %s%n", name,
                    pid.map(p -> "running (pid " + p + ")").orElse("stopped"))));
            overview.ifPresentOrElse(o -> s.append(String.format(
                    "Flink %s at %s: %d TaskManager(s), %d/%d slot(s) free, %d job(s) running%n", o.flinkVersion(),
                    settings.restUrl(), o.taskManagers(), o.slotsAvailable(), o.slotsTotal(), o.jobsRunning())),
                    () -> s.append("Flink REST API at ").append(settings.restUrl()).append(": not answering\n"));
            s.append("Kafka at ").append(settings.bootstrapServers()).append(pids.getOrDefault(KAFKA, Optional.empty())
                    .isPresent() ? "" : " (stopped)").append('\n');
            return s.toString();
        }
    }
}
