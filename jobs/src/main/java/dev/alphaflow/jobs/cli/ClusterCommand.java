package dev.alphaflow.jobs.cli;

import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import dev.alphaflow.jobs.CommonOptions;
import dev.alphaflow.jobs.cluster.ClusterSettings;
import dev.alphaflow.jobs.cluster.LocalCluster;

/**
 * {@code alphaflow cluster start|status|stop|submit|stop-job}: a local Flink session cluster (one JobManager, N
 * TaskManagers) and a Kafka broker, each a process of its own, in {@code alphaflow-state/cluster}. See
 * {@link LocalCluster}.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = {"A local cluster of real processes: a Kafka broker, a Flink JobManager and TaskManagers.",
                "Each process has its folder (config, log, pid) under --dir; jobs are submitted over Flink's REST API "
                        + "with this jar, as 'flink run' would."},
        subcommands = {ClusterCommand.Start.class, ClusterCommand.StatusCommand.class, ClusterCommand.Stop.class,
                ClusterCommand.Submit.class, ClusterCommand.StopJob.class})
final class ClusterCommand implements Runnable {
    static final String DEFAULT_DIR = "alphaflow-state/cluster";

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: start, status, stop, "
                + "submit or stop-job");
    }

    /** The folder option every subcommand shares. */
    static final class DirOption {
        @Option(names = "--dir", paramLabel = "DIR", defaultValue = DEFAULT_DIR,
                description = "Folder of the cluster: config, logs, pids, Kafka data, checkpoints, savepoints "
                        + "(default: ${DEFAULT-VALUE}).")
        Path dir;
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Start Kafka, a JobManager and --task-managers TaskManagers; returns when all are up.")
    static final class Start implements Callable<Integer> {
        @Spec CommandSpec spec;
        @CommandLine.Mixin DirOption dir = new DirOption();

        @Option(names = "--task-managers", paramLabel = "N", defaultValue = "1",
                description = "TaskManager processes (default: ${DEFAULT-VALUE}).")
        int taskManagers;

        @Option(names = "--slots", paramLabel = "N", defaultValue = "1",
                description = "Task slots per TaskManager (default: ${DEFAULT-VALUE}).")
        int slots;

        @Option(names = "--rest-port", paramLabel = "PORT", defaultValue = "${env:ALPHAFLOW_FLINK_REST_PORT:-" + ClusterSettings.DEFAULT_REST_PORT + "}",
                description = "Port of Flink's REST API and web UI (default: $ALPHAFLOW_FLINK_REST_PORT or "
                        + "${DEFAULT-VALUE}).")
        int restPort;

        @Option(names = "--kafka-port", paramLabel = "PORT",
                defaultValue = "${env:ALPHAFLOW_KAFKA_PORT:-" + ClusterSettings.DEFAULT_KAFKA_PORT + "}",
                description = "Kafka client port, the controller uses the next one (default: $ALPHAFLOW_KAFKA_PORT "
                        + "or ${DEFAULT-VALUE}).")
        int kafkaPort;

        @Option(names = "--task-manager-memory", paramLabel = "SIZE", defaultValue = "2g",
                description = "Total process memory of each TaskManager (default: ${DEFAULT-VALUE}).")
        String taskManagerMemory;

        @Option(names = "--checkpoint-interval", paramLabel = "DURATION", defaultValue = "2s",
                description = "Checkpoint interval (default: ${DEFAULT-VALUE}); exactly-once output is committed "
                        + "at each checkpoint.")
        String checkpointInterval;

        @Option(names = "--state-backend", paramLabel = "NAME", defaultValue = "rocksdb",
                description = "rocksdb (default) or hashmap.")
        String stateBackend;

        @Option(names = "--jar", paramLabel = "JAR",
                description = "The alphaflow jar the processes run and jobs are submitted with (default: this one).")
        Path jar;

        @Option(names = "-D", paramLabel = "KEY=VALUE",
                description = "A Flink setting for every process of the cluster, written into its config.yaml after "
                        + "the cluster's own, e.g. -D env.java.opts.taskmanager=-XX:+UseParallelGC.")
        Map<String, String> flink = new LinkedHashMap<>();

        @Override
        public Integer call() {
            Duration interval = org.apache.flink.util.TimeUtils.parseDuration(checkpointInterval);
            ClusterSettings settings = new ClusterSettings(dir.dir, jar != null ? jar : thisJar(), taskManagers, slots,
                    restPort, kafkaPort, taskManagerMemory, "1g", interval, stateBackend, flink);
            PrintWriter out = spec.commandLine().getOut();
            out.println("Starting Kafka, a JobManager and " + taskManagers + " TaskManager(s) in "
                    + settings.root() + " ...");
            out.flush();
            LocalCluster cluster = LocalCluster.of(settings);
            cluster.start();
            out.print(cluster.status().line());
            out.println("web UI and REST API: " + settings.restUrl());
            out.println("submit:  alphaflow cluster submit --job matting   (stop: alphaflow cluster stop)");
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Which processes of the cluster run, and what the JobManager reports. Exit 1 if none runs.")
    static final class StatusCommand implements Callable<Integer> {
        @Spec CommandSpec spec;
        @CommandLine.Mixin DirOption dir = new DirOption();

        @Override
        public Integer call() {
            LocalCluster.Status status = LocalCluster.in(dir.dir).status();
            spec.commandLine().getOut().print(status.line());
            status.overview().ifPresent(o -> LocalCluster.in(dir.dir).rest().jobs().forEach((id, state) ->
                    spec.commandLine().getOut().println("job " + id + " " + state)));
            return status.anyRunning() ? 0 : 1;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stop every process of the cluster (SIGTERM, SIGKILL after 30 s). Data and checkpoints stay.")
    static final class Stop implements Callable<Integer> {
        @Spec CommandSpec spec;
        @CommandLine.Mixin DirOption dir = new DirOption();

        @Override
        public Integer call() {
            List<String> stopped = LocalCluster.in(dir.dir).stop();
            spec.commandLine().getOut().println(stopped.isEmpty() ? "nothing was running"
                    : "stopped " + String.join(", ", stopped));
            return 0;
        }
    }

    @Command(name = "submit", mixinStandardHelpOptions = true,
            description = "Submit a job to the cluster over REST (this jar, entry class FlinkEntryPoint); prints its id.")
    static final class Submit implements Callable<Integer> {
        @Spec CommandSpec spec;
        @CommandLine.Mixin DirOption dir = new DirOption();

        @Option(names = "--job", paramLabel = "NAME", defaultValue = "matting",
                description = "matting (default), segment, instances or flow.")
        String job;

        @Option(names = "--parallelism", paramLabel = "N", defaultValue = "0",
                description = "Job parallelism (default: one per TaskManager slot).")
        int parallelism;

        @Option(names = "--from-savepoint", paramLabel = "PATH",
                description = "Resume from this savepoint (or retained checkpoint).")
        String fromSavepoint;

        @Option(names = "-D", paramLabel = "KEY=VALUE", mapFallbackValue = "",
                description = "A job option (alphaflow.* key), e.g. -D alphaflow.kafka.bounded=false.")
        Map<String, String> options = new LinkedHashMap<>();

        @Override
        public Integer call() {
            LocalCluster cluster = LocalCluster.in(dir.dir);
            Map<String, String> all = new LinkedHashMap<>();
            all.put(CommonOptions.BOOTSTRAP_SERVERS.key(), cluster.settings().bootstrapServers());
            all.put(CommonOptions.MODEL_DIR.key(), SharedPaths.modelDir().toString());
            all.putAll(options);
            FlinkEntryPoint.job(job, org.apache.flink.configuration.Configuration.fromMap(all)); // checks options now
            int p = parallelism > 0 ? parallelism
                    : cluster.settings().taskManagers() * cluster.settings().slotsPerTaskManager();
            String jobId = cluster.submit(job, all, p, fromSavepoint);
            spec.commandLine().getOut().println(jobId);
            return 0;
        }
    }

    @Command(name = "stop-job", mixinStandardHelpOptions = true,
            description = "Stop a job with a savepoint (its last output committed); prints the savepoint's path.")
    static final class StopJob implements Callable<Integer> {
        @Spec CommandSpec spec;
        @CommandLine.Mixin DirOption dir = new DirOption();

        @Parameters(paramLabel = "JOB_ID", description = "The id 'submit' printed.")
        String jobId;

        @Override
        public Integer call() {
            LocalCluster cluster = LocalCluster.in(dir.dir);
            String savepoint = cluster.rest().stopWithSavepoint(jobId,
                    cluster.settings().savepointDir().toUri().toString(), Duration.ofMinutes(5));
            spec.commandLine().getOut().println(savepoint);
            return 0;
        }
    }

    // The jar this class was loaded from (the CLI runs from the shaded jar).
    static Path thisJar() {
        try {
            Path p = Path.of(ClusterCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException("not running from the alphaflow jar (" + p + "); give --jar");
            }
            return p;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
