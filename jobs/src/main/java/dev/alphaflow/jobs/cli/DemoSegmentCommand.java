package dev.alphaflow.jobs.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.apache.flink.configuration.Configuration;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.jobs.segmentation.SegmentationJob;
import dev.alphaflow.jobs.tools.PromptSet;
import dev.alphaflow.jobs.tools.RunReport;
import dev.alphaflow.jobs.tools.SegmentExport;

/**
 * {@code alphaflow demo segment}: prompted video object segmentation on the embedded runtime. Replays a video or
 * image folder with its prompts (default: the DAVIS blackswan sequence and its frame-0 annotation), runs the
 * segmentation job, exports DAVIS indexed PNGs, overlays and an overlay video, and scores J, F and J&amp;F when a
 * truth folder is given (the default input's annotations are).
 */
@Command(name = "segment", mixinStandardHelpOptions = true,
        description = {"Replay a video or image folder with object prompts, segment it with the feature-bank "
                + "segmenter, export DAVIS masks, overlays and an overlay video; J, F, J&F with --truth.",
                "Default: <shared>/" + DemoSegmentCommand.DEFAULT_SEQUENCE + " prompted by its frame-0 annotation."})
final class DemoSegmentCommand implements Callable<Integer> {
    static final String DEFAULT_SEQUENCE = "data/davis2016/JPEGImages/480p/blackswan";
    static final String DEFAULT_ANNOTATIONS = "data/davis2016/Annotations/480p";

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "INPUT", description = "Video or image folder (default: the DAVIS sequence above).")
    Path input;

    @Option(names = "--prompt", paramLabel = "FRAME:OBJECT_ID:MASK.png[:LABEL]",
            description = "Start (or correct) an object on a frame with a mask (any 8-bit image, non-zero = object); "
                    + "repeatable.")
    List<String> prompts = new ArrayList<>();

    @Option(names = "--prompts", paramLabel = "DIR",
            description = "A DAVIS-style folder of indexed PNGs named by frame: each object id on each file is an ADD "
                    + "on that frame.")
    Path promptsDir;

    @Option(names = "--remove", paramLabel = "FRAME:OBJECT_ID", description = "Remove an object from a frame on (repeatable).")
    List<String> removes = new ArrayList<>();

    @Option(names = "--truth", paramLabel = "DIR",
            description = "DAVIS annotations of the input (a folder of <frame>.png) to score the masks against "
                    + "(default for the default input: its annotations).")
    Path truth;

    @Mixin
    DemoOptions demo;

    @Mixin
    SegmentationFlags segmentation;

    @Mixin
    EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        Path shared = SharedPaths.sharedDir();
        boolean defaultInput = input == null;
        Path video = defaultInput ? shared.resolve(DEFAULT_SEQUENCE) : input;
        SharedPaths.requireExisting(video, "input", "pass a video or image folder, or set ALPHAFLOW_SHARED_DIR");
        String streamId = streamId(video);
        Path truthDir = truth != null ? truth
                : defaultInput ? shared.resolve(DEFAULT_ANNOTATIONS).resolve(streamId) : null;
        if (truthDir != null) {
            SharedPaths.requireExisting(truthDir, "truth folder", "pass --truth DIR with <frame>.png annotations");
        }
        PromptSet promptSet = prompts(defaultInput, shared, streamId);
        DemoSession.prepare(SegmentationJob::fromConfiguration, this::configure);

        try (DemoSession session = DemoSession.start(demo.output, System.out)) {
            session.replay(r -> r.input(video, streamId).prompts(promptSet), demo.maxFrames);
            LocalJobRunner.Summary run = session.run(SegmentationJob::fromConfiguration, this::configure, engine);
            Path masksDir = demo.output.resolve("segment");
            SegmentExport.Builder export = SegmentExport.builder().bootstrapServers(session.bootstrapServers())
                    .segmentsTopic(KafkaDefaults.SEGMENTS_TOPIC).framesTopic(KafkaDefaults.FRAMES_TOPIC)
                    .deadLettersTopic(KafkaDefaults.DLQ_TOPIC).outputDir(masksDir).idleTimeout(Duration.ofSeconds(5));
            if (truthDir != null) {
                export.truthFolder(streamId, truthDir);
            }
            SegmentExport.Summary exported = export.build().run();
            System.out.printf("demo: %d frames segmented in %.1f s (%.1f frames/s, including job start); %d prompts; "
                    + "%d dead letters%s, %d duplicates dropped, %d state resets%n", exported.totalMasks(),
                    run.seconds(), exported.totalMasks() / run.seconds(), promptSet.size(), run.deadLetterTotal(),
                    run.deadLetters().isEmpty() ? "" : " " + run.deadLetters(), run.duplicatesDropped(),
                    run.stateResets());
            Path streamDir = masksDir.resolve(streamId);
            System.out.println("      " + streamId + ":");
            System.out.println("        DAVIS masks:     " + DemoSession.relative(streamDir) + "/");
            System.out.println("        overlay PNGs:    " + DemoSession.relative(streamDir.resolve("overlay")) + "/");
            if (exported.videos().containsKey(streamId)) {
                System.out.println("        overlay video:   " + DemoSession.relative(exported.videos().get(streamId)));
            }
            if (exported.truth().containsKey(streamId)) {
                // frames 1..n-2, as davis-eval and the DAVIS toolkit score them
                System.out.println("        " + exported.truth().get(streamId).describe());
            }
            DemoSession.writeReport(demo.output, RunReport.masks(exported));
            return exported.totalMasks() > 0 ? 0 : 1;
        }
    }

    private PromptSet prompts(boolean defaultInput, Path shared, String streamId) {
        try {
            PromptSet.Builder set = PromptSet.builder();
            prompts.forEach(p -> set.addAll(PromptSet.parse(p)));
            if (promptsDir != null) {
                set.addAll(PromptSet.fromDavisFolder(promptsDir));
            }
            removes.forEach(r -> set.addAll(PromptSet.parseRemove(r)));
            PromptSet given = set.build();
            if (!given.isEmpty() || !defaultInput) {
                if (given.isEmpty()) {
                    System.out.println("demo: no prompts given (--prompt, --prompts): nothing will be segmented");
                }
                return given;
            }
            // the default: the sequence's first annotation only, as a user prompting frame 0 would
            PromptSet.Builder first = PromptSet.builder();
            PromptSet.fromDavisFolder(shared.resolve(DEFAULT_ANNOTATIONS).resolve(streamId)).prompts().stream()
                    .filter(p -> p.frame() == 0).forEach(first::add);
            return first.build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    private void configure(Configuration conf) {
        engine.applyTo(conf);
        segmentation.applyTo(conf, null);
        engine.applyExtra(conf);
    }

    static String streamId(Path input) {
        String name = input.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return Files.isDirectory(input) || dot <= 0 ? name : name.substring(0, dot);
    }
}
