package dev.alphaflow.jobs;

import java.util.Objects;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import dev.alphaflow.operators.decode.RawFrameRecord;

/**
 * An {@link AlphaflowJob} between Kafka topics: what the jobs share of {@code AlphaflowJob}, so that each job writes
 * only its graph and its sink ({@link #wire(Configuration, DataStream)}).
 *
 * @param <O> what the job's graph produces (its results and dead letters)
 */
public abstract class KafkaJob<O> implements AlphaflowJob {
    private final JobIdentity identity;
    private final ConfigOption<String> outputTopic;
    private final Configuration conf;

    /**
     * @param outputTopic the option naming the topic the job writes its results to
     * @param conf the configuration the job was made from (copied)
     */
    protected KafkaJob(JobIdentity identity, ConfigOption<String> outputTopic, Configuration conf) {
        this.identity = Objects.requireNonNull(identity, "identity");
        this.outputTopic = Objects.requireNonNull(outputTopic, "outputTopic");
        this.conf = new Configuration(Objects.requireNonNull(conf, "conf"));
    }

    @Override
    public final JobIdentity identity() {
        return identity;
    }

    @Override
    public final Configuration configuration() {
        return new Configuration(conf);
    }

    @Override
    public final String outputTopic() {
        return conf.get(outputTopic);
    }

    /** The output topic {@code conf} names. */
    protected final String outputTopic(Configuration conf) {
        return conf.get(outputTopic);
    }

    /** Adds the graph between the Kafka topics of the job's configuration. */
    @Override
    public final void wire(StreamExecutionEnvironment env) {
        wire(env, conf);
    }

    /** Adds the graph between the Kafka topics {@code conf} names (for graphs built from specs, as in tests). */
    public final O wire(StreamExecutionEnvironment env, Configuration conf) {
        return wire(conf, KafkaWiring.frames(env, conf, identity));
    }

    /** Adds the graph reading {@code rawFrames} and writing its results and dead letters to the topics {@code conf} names. */
    public abstract O wire(Configuration conf, DataStream<RawFrameRecord> rawFrames);
}
