package dev.alphaflow.jobs.segmentation;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;

import dev.alphaflow.model.vos.FeatureBankConfig;
import dev.alphaflow.model.vos.VosOptions;

/**
 * Options of the video object segmentation job ({@code alphaflow.vos.*}); Kafka, topics, model folder, ONNX Runtime
 * threads, decode limits and sequencer settings are shared with the matting job ({@code MattingJobOptions}). Unset
 * options keep {@link VosOptions#defaults()}, the configuration measured best (see BENCHMARKS.md).
 */
public final class SegmentationJobOptions {
    private SegmentationJobOptions() {}

    public static final ConfigOption<Integer> BANK_BUDGET = ConfigOptions.key("alphaflow.vos.bank-budget")
            .intType().noDefaultValue()
            .withDescription("Most feature-bank entries per object; past it the least-frequently-used go.");

    public static final ConfigOption<Boolean> EVICTION = ConfigOptions.key("alphaflow.vos.eviction")
            .booleanType().noDefaultValue()
            .withDescription("Evict to stay within the budget (false: the bank grows without bound; for comparison only).");

    public static final ConfigOption<Float> THRES_CLOSE = ConfigOptions.key("alphaflow.vos.thres-close")
            .floatType().noDefaultValue()
            .withDescription("Cosine similarity above which a new key merges into its nearest bank entry.");

    public static final ConfigOption<Float> UPDATE_RATE = ConfigOptions.key("alphaflow.vos.update-rate")
            .floatType().noDefaultValue()
            .withDescription("Weight of the new feature when merging into a bank entry.");

    public static final ConfigOption<Integer> MEMORY_EVERY = ConfigOptions.key("alphaflow.vos.memory-every")
            .intType().noDefaultValue()
            .withDescription("Absorb every N-th frame into the long-term banks (the previous frame is always kept).");

    public static final ConfigOption<Boolean> REFINE = ConfigOptions.key("alphaflow.vos.refine")
            .booleanType().noDefaultValue()
            .withDescription("Refine uncertain pixels at full resolution (uncertain-region refinement).");

    /** The segmenter options: the defaults with whatever {@code conf} sets. */
    public static VosOptions vosOptions(ReadableConfig conf) {
        VosOptions defaults = VosOptions.defaults();
        FeatureBankConfig.Builder bank = defaults.bank().toBuilder();
        conf.getOptional(BANK_BUDGET).ifPresent(bank::budget);
        conf.getOptional(EVICTION).ifPresent(bank::evictionEnabled);
        conf.getOptional(THRES_CLOSE).ifPresent(bank::thresClose);
        conf.getOptional(UPDATE_RATE).ifPresent(bank::updateRate);
        VosOptions.Builder options = defaults.toBuilder().bank(bank.build());
        conf.getOptional(MEMORY_EVERY).ifPresent(options::memoryEvery);
        conf.getOptional(REFINE).ifPresent(options::refine);
        return options.build();
    }
}
