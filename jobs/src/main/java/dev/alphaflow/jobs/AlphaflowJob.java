package dev.alphaflow.jobs;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * One alphaflow job, configured and checked: what the command line, the Flink entry point and the tests run. A job is
 * made from a {@link Configuration} by its own {@code fromConfiguration}, which rejects bad option values with an
 * {@link InvalidOptionException}; {@link #checkModels} then loads its models once, so that a missing file, a wrong
 * hash or contract, or an unavailable execution provider fails before Kafka or Flink are contacted.
 */
public interface AlphaflowJob {

    /** Name, consumer group and transactional ids of the job. */
    JobIdentity identity();

    /** The configuration the job was made from (with the job's own defaults filled in). */
    Configuration configuration();

    /** Opens and closes every model the job's operators will open, on this machine. */
    void checkModels();

    /** Adds the job's graph to {@code env}, between the Kafka topics its configuration names. */
    void wire(StreamExecutionEnvironment env);

    /** The topic the job writes its results to. */
    String outputTopic();
}
