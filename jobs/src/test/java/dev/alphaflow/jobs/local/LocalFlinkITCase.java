package dev.alphaflow.jobs.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** The local configuration runs a keyed job on either state backend with checkpoints and without Kryo. */
class LocalFlinkITCase {

    @ParameterizedTest(name = "{0}")
    @EnumSource(LocalFlink.StateBackend.class)
    void runsAKeyedJob(LocalFlink.StateBackend backend, @TempDir Path dir) throws Exception {
        StreamExecutionEnvironment env = LocalFlink.builder()
                .stateBackend(backend)
                .checkpointDir(dir.resolve("checkpoints"))
                .checkpointInterval(Duration.ofMillis(200))
                .parallelism(2)
                .build()
                .createEnvironment();

        List<Tuple2<Long, Long>> sums = new ArrayList<>();
        try (CloseableIterator<Tuple2<Long, Long>> it = env.fromSequence(0, 999)
                .map(x -> Tuple2.of(x % 10, x)).returns(Types.TUPLE(Types.LONG, Types.LONG))
                .keyBy(t -> t.f0, Types.LONG)
                .reduce((a, b) -> Tuple2.of(a.f0, a.f1 + b.f1))
                .executeAndCollect("local-flink-smoke")) {
            it.forEachRemaining(sums::add);
        }
        // The last running sum of each key is the key's total.
        long total = sums.stream().collect(java.util.stream.Collectors.toMap(t -> t.f0, t -> t.f1, Math::max))
                .values().stream().mapToLong(Long::longValue).sum();
        assertThat(total).isEqualTo(999L * 1000 / 2);
    }
}
