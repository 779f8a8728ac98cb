package dev.alphaflow.jobs.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import dev.alphaflow.jobs.tools.ExportSettings;
import dev.alphaflow.jobs.tools.RunReport;

/**
 * The report and truth flags every export has ({@code @Mixin ReportOptions report;}): {@code --report FILE} writes
 * the run's HTML report (and reads the dead-letter topic for it), {@code --truth DIR} scores each stream against the
 * annotations in {@code DIR/<stream>/}.
 */
final class ReportOptions {

    @Option(names = "--report", paramLabel = "FILE",
            description = "Also write one self-contained HTML report of the run: sample images, processing time and "
                    + "frames/s per stream, state resets, scores with --truth, and the dead letters (read from the "
                    + "dead-letter topic) by reason.")
    Path report;

    @Option(names = "--truth", paramLabel = "DIR",
            description = "Score each stream against DAVIS-style annotations in DIR/<stream>/<frame>.png "
                    + "(e.g. <shared>/data/davis2016/Annotations/480p); printed and in the report.")
    Path truth;

    /** Sets the truth root and, with a report, the dead-letter topic on an export's builder; checks --truth first. */
    <B extends ExportSettings.Builder<B>> B applyTo(CommandSpec spec, B builder, KafkaOptions kafka) {
        if (truth != null) {
            if (!Files.isDirectory(truth)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--truth: " + truth + " is not a folder "
                        + "(it holds one folder of <frame>.png annotations per stream)");
            }
            builder.truthRoot(truth);
        }
        if (report != null) {
            builder.deadLettersTopic(kafka.dlqTopic());
        }
        return builder;
    }

    /** The topics the flags make the export read, besides its own. */
    List<String> extraTopics(KafkaOptions kafka) {
        return report != null ? List.of(kafka.dlqTopic()) : List.of();
    }

    /**
     * Writes the report when one was asked for and prints its path; says so when --truth matched no stream. The page
     * is built from the same summary the command printed, so that their figures agree.
     */
    void finish(CommandSpec spec, RunReport.Page page, boolean anyScored) {
        var out = spec.commandLine().getOut();
        if (truth != null && !anyScored) {
            out.println("no stream was scored: " + truth + " has no folder named like an exported stream");
        }
        if (report != null) {
            RunReport.write(page, report);
            out.println("report: " + report.toAbsolutePath());
        }
        out.flush();
    }
}
