package dev.alphaflow.jobs.cli;

import java.io.PrintStream;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.common.TopicPartition;

import dev.alphaflow.jobs.AlphaflowJob;
import dev.alphaflow.jobs.BoundedRunCheck;
import dev.alphaflow.jobs.CommonOptions;
import dev.alphaflow.jobs.KafkaPreflight;
import dev.alphaflow.jobs.local.LocalFlink;
import dev.alphaflow.jobs.tools.Progress;
import dev.alphaflow.jobs.tools.TopicTally;
import dev.alphaflow.model.ModelLoadException;
import dev.alphaflow.operators.sequencer.FrameSequencer;
import dev.alphaflow.schemas.DeadLetter;
import dev.alphaflow.schemas.DeadLetterReason;
import dev.alphaflow.schemas.serde.AvroCodec;

/**
 * Runs a configured job on the local runtime the way every job command does: models checked first, then Kafka,
 * then the job with progress lines, then a summary of what it wrote (outputs, dead letters by reason, duplicates
 * dropped, state resets, frames/s).
 */
final class LocalJobRunner {
    private final AlphaflowJob job;
    private final KafkaOptions kafka;
    private final PrintStream out;

    LocalJobRunner(AlphaflowJob job, KafkaOptions kafka, PrintStream out) {
        this.job = job;
        this.kafka = kafka;
        this.out = out;
    }

    /** What a run wrote. */
    record Summary(long outputs, Map<DeadLetterReason, Long> deadLetters, long duplicatesDropped, long stateResets,
            double seconds) {
        long deadLetterTotal() {
            return deadLetters.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Loads every model the job will open, failing with a message that names the flags to fix. */
    static void checkModels(AlphaflowJob job) {
        try {
            job.checkModels();
        } catch (ModelLoadException e) {
            String hint = e.getMessage() != null && e.getMessage().contains("execution provider")
                    ? "--provider (-D alphaflow.ort.provider) or --allow-cpu-fallback"
                    : "--model-dir (-D alphaflow.model.dir, $ALPHAFLOW_MODEL_DIR) or --model";
            throw new CommandFailure(e.getMessage() + "\n  to fix: " + hint, e);
        }
    }

    /**
     * Checks Kafka, runs the job to its end (bounded) or until interrupted, prints the summary. Call
     * {@link #checkModels} first, before anything else starts (the commands and {@code DemoSession.prepare} do).
     */
    Summary run(LocalFlink flink) throws Exception {
        Configuration conf = job.configuration();
        String name = job.identity().name();
        // On a secured cluster every ACL the job needs is checked here, before anything is read or written.
        List<String> written = List.of(job.outputTopic(), conf.get(CommonOptions.DEAD_LETTER_TOPIC));
        KafkaPreflight check = kafka.preflightCheck().withConsumerGroup(job.identity().groupId(conf))
                .withReadBack(written); // the progress and the summary count what the job wrote

        if (conf.get(CommonOptions.DELIVERY) == CommonOptions.Delivery.EXACTLY_ONCE) {
            check = check.withTransactionalIdPrefix(job.identity().transactionalIdPrefix(conf));
        }
        kafka.preflight(check, List.of(conf.get(CommonOptions.FRAMES_TOPIC)), written);
        long toRead = -1; // records of the frames topic a bounded run reads, at most (an upper bound: END frames)
        BoundedRunCheck boundedCheck = BoundedRunCheck.of(kafka.bootstrapServers(), kafka.clientProperties());
        BoundedRunCheck.Result beforeRun = null;
        if (conf.get(CommonOptions.BOUNDED)) {
            beforeRun = boundedCheck.check(job.identity().groupId(conf), conf.get(CommonOptions.FRAMES_TOPIC));
            if (conf.get(CommonOptions.STARTING_OFFSETS) == CommonOptions.StartingOffsets.COMMITTED_OR_EARLIEST) {
                out.println(name + ": " + beforeRun.message());
                if (beforeRun.nothingToDo()) {
                    return new Summary(0, Map.of(), 0, 0, 0);
                }
                toRead = beforeRun.remaining();
            }
        }
        TopicTally tally = new TopicTally(kafka.clientProperties(), kafka.bootstrapServers());
        String outputTopic = job.outputTopic();
        String dlqTopic = conf.get(CommonOptions.DEAD_LETTER_TOPIC);
        Map<TopicPartition, Long> outputsBefore = tally.endOffsets(outputTopic);
        Map<TopicPartition, Long> dlqBefore = tally.endOffsets(dlqTopic);

        StreamExecutionEnvironment env = flink.createEnvironment();
        job.wire(env);
        long start = System.nanoTime();
        JobClient client = env.executeAsync("alphaflow " + name);
        if (!conf.get(CommonOptions.BOUNDED)) {
            out.printf("%s: running, reading %s at %s; Ctrl-C to stop%n", name,
                    conf.get(CommonOptions.FRAMES_TOPIC), conf.get(CommonOptions.BOOTSTRAP_SERVERS));
        }
        // Progress counts the records arriving in the output topic (before their transactions commit): the job's own
        // counters live in the MiniCluster, the topic is what the user gets.
        JobExecutionResult result;
        try (Progress progress = Progress.start(name + " -> " + outputTopic, "records", toRead)) {
            java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread poller = new Thread(() -> {
                try {
                    tally.follow(outputTopic, outputsBefore, running::get,
                            n -> progress.stepBy(Math.max(0, n - progress.done())));
                } catch (RuntimeException e) {
                    // progress is best effort: a broker hiccup must not stop the job
                }
            }, "alphaflow-progress");
            poller.setDaemon(true);
            poller.start();
            try {
                result = client.getJobExecutionResult().get();
            } finally {
                running.set(false);
                poller.join(10_000); // its consumer closes before the summary is read
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (beforeRun != null) {
            // The job finished: make sure the group is where the run ended (see BoundedRunCheck#recordFinished).
            boundedCheck.recordFinished(beforeRun);
        }

        AvroCodec<DeadLetter> codec = AvroCodec.of(DeadLetter.class);
        Map<DeadLetterReason, Long> reasons = new EnumMap<>(DeadLetterReason.class);
        tally.readSince(dlqTopic, dlqBefore, r -> {
            DeadLetterReason reason = codec.decode(r.value()).getReason();
            reasons.merge(reason, 1L, Long::sum);
        });
        long outputs = tally.readSince(outputTopic, outputsBefore, r -> {});
        Summary summary = new Summary(outputs, reasons, accumulator(result, FrameSequencer.DUPLICATES_ACCUMULATOR),
                accumulator(result, FrameSequencer.RESETS_ACCUMULATOR), seconds);
        print(summary);
        return summary;
    }

    private void print(Summary s) {
        out.printf("%s: %d records to %s in %.1f s (%.1f/s); %d dead letters%s; %d duplicates dropped; "
                + "%d state resets%n", job.identity().name(), s.outputs(), job.outputTopic(), s.seconds(),
                s.outputs() / s.seconds(), s.deadLetterTotal(), s.deadLetters().isEmpty() ? "" : " " + s.deadLetters(),
                s.duplicatesDropped(), s.stateResets());
    }

    private static long accumulator(JobExecutionResult result, String name) {
        Object v = result.getAllAccumulatorResults().get(name);
        return v instanceof Number n ? n.longValue() : 0;
    }
}
