package dev.alphaflow.jobs.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import dev.alphaflow.jobs.PrometheusOptions;

/**
 * The Flink configuration alphaflow runs with on one machine: an in-process MiniCluster, the heap state backend
 * (RocksDB selectable, see {@link #STATE_BACKEND}), exactly-once checkpoints written as files under a given folder, a fixed-delay restart strategy and no Kryo
 * fallback for generic types, and optionally Flink's Prometheus reporter ({@link Builder#prometheusPorts}). The local
 * demo and the ITCases build their environments here so they run the same way.
 *
 * <pre>{@code
 * LocalFlink flink = LocalFlink.builder()
 *     .checkpointDir(Path.of("target/checkpoints"))
 *     .checkpointInterval(Duration.ofSeconds(2))
 *     .parallelism(2)
 *     .build();
 * StreamExecutionEnvironment env = flink.createEnvironment();
 * // or: MiniClusterResourceConfiguration with flink.configuration()
 * }</pre>
 */
public final class LocalFlink {

    /** Where keyed state lives between checkpoints. */
    public enum StateBackend {
        /**
         * Flink's HashMapStateBackend: state objects on the JVM heap, a full checkpoint writes exactly the live
         * values. The default: a stream's recurrent state is rewritten every frame, which on RocksDB leaves
         * superseded versions in SST files that full checkpoints copy until compaction drops them.
         */
        HASHMAP("hashmap"),
        /** EmbeddedRocksDBStateBackend: state off-heap on local disk; for more state than the heap holds. */
        ROCKSDB("rocksdb");

        private final String flinkName;

        StateBackend(String flinkName) {
            this.flinkName = flinkName;
        }

        /** The value of Flink's {@code state.backend.type}. */
        public String flinkName() {
            return flinkName;
        }
    }

    /** The state backend of jobs run by the local runtime ({@code alphaflow run}, {@code demo}). */
    public static final ConfigOption<StateBackend> STATE_BACKEND = ConfigOptions.key("alphaflow.state.backend")
            .enumType(StateBackend.class).defaultValue(StateBackend.HASHMAP)
            .withDescription("Keyed state backend of the local runtime: HASHMAP (heap; checkpoints hold exactly the "
                    + "live state) or ROCKSDB (local disk; for state larger than the heap).");

    private final Configuration configuration;
    private final int parallelism;

