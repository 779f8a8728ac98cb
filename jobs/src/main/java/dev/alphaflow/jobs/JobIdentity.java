package dev.alphaflow.jobs;

import java.util.Objects;

import org.apache.flink.configuration.ReadableConfig;

/**
 * What makes one job distinct on a shared Kafka cluster: its name (as {@code --job} and the CLI know it) and the
 * consumer group and transactional-id prefix it uses unless {@link CommonOptions#GROUP_ID} /
 * {@link CommonOptions#TRANSACTIONAL_ID_PREFIX} are set, so that the jobs can read the same frames topic and write the
 * same dead-letter topic side by side.
 */
public record JobIdentity(String name, String defaultGroupId) {
    public JobIdentity {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(defaultGroupId, "defaultGroupId");
    }

    /** The consumer group of the frame source: {@link CommonOptions#GROUP_ID} if set, else this job's default. */
    public String groupId(ReadableConfig conf) {
        return conf.getOptional(CommonOptions.GROUP_ID).orElse(defaultGroupId);
    }

    /** The sinks' transactional-id prefix: {@link CommonOptions#TRANSACTIONAL_ID_PREFIX} if set, else the default group. */
    public String transactionalIdPrefix(ReadableConfig conf) {
        return conf.getOptional(CommonOptions.TRANSACTIONAL_ID_PREFIX).orElse(defaultGroupId);
    }
}
