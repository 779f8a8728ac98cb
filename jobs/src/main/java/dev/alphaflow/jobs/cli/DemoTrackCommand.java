package dev.alphaflow.jobs.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import org.apache.flink.configuration.Configuration;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.jobs.segmentation.SegmentationJob;
import dev.alphaflow.jobs.tools.RunReport;
import dev.alphaflow.jobs.tools.SegmentExport;

/**
 * {@code alphaflow demo track}: detect, then track, on the embedded runtime. Nobody prompts: detections of the
 * {@code --track} classes (default person) start tracks, which the feature-bank segmenter follows; exports as
 * {@code demo segment} does.
 */
@Command(name = "track", mixinStandardHelpOptions = true,
        description = {"Replay a video, let detections of --track classes start tracks (no prompts), segment them, "
                + "export DAVIS masks, overlays and an overlay video.",
                "Default input: <shared>/" + MattingDemo.DEFAULT_VIDEO + "."})
final class DemoTrackCommand implements Callable<Integer> {

    @Parameters(arity = "0..1", paramLabel = "INPUT", description = "Video or image folder.")
    Path input;

    @Option(names = "--track", paramLabel = "CLASSES", defaultValue = "person",
            description = "Classes of the detector (YOLOv8n-seg, COCO names) whose detections start tracks, "
                    + "comma-separated (default: ${DEFAULT-VALUE}).")
    String trackClasses;

    @Mixin
    DemoOptions demo;

    @Mixin
    SegmentationFlags segmentation;

    @Mixin
    EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        Path video = input != null ? input : SharedPaths.sharedDir().resolve(MattingDemo.DEFAULT_VIDEO);
        SharedPaths.requireExisting(video, "input", "pass a video or image folder, or set ALPHAFLOW_SHARED_DIR");
        String streamId = DemoSegmentCommand.streamId(video);
        DemoSession.prepare(SegmentationJob::fromConfiguration, this::configure);

        try (DemoSession session = DemoSession.start(demo.output, System.out)) {
            session.replay(r -> r.input(video, streamId), demo.maxFrames);
            LocalJobRunner.Summary run = session.run(SegmentationJob::fromConfiguration, this::configure, engine);
            Path masksDir = demo.output.resolve("track");
            SegmentExport.Summary exported = SegmentExport.builder().bootstrapServers(session.bootstrapServers())
                    .segmentsTopic(KafkaDefaults.SEGMENTS_TOPIC).framesTopic(KafkaDefaults.FRAMES_TOPIC)
                    .deadLettersTopic(KafkaDefaults.DLQ_TOPIC).outputDir(masksDir).idleTimeout(Duration.ofSeconds(5))
                    .build().run();
            System.out.printf("demo: %d frames tracked in %.1f s (%.1f frames/s, including job start); tracks started by "
                    + "'%s' detections; %d dead letters%s, %d duplicates dropped, %d state resets%n",
                    exported.totalMasks(), run.seconds(), exported.totalMasks() / run.seconds(), trackClasses,
                    run.deadLetterTotal(), run.deadLetters().isEmpty() ? "" : " " + run.deadLetters(),
                    run.duplicatesDropped(), run.stateResets());
            System.out.println("      " + streamId + ":");
            System.out.println("        DAVIS masks:     " + DemoSession.relative(masksDir.resolve(streamId)) + "/");
            System.out.println("        overlay PNGs:    " + DemoSession.relative(masksDir.resolve(streamId).resolve("overlay")) + "/");
            if (exported.videos().containsKey(streamId)) {
                System.out.println("        overlay video:   " + DemoSession.relative(exported.videos().get(streamId)));
            }
            DemoSession.writeReport(demo.output, RunReport.masks(exported));
            return exported.totalMasks() > 0 ? 0 : 1;
        }
    }

    private void configure(Configuration conf) {
        engine.applyTo(conf);
        segmentation.applyTo(conf, trackClasses);
        engine.applyExtra(conf);
    }
}
