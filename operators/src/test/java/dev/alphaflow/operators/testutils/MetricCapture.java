package dev.alphaflow.operators.testutils;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskMetricGroup;
import org.apache.flink.runtime.metrics.util.TestingMetricRegistry;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;

/**
 * A mock task environment whose metric registry remembers every metric an operator registers, so tests can read
 * counters by name (e.g. {@code "deadLetters.CORRUPT_PAYLOAD"}). Pass {@link #environment()} to a test harness and
 * close this after the harness.
 */
public final class MetricCapture implements AutoCloseable {
    private final Map<String, Metric> metrics = new ConcurrentHashMap<>();
    private final MockEnvironment environment;

    public MetricCapture() {
        TestingMetricRegistry registry = TestingMetricRegistry.builder()
                .setDelimiter('.')
                .setRegisterConsumer((metric, name, group) -> metrics.put(group.getMetricIdentifier(name), metric))
                .build();
        TaskMetricGroup task = TaskManagerMetricGroup.createTaskManagerMetricGroup(registry, "localhost", ResourceID.generate())
                .addJob(new JobID(), "test-job")
                .addTask(ExecutionAttemptID.randomId(), "test-task");
        environment = new MockEnvironmentBuilder().setMetricGroup(task).build();
    }

    public MockEnvironment environment() {
        return environment;
    }

    /** The metric whose identifier ends with {@code "." + name}; fails when there is none or several. */
    public Metric metric(String name) {
        Metric found = null;
        for (Map.Entry<String, Metric> e : metrics.entrySet()) {
            if (e.getKey().endsWith("." + name)) {
                if (found != null) {
                    throw new AssertionError("several metrics end with ." + name + ": " + new TreeMap<>(metrics).keySet());
                }
                found = e.getValue();
            }
        }
        if (found == null) {
            throw new AssertionError("no metric ends with ." + name + "; registered: " + new TreeMap<>(metrics).keySet());
        }
        return found;
    }

    public long count(String name) {
        return ((Counter) metric(name)).getCount();
    }

    public Object gauge(String name) {
        return ((Gauge<?>) metric(name)).getValue();
    }

    @Override
    public void close() throws Exception {
        environment.close();
    }
}
