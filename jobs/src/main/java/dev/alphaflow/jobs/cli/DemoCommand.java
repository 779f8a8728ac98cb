package dev.alphaflow.jobs.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import org.apache.flink.configuration.Configuration;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import dev.alphaflow.jobs.CommonOptions;
import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.jobs.local.EmbeddedKafka;
import dev.alphaflow.jobs.local.LocalFlink;
import dev.alphaflow.jobs.matting.MattingJob;
import dev.alphaflow.jobs.tools.Background;
import dev.alphaflow.jobs.tools.Export;
import dev.alphaflow.jobs.tools.ExportSummary;
import dev.alphaflow.jobs.tools.Replay;
import dev.alphaflow.jobs.tools.ReplaySummary;

/**
 * {@code alphaflow demo}: everything on this machine — an embedded KRaft broker, a local Flink
 * MiniCluster, replay of a sample video, the matting job, and export of the mattes to files.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Embedded Kafka + local Flink: replay a video, matte it, export PNGs and a composited video.")
final class DemoCommand implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "INPUT",
            description = "Videos or image folders (default: <shared>/data/person-video/dance-twirl_854x480_24fps_h264.mp4).")
    List<Path> inputs;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", defaultValue = "alphaflow-demo-output",
            description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--max-frames", paramLabel = "N", defaultValue = "0", description = "Frames per input (0 = all).")
    long maxFrames;

    @Option(names = "--background", paramLabel = "COLOR|IMAGE", defaultValue = "#00b140",
            description = "Composite background (default: ${DEFAULT-VALUE}).")
    String background;

    @Mixin
    MattingFlags job;

    @Override
    public Integer call() throws Exception {
        List<Path> videos = inputs != null && !inputs.isEmpty() ? inputs
                : List.of(SharedPaths.sharedDir().resolve("data/person-video/dance-twirl_854x480_24fps_h264.mp4"));
        for (Path video : videos) {
            SharedPaths.requireExisting(video, "input", "pass a video or image folder, or set ALPHAFLOW_SHARED_DIR");
        }
        Path modelDir = SharedPaths.modelDir(job.modelDir);
        SharedPaths.requireExisting(modelDir, "model folder", "pass --model-dir or set ALPHAFLOW_MODEL_DIR");
        Path work = Files.createDirectories(output.toAbsolutePath().resolve(".state"));

        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            System.out.println("demo: Kafka broker on " + kafka.bootstrapServers());
            kafka.createTopics(2, KafkaDefaults.FRAMES_TOPIC, KafkaDefaults.MATTES_TOPIC, KafkaDefaults.DLQ_TOPIC);

            Replay.Builder replay = Replay.builder().bootstrapServers(kafka.bootstrapServers())
                    .topic(KafkaDefaults.FRAMES_TOPIC).realTime(false).maxFrames(maxFrames);
            videos.forEach(replay::input);
            ReplaySummary replayed = replay.build().run();
            System.out.println("demo: replayed " + replayed.totalFrames() + " frames of " + replayed.streams().size()
                    + " stream(s)");

            KafkaOptions topics = KafkaOptions.embedded(kafka.bootstrapServers());
            Configuration conf = job.toConfiguration(topics);
            conf.set(CommonOptions.BOUNDED, true);
            conf.set(CommonOptions.STARTING_OFFSETS, CommonOptions.StartingOffsets.EARLIEST);
            job.engine.applyExtra(conf);
            MattingJob matting = MattingJob.fromConfiguration(conf);
            LocalFlink flink = LocalFlink.builder()
                    .checkpointDir(work.resolve("checkpoints"))
                    .checkpointInterval(job.engine.checkpointInterval())
                    .parallelism(job.engine.parallelism)
                    .stateBackend(conf.get(LocalFlink.STATE_BACKEND))
                    .build();
            LocalJobRunner.Summary run = new LocalJobRunner(matting, topics, System.out).run(flink);
            double jobSeconds = run.seconds();

            ExportSummary exported = Export.builder().bootstrapServers(kafka.bootstrapServers())
                    .mattesTopic(KafkaDefaults.MATTES_TOPIC).framesTopic(KafkaDefaults.FRAMES_TOPIC)
                    .outputDir(output).background(Files.isRegularFile(Paths.get(background)) ? Background.image(Paths.get(background)) : Background.parseColor(background))
                    .idleTimeout(Duration.ofSeconds(5)).progressBar(false)
                    .build().run();
            long deadLetters = run.deadLetterTotal();

            System.out.printf("demo: %d frames of %d stream(s) matted in %.1f s (%.1f frames/s, including job start); "
                    + "%d dead letters%n", exported.totalMattes(), exported.streams().size(), jobSeconds,
                    exported.totalMattes() / jobSeconds, deadLetters);
            for (ExportSummary.StreamExport stream : exported.streams().values()) {
                Path dir = relative(stream.directory());
                System.out.println("      " + stream.streamId() + ":");
                System.out.println("        alpha PNGs:      " + dir.resolve("alpha") + "/");
                System.out.println("        composite PNGs:  " + dir.resolve("composite") + "/");
                if (stream.video() != null) {
                    System.out.println("        composite video: " + relative(stream.video()));
                }
            }
            return exported.totalMattes() == replayed.totalFrames() ? 0 : 1;
        }
    }

    private static Path relative(Path p) {
        Path cwd = Paths.get("").toAbsolutePath();
        Path abs = p.toAbsolutePath();
        return abs.startsWith(cwd) ? cwd.relativize(abs) : abs;
    }
}
