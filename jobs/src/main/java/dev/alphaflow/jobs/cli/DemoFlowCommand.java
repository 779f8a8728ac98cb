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

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.jobs.flow.FlowJob;
import dev.alphaflow.jobs.tools.FlowExport;
import dev.alphaflow.operators.flow.FlowSpec;

/**
 * {@code alphaflow demo flow}: optical flow (OpenCV DIS) on the embedded runtime. Replays a video or image folder
 * (default: the DAVIS blackswan sequence), runs the flow job and exports KITTI flow PNGs and their colour pictures.
 */
@Command(name = "flow", mixinStandardHelpOptions = true,
        description = {"Replay a video or image folder, compute the optical flow between consecutive frames (DIS), "
                + "export KITTI flow PNGs and Middlebury colour pictures.",
                "Default input: <shared>/" + DemoSegmentCommand.DEFAULT_SEQUENCE + "."})
final class DemoFlowCommand implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "INPUT", description = "Videos or image folders.")
    List<Path> inputs = new ArrayList<>();

    @Option(names = "--preset", paramLabel = "PRESET", defaultValue = "fast",
            description = "DIS preset: ultrafast, fast or medium (default: ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--max-size", paramLabel = "PX", defaultValue = "0",
            description = "Shrink frames whose longer side is above PX first; 0 = full size (default: ${DEFAULT-VALUE}).")
    int maxSize;

    @Mixin
    DemoOptions demo;

    @Mixin
    EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        List<Path> videos = !inputs.isEmpty() ? inputs
                : List.of(SharedPaths.sharedDir().resolve(DemoSegmentCommand.DEFAULT_SEQUENCE));
        for (Path video : videos) {
            SharedPaths.requireExisting(video, "input", "pass a video or image folder, or set ALPHAFLOW_SHARED_DIR");
        }
        DemoSession.prepare(FlowJob::fromConfiguration, this::configure);

        try (DemoSession session = DemoSession.start(demo.output, System.out)) {
            session.replay(r -> videos.forEach(r::input), demo.maxFrames);
            LocalJobRunner.Summary run = session.run(FlowJob::fromConfiguration, this::configure, engine);
            Path out = demo.output.resolve("flow");
            FlowExport.Summary exported = FlowExport.builder().bootstrapServers(session.bootstrapServers())
                    .flowTopic(KafkaDefaults.FLOW_TOPIC).outputDir(out).idleTimeout(Duration.ofSeconds(5)).build()
                    .run();
            System.out.printf("demo: %d flow fields of %d stream(s) in %.1f s (%.1f frames/s, including job start); "
                    + "%d dead letters%s%n", exported.totalFlows(), exported.flowsPerStream().size(), run.seconds(),
                    run.outputs() / run.seconds(), run.deadLetterTotal(),
                    run.deadLetters().isEmpty() ? "" : " " + run.deadLetters());
            exported.flowsPerStream().forEach((id, n) -> {
                System.out.println("      " + id + ": " + n + " flow fields");
                System.out.println("        KITTI PNGs and colour pictures: "
                        + DemoSession.relative(out.resolve(id)) + "/");
            });
            return exported.totalFlows() > 0 ? 0 : 1;
        }
    }

    private void configure(Configuration conf) {
        conf.set(FlowSpec.PRESET, preset);
        conf.set(FlowSpec.MAX_SIZE, maxSize);
        engine.applyTo(conf);
        engine.applyExtra(conf);
    }
}
