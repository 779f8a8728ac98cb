package dev.alphaflow.jobs.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.apache.flink.configuration.Configuration;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import dev.alphaflow.jobs.CommonOptions;
import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.jobs.instances.InstancesJob;
import dev.alphaflow.jobs.tools.InstancesExport;
import dev.alphaflow.jobs.tools.RunReport;
import dev.alphaflow.operators.instances.InstancesSpec;

/**
 * {@code alphaflow demo instances}: per-frame instance segmentation (YOLOv8n-seg) on the embedded runtime. Replays a
 * video or image folder, runs the instances job, and exports COCO results JSON, overlays and an overlay video.
 */
@Command(name = "instances", mixinStandardHelpOptions = true,
        description = {"Replay a video or image folder, segment every frame's instances (YOLOv8n-seg), export COCO "
                + "results JSON, overlay PNGs and an overlay video.",
                "Default input: <shared>/" + MattingDemo.DEFAULT_VIDEO + "."})
final class DemoInstancesCommand implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "INPUT", description = "Videos or image folders.")
    List<Path> inputs = new ArrayList<>();

    @Option(names = "--model-dir", paramLabel = "DIR",
            description = "Folder with the model files (default: $ALPHAFLOW_MODEL_DIR, else <shared>/models).")
    Path modelDir;

    @Option(names = "--classes", paramLabel = "CLASS", split = ",",
            description = "Classes to keep, by name or id (default: all).")
    List<String> classes = new ArrayList<>();

    @Option(names = "--score-threshold", paramLabel = "S", defaultValue = "0.25",
            description = "Minimum instance score in [0, 1) (default: ${DEFAULT-VALUE}).")
    float scoreThreshold;

    @Mixin
    DemoOptions demo;

    @Mixin
    EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        List<Path> videos = !inputs.isEmpty() ? inputs : List.of(SharedPaths.sharedDir().resolve(MattingDemo.DEFAULT_VIDEO));
        for (Path video : videos) {
            SharedPaths.requireExisting(video, "input", "pass a video or image folder, or set ALPHAFLOW_SHARED_DIR");
        }
        DemoSession.prepare(InstancesJob::fromConfiguration, this::configure);

        try (DemoSession session = DemoSession.start(demo.output, System.out)) {
            session.replay(r -> videos.forEach(r::input), demo.maxFrames);
            LocalJobRunner.Summary run = session.run(InstancesJob::fromConfiguration, this::configure, engine);
            Path out = demo.output.resolve("instances");
            InstancesExport.Summary exported = InstancesExport.builder().bootstrapServers(session.bootstrapServers())
                    .instancesTopic(KafkaDefaults.INSTANCES_TOPIC).framesTopic(KafkaDefaults.FRAMES_TOPIC)
                    .deadLettersTopic(KafkaDefaults.DLQ_TOPIC).outputDir(out).idleTimeout(Duration.ofSeconds(5))
                    .build().run();
            System.out.printf("demo: %d frames, %d instances in %.1f s (%.1f frames/s, including job start); "
                    + "%d dead letters%s%n", exported.totalFrames(), exported.totalInstances(), run.seconds(),
                    exported.totalFrames() / run.seconds(), run.deadLetterTotal(),
                    run.deadLetters().isEmpty() ? "" : " " + run.deadLetters());
            for (InstancesExport.StreamExport stream : exported.streams().values()) {
                System.out.println("      " + stream.streamId() + ": " + stream.instances() + " instances");
                System.out.println("        COCO results:    " + DemoSession.relative(stream.dir()) + "/");
                if (stream.video() != null) {
                    System.out.println("        overlay video:   " + DemoSession.relative(stream.video()));
                }
            }
            DemoSession.writeReport(demo.output, RunReport.instances(exported));
            return exported.totalFrames() > 0 ? 0 : 1;
        }
    }

    private void configure(Configuration conf) {
        conf.set(CommonOptions.MODEL_DIR, SharedPaths.modelDir(modelDir).toString());
        conf.set(InstancesSpec.CLASSES, String.join(",", classes));
        conf.set(InstancesSpec.SCORE_THRESHOLD, scoreThreshold);
        engine.applyTo(conf);
        engine.applyExtra(conf);
    }
}
