package dev.alphaflow.jobs;

import java.util.Properties;

import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.KafkaSourceOptions;

/**
 * Kafka source properties that depend on how a job reads its topic, shared by every job's frame source.
 *
 * <p>A bounded source ({@code --bounded}, the demo) does not register the Kafka consumer's metrics with Flink
 * ({@code register.consumer.metrics=false}). The reason: when a bounded split reaches its end the source reader stops
 * its fetcher, and the offset commit of the next checkpoint starts a new fetcher with a new {@code KafkaConsumer},
 * whose ~90 metrics flink-connector-kafka (5.0) registers again under the same names; Flink refuses each one with a
 * "Name collision" WARN, and the gauges already registered keep reading the closed consumer. The source's own metrics
 * ({@code currentOffset}, {@code committedOffset}, {@code commitsSucceeded}/{@code Failed}, {@code pendingRecords})
 * stay. An unbounded source keeps its one fetcher, so it keeps the consumer metrics (useful for live monitoring).
 *
 * <pre>{@code
 * KafkaSourceBuilder<RawFrameRecord> builder = KafkaSource.<RawFrameRecord>builder() ... ;
 * KafkaSourceSettings.apply(builder, bounded);
 * }</pre>
 */
public final class KafkaSourceSettings {
    private KafkaSourceSettings() {}

    /** The properties for a source that is bounded or not; see the class comment. */
    public static Properties properties(boolean bounded) {
        Properties p = new Properties();
        p.setProperty(KafkaSourceOptions.REGISTER_KAFKA_CONSUMER_METRICS.key(), Boolean.toString(!bounded));
        return p;
    }

    /** Sets {@link #properties(boolean)} on {@code builder}; returns it. */
    public static <T> KafkaSourceBuilder<T> apply(KafkaSourceBuilder<T> builder, boolean bounded) {
        builder.setProperties(properties(bounded));
        return builder;
    }
}
