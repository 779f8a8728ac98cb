package dev.alphaflow.jobs.cli;

import java.io.PrintWriter;

import dev.alphaflow.jobs.InvalidOptionException;

import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code alphaflow} command. Each subcommand is a class in this package that mixes in {@link KafkaOptions}
 * for the broker and topic names; add a new one to the {@code subcommands} list below.
 *
 * <pre>
 * alphaflow replay --bootstrap-servers 127.0.0.1:9092 dance.mp4 frames/
 * alphaflow export --bootstrap-servers 127.0.0.1:9092 -o out/
 * </pre>
 */
@Command(name = "alphaflow",
        mixinStandardHelpOptions = true,
        versionProvider = AlphaflowCli.Version.class,
        description = "Streaming video matting on Flink and Kafka.",
        subcommands = {DemoCommand.class, RunCommand.class, ReplayCommand.class, ExportCommand.class,
                SegmentCommand.class, ExportMasksCommand.class, DavisEvalCommand.class, InstancesCommand.class,
                ExportInstancesCommand.class, FlowCommand.class, ExportFlowCommand.class, ViewCommand.class,
                IngestCommand.class, KafkaCommand.class, ClusterCommand.class, CleanCommand.class,
                CommandLine.HelpCommand.class})
public final class AlphaflowCli implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print the stack trace of a failure (it always goes to the log at debug level).")
    boolean verbose;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    /** The configured command line, for {@link #main} and for tests. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new AlphaflowCli());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler(AlphaflowCli::reportFailure);
        return cl;
    }

    public static void main(String[] args) {
        // First of all: everything that writes temp files (the JDK, Flink, ONNX Runtime, the embedded broker) reads
        // java.io.tmpdir once, so it must point at the process's own folder before any of them runs.
        ProcessTempDir tmp = ProcessTempDir.install();
        int exitCode = commandLine().execute(args);
        tmp.close();
        System.exit(exitCode);
    }

    // A failed run prints its message and causes, not a stack trace (unless --verbose); the log has the details.
    private static int reportFailure(Exception e, CommandLine cl, CommandLine.ParseResult parsed) throws Exception {
        if (e instanceof CommandLine.ParameterException pe) {
            // Options checked when the subcommand runs (e.g. a missing input file) are usage errors too.
            return cl.getParameterExceptionHandler().handleParseException(pe, parsed.originalArgs().toArray(new String[0]));
        }
        PrintWriter err = cl.getErr();
        boolean verbose = parsed.originalArgs().contains("--verbose");
        if (e instanceof InvalidOptionException bad) {
            // A value the job cannot run with: a usage error, found before Kafka or Flink started.
            err.println(cl.getColorScheme().errorText(cl.getCommandName() + ": invalid "
                    + FlagNames.describe(bad.key()) + ": " + bad.problem()));
            err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for the options.");
            return cl.getCommandSpec().exitCodeOnInvalidInput();
        }
        err.println(cl.getColorScheme().errorText(cl.getCommandName() + " failed: " + e.getMessage()));
        if (!(e instanceof CommandFailure)) {
            for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
                err.println("  caused by: " + cause);
            }
        }
        if (verbose) {
            e.printStackTrace(err);
        }
        org.slf4j.LoggerFactory.getLogger(AlphaflowCli.class).debug("{} failed", cl.getCommandName(), e);
        return 1;
    }

    /** The version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = AlphaflowCli.class.getPackage().getImplementationVersion();
            return new String[] {"alphaflow " + (v == null ? "(development build)" : v)};
        }
    }
}
