package dev.alphaflow.jobs.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;

import org.apache.flink.configuration.Configuration;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.jobs.matting.MattingJob;
import dev.alphaflow.jobs.tools.Background;
import dev.alphaflow.jobs.tools.Export;
import dev.alphaflow.jobs.tools.ExportSummary;
import dev.alphaflow.jobs.tools.ReplaySummary;
import dev.alphaflow.jobs.tools.RunReport;

/**
 * The matting demo's flags and run, shared by {@code alphaflow demo} and {@code alphaflow demo matting}: an embedded
 * KRaft broker, a local Flink MiniCluster, replay of a sample video, the matting job, and export of the mattes to
 * alpha PNGs, composites and a composited video.
 */
final class MattingDemo {
    static final String DEFAULT_VIDEO = "data/person-video/dance-twirl_854x480_24fps_h264.mp4";

    @Parameters(arity = "0..*", paramLabel = "INPUT",
            description = "Videos or image folders (default: <shared>/" + DEFAULT_VIDEO + ").")
    List<Path> inputs;

    @Mixin
    DemoOptions demo;

    @Option(names = "--background", paramLabel = "COLOR|IMAGE", defaultValue = "#00b140",
            description = "Composite background (default: ${DEFAULT-VALUE}).")
    String background;

    @Mixin
    MattingFlags job;

    Integer call() throws Exception {
        List<Path> videos = inputs != null && !inputs.isEmpty() ? inputs
                : List.of(SharedPaths.sharedDir().resolve(DEFAULT_VIDEO));
        for (Path video : videos) {
            SharedPaths.requireExisting(video, "input", "pass a video or image folder, or set ALPHAFLOW_SHARED_DIR");
        }
        SharedPaths.requireExisting(SharedPaths.modelDir(job.modelDir), "model folder",
                "pass --model-dir or set ALPHAFLOW_MODEL_DIR");
        Background bg = Files.isRegularFile(Paths.get(background)) ? Background.image(Paths.get(background))
                : Background.parseColor(background);
        DemoSession.prepare(MattingJob::fromConfiguration, this::configure);

        try (DemoSession session = DemoSession.start(demo.output, System.out)) {
            ReplaySummary replayed = session.replay(r -> videos.forEach(r::input), demo.maxFrames);
            LocalJobRunner.Summary run = session.run(MattingJob::fromConfiguration, this::configure, job.engine);

            ExportSummary exported = Export.builder().bootstrapServers(session.bootstrapServers())
                    .mattesTopic(KafkaDefaults.MATTES_TOPIC).framesTopic(KafkaDefaults.FRAMES_TOPIC)
                    .outputDir(demo.output).background(bg).deadLettersTopic(KafkaDefaults.DLQ_TOPIC)
                    .idleTimeout(Duration.ofSeconds(5)).progressBar(false)
                    .build().run();

            System.out.printf("demo: %d frames of %d stream(s) matted in %.1f s (%.1f frames/s, including job start); "
                    + "%d dead letters%s, %d duplicates dropped, %d state resets%n", exported.totalMattes(),
                    exported.streams().size(), run.seconds(), exported.totalMattes() / run.seconds(),
                    run.deadLetterTotal(), run.deadLetters().isEmpty() ? "" : " " + run.deadLetters(),
                    run.duplicatesDropped(), run.stateResets());
            for (ExportSummary.StreamExport stream : exported.streams().values()) {
                Path dir = DemoSession.relative(stream.directory());
                System.out.println("      " + stream.streamId() + ":");
                System.out.println("        alpha PNGs:      " + dir.resolve("alpha") + "/");
                System.out.println("        composite PNGs:  " + dir.resolve("composite") + "/");
                if (stream.video() != null) {
                    System.out.println("        composite video: " + DemoSession.relative(stream.video()));
                }
            }
            DemoSession.writeReport(demo.output, RunReport.mattes(exported));
            return exported.totalMattes() == replayed.totalFrames() ? 0 : 1;
        }
    }

    private void configure(Configuration conf) {
        // the demo's own broker replaces these servers (DemoSession applies them last)
        conf.addAll(job.toConfiguration(KafkaOptions.embedded("127.0.0.1:9092")));
        job.engine.applyExtra(conf);
    }

}
