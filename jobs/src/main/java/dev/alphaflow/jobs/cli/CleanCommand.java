package dev.alphaflow.jobs.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code alphaflow clean}: removes the local runtime's state folder ({@link LocalState}) and says what went. */
@Command(name = "clean", mixinStandardHelpOptions = true,
        description = {"Remove what local runs keep in alphaflow-state/: checkpoints (one <job>-checkpoints folder per "
                + "job run by run, segment, instances, flow), the data of a stopped `alphaflow kafka` broker (kafka/) and of a "
                + "stopped `alphaflow cluster` (cluster/).",
                "Only that folder is removed; a folder holding anything else is left alone."})
final class CleanCommand implements Callable<Integer> {

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "The state folder (default: ${DEFAULT-VALUE} in the working directory).")
    Path stateDir = LocalState.DEFAULT_DIR;

    @Override
    public Integer call() {
        LocalState.Cleaned cleaned = LocalState.clean(stateDir);
        if (cleaned.jobFolders().isEmpty() && cleaned.bytes() == 0) {
            System.out.printf("clean: %s: nothing to remove%n", stateDir);
        } else {
            System.out.printf("clean: removed %s (%s; %.1f MiB)%n", stateDir,
                    cleaned.jobFolders().isEmpty() ? "empty" : String.join(", ", cleaned.jobFolders()),
                    cleaned.bytes() / (1024.0 * 1024.0));
        }
        return 0;
    }
}
