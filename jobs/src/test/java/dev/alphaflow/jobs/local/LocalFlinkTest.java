package dev.alphaflow.jobs.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.junit.jupiter.api.Test;

class LocalFlinkTest {

    @Test
    void configurationHasTheDocumentedSettings() {
        Path dir = Path.of("target", "cp").toAbsolutePath();
        Configuration c = LocalFlink.builder()
                .checkpointDir(dir)
                .checkpointInterval(Duration.ofMillis(500))
                .parallelism(3)
                .restartAttempts(2)
                .restartDelay(Duration.ofMillis(100))
                .build()
                .configuration();

        assertThat(c.toMap()).containsEntry("state.backend.type", "hashmap");
        assertThat(c.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("hashmap");
        assertThat(c.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo(dir.toUri().toString());
        assertThat(c.toMap()).containsKey("execution.checkpointing.dir");
        assertThat(c.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).isEqualTo(Duration.ofMillis(500));
        assertThat(c.get(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE)).isEqualTo(CheckpointingMode.EXACTLY_ONCE);
        assertThat(c.get(CoreOptions.DEFAULT_PARALLELISM)).isEqualTo(3);
        assertThat(c.get(TaskManagerOptions.NUM_TASK_SLOTS)).isEqualTo(3);
        assertThat(c.get(PipelineOptions.GENERIC_TYPES)).isFalse();
        assertThat(c.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("fixed-delay");
        assertThat(c.get(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS)).isEqualTo(2);
        assertThat(c.get(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY)).isEqualTo(Duration.ofMillis(100));
        assertThat(c.getOptional(StateRecoveryOptions.SAVEPOINT_PATH)).isEmpty();
        // Flink's 32 KB network buffers: compressed frames cross the keyBy, a channel holds a few of them in flight,
        // and a checkpoint barrier behind a backlog waits for a few frames, not dozens
        assertThat(c.contains(TaskManagerOptions.MEMORY_SEGMENT_SIZE)).isFalse();
    }

    @Test
    void extraOptionsAndRestoreAndNoRestarts() {
        Configuration c = LocalFlink.builder()
                .checkpointDir(Path.of("cp"))
                .restartAttempts(0)
                .taskSlots(4)
                .restoreFrom(Path.of("cp", "chk-3"))
                .set(CoreOptions.DEFAULT_PARALLELISM, 1)
                .build()
                .configuration();
        assertThat(c.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("none");
        assertThat(c.get(TaskManagerOptions.NUM_TASK_SLOTS)).isEqualTo(4);
        assertThat(c.get(CoreOptions.DEFAULT_PARALLELISM)).isEqualTo(1);
        assertThat(c.get(StateRecoveryOptions.SAVEPOINT_PATH)).endsWith("/cp/chk-3");
    }

    @Test
    void rocksDbIsSelectable() {
        Configuration c = LocalFlink.builder().checkpointDir(Path.of("cp"))
                .stateBackend(LocalFlink.StateBackend.ROCKSDB).build().configuration();
        assertThat(c.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(Configuration.fromMap(java.util.Map.of("alphaflow.state.backend", "rocksdb"))
                .get(LocalFlink.STATE_BACKEND)).isEqualTo(LocalFlink.StateBackend.ROCKSDB);
        assertThat(new Configuration().get(LocalFlink.STATE_BACKEND)).isEqualTo(LocalFlink.StateBackend.HASHMAP);
    }

    @Test
    void sanityChecks() {
        assertThatThrownBy(() -> LocalFlink.builder().build()).hasMessageContaining("checkpointDir");
        assertThatThrownBy(() -> LocalFlink.builder().checkpointDir(Path.of("x")).parallelism(4).taskSlots(2).build())
                .hasMessageContaining("taskSlots");
        assertThatThrownBy(() -> LocalFlink.builder().checkpointDir(Path.of("x")).checkpointInterval(Duration.ZERO)
                .build()).hasMessageContaining("checkpointInterval");
    }
}
