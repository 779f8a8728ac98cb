package dev.alphaflow.jobs.cli;

import java.io.PrintWriter;

import picocli.CommandLine;
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
                KafkaCommand.class,
                CommandLine.HelpCommand.class})
public final class AlphaflowCli implements Runnable {

    @Spec
    CommandSpec spec;

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
        System.exit(commandLine().execute(args));
    }

    // A failed run prints its message and causes, not a stack trace; the log has the details.
    private static int reportFailure(Exception e, CommandLine cl, CommandLine.ParseResult parsed) throws Exception {
        if (e instanceof CommandLine.ParameterException pe) {
            // Options checked when the subcommand runs (e.g. a missing input file) are usage errors too.
            return cl.getParameterExceptionHandler().handleParseException(pe, parsed.originalArgs().toArray(new String[0]));
        }
        PrintWriter err = cl.getErr();
        err.println(cl.getColorScheme().errorText(cl.getCommandName() + " failed: " + e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            err.println("  caused by: " + cause);
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
