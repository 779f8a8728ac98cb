package dev.alphaflow.jobs.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.jobs.tools.PromptSet;
import dev.alphaflow.jobs.tools.Replay;
import dev.alphaflow.jobs.tools.ReplaySummary;
import dev.alphaflow.schemas.Codec;

/** {@code alphaflow replay}: see {@link Replay}. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Publish video files or image folders to the frames topic, one stream per input, "
                + "replayed concurrently.",
                "Inputs: videos FFmpeg can read (mp4, avi, ...) or folders of .jpg/.png frames in name order.",
                "Prompts (--prompt, --prompts, --remove) are checked against the inputs before anything is sent: "
                        + "a mask of another size than its frame, an empty mask or a frame beyond the input is "
                        + "refused (exit code 2). Without a STREAM@ prefix they need exactly one input."})
final class ReplayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Parameters(arity = "1..*", paramLabel = "INPUT", description = "Video files or image folders.")
    List<Path> inputs = new ArrayList<>();

    @Option(names = "--stream-id", paramLabel = "ID", split = ",",
            description = "Stream ids of the inputs, in order (default: each input's base name).")
    List<String> streamIds = new ArrayList<>();

    @Option(names = "--codec", paramLabel = "CODEC", defaultValue = "JPEG",
            description = "Payload encoding: JPEG, PNG or RAW_RGB24 (default: ${DEFAULT-VALUE}).")
    Codec codec;

    @Option(names = "--jpeg-quality", paramLabel = "Q", defaultValue = "0.9",
            description = "JPEG quality in (0, 1] (default: ${DEFAULT-VALUE}).")
    float jpegQuality;

    @Option(names = "--fast", description = "Send as fast as possible instead of in real time.")
    boolean fast;

    @Option(names = "--speed", paramLabel = "X", defaultValue = "1.0",
            description = "Real-time playback speed (default: ${DEFAULT-VALUE}).")
    double speed;

    @Option(names = "--fps", paramLabel = "FPS", defaultValue = "24",
            description = "Frame rate of image folders (default: ${DEFAULT-VALUE}); videos use their own.")
    double fps;

    @Option(names = "--max-frames", paramLabel = "N", defaultValue = "0",
            description = "Frames per stream at most; 0 sends all (default).")
    long maxFrames;

    @Option(names = "--start-time-ms", paramLabel = "EPOCH_MS",
            description = "Event time of the first frames (default: now).")
    Long startTimeMs;

    @Option(names = "--no-end", description = "Do not close the streams with an END frame.")
    boolean noEnd;

    @Option(names = "--schemas-topic", paramLabel = "TOPIC", defaultValue = KafkaDefaults.SCHEMAS_TOPIC,
            description = "Compacted topic the Frame schema is registered in before the first frame, so that jobs of "
                    + "other versions can read the frames (default: ${DEFAULT-VALUE}).")
    String schemasTopic;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Option(names = "--prompt", paramLabel = "[STREAM@]FRAME:OBJECT_ID:MASK[:LABEL]",
            description = {"Start (or correct) object OBJECT_ID (1..255) at frame FRAME (0 = first) with the mask "
                    + "image MASK: any 8-bit PNG of the frame's size, non-zero = object (repeatable).",
                    "With several inputs, prefix the input's stream id: --prompt cam1@0:1:mask.png."})
    List<String> promptSpecs = new ArrayList<>();

    @Option(names = "--prompts", paramLabel = "[STREAM@]DIR",
            description = {"A DAVIS-style annotation folder: indexed (or 0/255 grey) PNGs named by frame number "
                    + "(00000.png, ...); every object id in a file is started at that frame (repeatable)."})
    List<String> promptFolders = new ArrayList<>();

    @Option(names = "--remove", paramLabel = "[STREAM@]FRAME:OBJECT_ID",
            description = "Stop tracking object OBJECT_ID at frame FRAME (repeatable).")
    List<String> removeSpecs = new ArrayList<>();

    @Option(names = {"-X", "--producer-property"}, paramLabel = "KEY=VALUE",
            description = "A Kafka producer setting, e.g. -X linger.ms=20 (repeatable).")
    Map<String, String> producerProperties = new LinkedHashMap<>();

    /** The replay these arguments describe. */
    Replay toReplay() {
        if (!streamIds.isEmpty() && streamIds.size() != inputs.size()) {
            throw new CommandLine.ParameterException(spec.commandLine(), String.format(
                    "%d stream ids for %d inputs: give one --stream-id per input, or none", streamIds.size(),
                    inputs.size()));
        }
        Replay.Builder b = Replay.builder()
                .bootstrapServers(kafka.bootstrapServers())
                .topic(kafka.framesTopic())
                .schemasTopic(schemasTopic)
                .codec(codec)
                .jpegQuality(jpegQuality)
                .realTime(!fast)
                .speed(speed)
                .folderFps(fps)
                .maxFrames(maxFrames)
                .sendEnd(!noEnd)
                .progressBar(!noProgress);
        for (int i = 0; i < inputs.size(); i++) {
            if (streamIds.isEmpty()) {
                b.input(inputs.get(i));
            } else {
                b.input(inputs.get(i), streamIds.get(i));
            }
        }
        if (startTimeMs != null) {
            b.startTimeMs(startTimeMs);
        }
        kafka.clientProperties().forEach(b::producerProperty); // every client: security settings and the like
        producerProperties.forEach(b::producerProperty);
        try {
            b.prompts(prompts());
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /** The prompts of --prompt, --prompts and --remove; masks are read here, so a bad file fails before Kafka. */
    PromptSet prompts() {
        PromptSet.Builder set = PromptSet.builder();
        promptSpecs.forEach(s -> set.addAll(PromptSet.parse(s)));
        promptFolders.forEach(s -> set.addAll(PromptSet.parseDavisFolder(s)));
        removeSpecs.forEach(s -> set.addAll(PromptSet.parseRemove(s)));
        return set.build();
    }

    @Override
    public Integer call() {
        Replay replay = toReplay(); // inputs and prompts are checked here, before Kafka is contacted
        kafka.preflight(List.of(), List.of(kafka.framesTopic(), schemasTopic));
        ReplaySummary summary = replay.run();
        spec.commandLine().getOut().println(summary);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