    private LocalFlink(Builder b) {
        this.parallelism = b.parallelism;
        Configuration c = new Configuration();
        c.set(StateBackendOptions.STATE_BACKEND, b.stateBackend.flinkName());
        c.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, b.incrementalCheckpoints);
        c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, b.checkpointDir.toAbsolutePath().toUri().toString());
        c.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, b.checkpointInterval);
        c.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        c.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, b.retainCheckpoints
                ? ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION
                : ExternalizedCheckpointRetention.DELETE_ON_CANCELLATION);
        c.set(CoreOptions.DEFAULT_PARALLELISM, b.parallelism);
        c.set(TaskManagerOptions.NUM_TASK_SLOTS, b.taskSlots < 0 ? b.parallelism : b.taskSlots);
        c.set(PipelineOptions.GENERIC_TYPES, false);
        if (b.restartAttempts > 0) {
            c.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, b.restartAttempts);
            c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, b.restartDelay);
        } else {
            c.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        }
        if (b.restoreFrom != null) {
            c.set(StateRecoveryOptions.SAVEPOINT_PATH, b.restoreFrom.toAbsolutePath().toUri().toString());
        }
        if (!b.prometheusPorts.isBlank()) {
            c.addAll(PrometheusOptions.reporter(b.prometheusPorts));
        }
        c.addAll(b.extra);
        this.configuration = c;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A copy of the configuration; pass it to a MiniCluster or to {@link StreamExecutionEnvironment}. */
    public Configuration configuration() {
        return new Configuration(configuration);
    }

    public int parallelism() {
        return parallelism;
    }

    /** A local environment that starts its own MiniCluster when the job is executed. */
    public StreamExecutionEnvironment createEnvironment() {
        return StreamExecutionEnvironment.createLocalEnvironment(parallelism, configuration());
    }

    /** Options of {@link LocalFlink}; defaults are set in the constructor. */
    public static final class Builder {
        private Path checkpointDir;
        private Duration checkpointInterval = Duration.ofSeconds(5);
        private int parallelism = 2;
        private int taskSlots = -1;
        private int restartAttempts = 3;
        private Duration restartDelay = Duration.ofSeconds(1);
        private boolean retainCheckpoints = true;
        private boolean incrementalCheckpoints = false;
        private StateBackend stateBackend = STATE_BACKEND.defaultValue();
        private Path restoreFrom;
        private String prometheusPorts = "";
        private final Configuration extra = new Configuration();

        private Builder() {}

        /** Folder for checkpoint files (required); created by Flink when the first checkpoint is taken. */
        public Builder checkpointDir(Path checkpointDir) {
            this.checkpointDir = Objects.requireNonNull(checkpointDir, "checkpointDir");
            return this;
        }

        /** Time between the starts of two checkpoints (default 5 s). */
        public Builder checkpointInterval(Duration interval) {
            this.checkpointInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /** Default parallelism of the job's operators (default 2). */
        public Builder parallelism(int parallelism) {
            this.parallelism = parallelism;
            return this;
        }

        /** Task slots of the MiniCluster's task manager (default: the parallelism). */
        public Builder taskSlots(int taskSlots) {
            this.taskSlots = taskSlots;
            return this;
        }

        /** Restarts after a failure before the job fails (default 3); 0 disables restarts. */
        public Builder restartAttempts(int attempts) {
            this.restartAttempts = attempts;
            return this;
        }

        /** Pause before each restart (default 1 s). */
        public Builder restartDelay(Duration delay) {
            this.restartDelay = Objects.requireNonNull(delay, "delay");
            return this;
        }

        /** Keep the last checkpoint when the job is cancelled, so a new run can resume from it (default true). */
        public Builder retainCheckpoints(boolean retain) {
            this.retainCheckpoints = retain;
            return this;
        }

        /** Keyed state backend (default {@link StateBackend#HASHMAP}). */
        public Builder stateBackend(StateBackend backend) {
            this.stateBackend = Objects.requireNonNull(backend, "backend");
            return this;
        }

        /** RocksDB incremental checkpoints (default false: each checkpoint is self-contained). */
        public Builder incrementalCheckpoints(boolean incremental) {
            this.incrementalCheckpoints = incremental;
            return this;
        }

        /** Resume from this checkpoint or savepoint folder (a {@code chk-N} directory or its {@code _metadata}). */
        public Builder restoreFrom(Path checkpoint) {
            this.restoreFrom = Objects.requireNonNull(checkpoint, "checkpoint");
            return this;
        }

        /**
         * Serves the job's metrics for Prometheus on the first free port of {@code ports} (a port or a range such as
         * {@code 9249-9259}, see {@link PrometheusOptions}); empty (the default) starts no reporter.
         */
        public Builder prometheusPorts(String ports) {
            this.prometheusPorts = Objects.requireNonNull(ports, "ports");
            return this;
        }

        /** Sets any other Flink option; applied last, so it overrides the settings above. */
        public <T> Builder set(ConfigOption<T> option, T value) {
            extra.set(Objects.requireNonNull(option, "option"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public LocalFlink build() {
            if (checkpointDir == null) {
                throw new IllegalArgumentException("checkpointDir is required: call checkpointDir(Path) with a "
                        + "folder for checkpoint files");
            }
            if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
                throw new IllegalArgumentException("checkpointInterval must be positive: " + checkpointInterval);
            }
            if (parallelism <= 0) {
                throw new IllegalArgumentException("parallelism must be positive: " + parallelism);
            }
            if (taskSlots >= 0 && taskSlots < parallelism) {
                throw new IllegalArgumentException(String.format("taskSlots (%d) must be at least the parallelism "
                        + "(%d): a single task manager must fit the whole job", taskSlots, parallelism));
            }
            if (restartAttempts < 0) {
                throw new IllegalArgumentException("restartAttempts must not be negative: " + restartAttempts);
            }
            if (restartDelay.isNegative()) {
                throw new IllegalArgumentException("restartDelay must not be negative: " + restartDelay);
            }
            return new LocalFlink(this);
        }
    }
}
