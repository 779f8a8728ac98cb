package dev.alphaflow.jobs.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

import org.apache.flink.configuration.Configuration;

import dev.alphaflow.jobs.AlphaflowJob;
import dev.alphaflow.jobs.CommonOptions;
import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.jobs.PrometheusOptions;
import dev.alphaflow.jobs.local.EmbeddedKafka;
import dev.alphaflow.jobs.local.LocalFlink;
import dev.alphaflow.jobs.tools.Replay;
import dev.alphaflow.jobs.tools.ReplaySummary;
import dev.alphaflow.jobs.tools.RunReport;

/**
 * What every demo does around its job: an embedded KRaft broker with the standard topics, a replay of the inputs as
 * fast as they encode, the job on a local MiniCluster to the end of the frames topic, and the demo's scratch state
 * (checkpoints, in the process's temp folder) removed afterwards.
 *
 * <p>The job is made and its models loaded by {@link #prepare} before the broker starts, so that a bad option or
 * model fails at once.
 */
final class DemoSession implements AutoCloseable {
    /** Broker address used while preparing, before the embedded broker exists; never contacted. */
    private static final String NOT_YET_STARTED = "127.0.0.1:9092";

    private final PrintStream out;
    private final Path stateDir;
    private final EmbeddedKafka kafka;

    private DemoSession(PrintStream out, Path stateDir, EmbeddedKafka kafka) {
        this.out = out;
        this.stateDir = stateDir;
        this.kafka = kafka;
    }

    /**
     * Makes the job from the configuration that {@code configure} fills in and loads its models, before anything
     * starts: a bad option or model fails here.
     */
    static void prepare(Function<Configuration, AlphaflowJob> make, Consumer<Configuration> configure) {
        Configuration conf = new Configuration();
        conf.set(CommonOptions.BOOTSTRAP_SERVERS, NOT_YET_STARTED);
        configure.accept(conf);
        LocalJobRunner.checkModels(make.apply(conf));
    }

    static DemoSession start(Path output, PrintStream out) {
        try {
            // scratch checkpoints of a broker that is gone after the demo: in the process's own temp folder
            Path state = Files.createDirectories(ProcessTempDir.current().map(t -> t.path().resolve("demo-state"))
                    .orElse(output.toAbsolutePath().resolve(".state")));
            EmbeddedKafka kafka = EmbeddedKafka.start();
            kafka.createTopics(2, KafkaDefaults.FRAMES_TOPIC, KafkaDefaults.MATTES_TOPIC, KafkaDefaults.SEGMENTS_TOPIC,
                    KafkaDefaults.INSTANCES_TOPIC, KafkaDefaults.FLOW_TOPIC, KafkaDefaults.DLQ_TOPIC,
                    KafkaDefaults.SCHEMAS_TOPIC);
            out.println("demo: Kafka broker on " + kafka.bootstrapServers());
            return new DemoSession(out, state, kafka);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    KafkaOptions kafkaOptions() {
        return KafkaOptions.embedded(kafka.bootstrapServers());
    }

    /** Replays the inputs {@code inputs} adds, as fast as possible, with END frames. */
    ReplaySummary replay(Consumer<Replay.Builder> inputs, long maxFrames) {
        Replay.Builder replay = Replay.builder().bootstrapServers(kafka.bootstrapServers())
                .topic(KafkaDefaults.FRAMES_TOPIC).realTime(false).maxFrames(maxFrames);
        inputs.accept(replay);
        ReplaySummary replayed = replay.build().run();
        out.println("demo: replayed " + replayed.totalFrames() + " frames of " + replayed.streams().size()
                + " stream(s)");
        return replayed;
    }

    /** Runs the job made from {@code configure}'s configuration (on this broker, bounded, from the beginning). */
    LocalJobRunner.Summary run(Function<Configuration, AlphaflowJob> make, Consumer<Configuration> configure,
            EngineOptions engine) throws Exception {
        Configuration conf = new Configuration();
        configure.accept(conf);
        kafkaOptions().applyTo(conf);
        conf.set(CommonOptions.BOUNDED, true);
        conf.set(CommonOptions.STARTING_OFFSETS, CommonOptions.StartingOffsets.EARLIEST);
        AlphaflowJob job = make.apply(conf);
        LocalFlink flink = LocalFlink.builder()
                .checkpointDir(stateDir.resolve(job.identity().name() + "-checkpoints"))
                .checkpointInterval(engine.checkpointInterval())
                .parallelism(engine.parallelism)
                .stateBackend(conf.get(LocalFlink.STATE_BACKEND))
                .prometheusPorts(conf.get(PrometheusOptions.PORT))
                .retainCheckpoints(false)
                .build();
        return new LocalJobRunner(job, kafkaOptions(), out).run(flink);
    }

    /**
     * Writes the run's HTML report as {@code report.html} in the demo's output folder and prints where it is. The
     * export it comes from read the dead-letter topic ({@link #deadLetters}), so the page lists them.
     */
    static void writeReport(Path output, RunReport.Page page) {
        Path file = output.resolve("report.html");
        RunReport.write(page, file);
        System.out.println("      report:            " + relative(file));
    }

    /** {@code p} relative to the working directory when it is inside it, for short summary lines. */
    static Path relative(Path p) {
        Path cwd = Paths.get("").toAbsolutePath();
        Path abs = p.toAbsolutePath();
        return abs.startsWith(cwd) ? cwd.relativize(abs) : abs;
    }

    @Override
    public void close() {
        kafka.close();
        try (Stream<Path> files = Files.walk(stateDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            out.println("demo: could not remove " + stateDir + ": " + e.getMessage());
        }
    }
}
