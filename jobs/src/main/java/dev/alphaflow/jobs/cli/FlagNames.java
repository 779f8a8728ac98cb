package dev.alphaflow.jobs.cli;

import java.util.Map;

/**
 * The command-line flag of each job option key that has one, so that a bad value is reported as the user typed it
 * ({@code --ratio}) and as the key they could also set ({@code -D alphaflow.rvm.downsample-ratio}).
 */
final class FlagNames {
    private FlagNames() {}

    private static final Map<String, String> FLAGS = Map.ofEntries(
            Map.entry("alphaflow.kafka.bootstrap-servers", "--bootstrap-servers"),
            Map.entry("alphaflow.topics.frames", "--frames-topic"),
            Map.entry("alphaflow.topics.mattes", "--mattes-topic"),
            Map.entry("alphaflow.topics.dlq", "--dlq-topic"),
            Map.entry("alphaflow.topics.segments", "--segments-topic"),
            Map.entry("alphaflow.topics.instances", "--instances-topic"),
            Map.entry("alphaflow.topics.flow", "--flow-topic"),
            Map.entry("alphaflow.flow.preset", "--preset"),
            Map.entry("alphaflow.flow.max-size", "--max-size"),
            Map.entry("alphaflow.model.dir", "--model-dir"),
            Map.entry("alphaflow.model.id", "--model"),
            Map.entry("alphaflow.instances.model-id", "--model"),
            Map.entry("alphaflow.rvm.downsample-ratio", "--ratio"),
            Map.entry("alphaflow.ort.intra-op-threads", "--threads"),
            Map.entry("alphaflow.ort.provider", "--provider"),
            Map.entry("alphaflow.ort.allow-cpu-fallback", "--allow-cpu-fallback"),
            Map.entry("alphaflow.vos.bank-budget", "--bank-budget"),
            Map.entry("alphaflow.vos.flow-prior", "--flow-prior"),
            Map.entry("alphaflow.vos.colour-band", "--colour-band"),
            Map.entry("alphaflow.vos.track.start-classes", "--track"),
            Map.entry("alphaflow.vos.track.evidence-weight", "--evidence-weight"),
            Map.entry("alphaflow.instances.classes", "--classes"),
            Map.entry("alphaflow.instances.score-threshold", "--score-threshold"),
            Map.entry("alphaflow.instances.nms", "--nms"),
            Map.entry("alphaflow.instances.max-instances", "--max-instances"));

    /** {@code --ratio (-D alphaflow.rvm.downsample-ratio)}, or {@code -D key} for keys without a flag. */
    static String describe(String key) {
        String flag = FLAGS.get(key);
        return flag != null ? flag + " (-D " + key + ")" : "-D " + key;
    }
}
