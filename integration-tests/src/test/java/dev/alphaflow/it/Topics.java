package dev.alphaflow.it;

import dev.alphaflow.jobs.CommonOptions;
import java.util.UUID;

import org.apache.flink.configuration.Configuration;

import dev.alphaflow.jobs.matting.MattingJobOptions;

/** Fresh topic names per test, so tests sharing a broker never see each other's records. */
record Topics(String frames, String mattes, String dlq) {
    static Topics fresh(String testName) {
        String suffix = testName + "-" + UUID.randomUUID().toString().substring(0, 8);
        return new Topics("frames-" + suffix, "mattes-" + suffix, "dlq-" + suffix);
    }

    /** Job options for a bounded replay of these topics from the beginning, exactly once. */
    Configuration jobConfiguration(String bootstrapServers) {
        Configuration conf = new Configuration();
        conf.set(CommonOptions.BOOTSTRAP_SERVERS, bootstrapServers);
        conf.set(CommonOptions.FRAMES_TOPIC, frames);
        conf.set(MattingJobOptions.MATTES_TOPIC, mattes);
        conf.set(CommonOptions.DEAD_LETTER_TOPIC, dlq);
        conf.set(CommonOptions.GROUP_ID, "it-" + frames);
        conf.set(CommonOptions.TRANSACTIONAL_ID_PREFIX, "it-" + frames);
        conf.set(CommonOptions.STARTING_OFFSETS, CommonOptions.StartingOffsets.EARLIEST);
        conf.set(CommonOptions.BOUNDED, true);
        return conf;
    }
}
