package dev.alphaflow.jobs.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import dev.alphaflow.jobs.tools.Background;
import dev.alphaflow.jobs.tools.Export;
import dev.alphaflow.jobs.tools.ExportSummary;
import dev.alphaflow.jobs.tools.RunReport;

/** {@code alphaflow export}: see {@link Export}. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write the mattes topic to files: per stream alpha/%%06d.png, composite/%%06d.png (the original "
                + "frame over a background) and composite.mp4.",
                "Stops when every stream's END frame has all its mattes, or when nothing new arrives for the idle "
                        + "timeout."})
final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    ExportOptions export;

    @Option(names = "--background", paramLabel = "COLOR|IMAGE", defaultValue = "#00b140",
            description = "Composite background: #rrggbb, green, blue, black, white, or an image file "
                    + "(default: ${DEFAULT-VALUE}).")
    String background;

    @Option(names = "--fps", paramLabel = "FPS",
            description = "Frame rate of composite.mp4 (default: from the mattes' event times, else 24).")
    Double fps;

    @Option(names = "--mattes-per-stream", paramLabel = "N", defaultValue = "0",
            description = "A stream is done after N mattes instead of at its END frame.")
    long mattesPerStream;

    @Option(names = "--stream", paramLabel = "ID", split = ",",
            description = "Export only these streams (repeatable or comma-separated), and wait for each.")
    List<String> streams = new ArrayList<>();

    @Option(names = "--no-composite", description = "Write alpha PNGs only; do not read the frames topic.")
    boolean noComposite;

    @Option(names = "--no-video", description = "Do not write composite.mp4.")
    boolean noVideo;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Mixin
    ReportOptions report;

    /** The export these arguments describe. */
    Export toExport() {
        Export.Builder b = export.applyTo(Export.builder(), kafka)
                .mattesTopic(kafka.mattesTopic())
                .background(parseBackground())
                .composite(!noComposite)
                .video(!noVideo)
                .mattesPerStream(mattesPerStream)
                .streams(streams)
                .progressBar(!noProgress);
        if (fps != null) {
            b.fps(fps);
        }
        report.applyTo(spec, b, kafka);
        return ExportOptions.build(spec, b::build);
    }

    private Background parseBackground() {
        Path file = Path.of(background);
        if (Files.isRegularFile(file)) {
            try {
                return Background.image(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try {
            return Background.parseColor(background);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--background: " + e.getMessage() + ", or an existing image file", e);
        }
    }

    @Override
    public Integer call() {
        Export matteExport = toExport(); // flags are checked here, before Kafka is contacted
        List<String> topics = new ArrayList<>(List.of(kafka.mattesTopic()));
        if (!noComposite) {
            topics.add(kafka.framesTopic());
        }
        topics.addAll(report.extraTopics(kafka));
        kafka.preflight(topics, List.of());
        ExportSummary summary = matteExport.run();
        spec.commandLine().getOut().println(summary);
        report.finish(spec, RunReport.mattes(summary), !summary.truth().isEmpty());
        return 0;
    }
}
