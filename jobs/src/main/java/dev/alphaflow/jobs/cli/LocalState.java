package dev.alphaflow.jobs.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The one folder where local runs keep their state: {@code alphaflow-state/} in the working directory, holding one
 * {@code <job>-checkpoints} folder per job run on the local runtime ({@code run}, {@code segment},
 * {@code instances}) and the data of the broker {@code alphaflow kafka} runs ({@code kafka}).
 * {@code alphaflow clean} removes it ({@link #clean}).
 *
 * <pre>{@code
 * Path checkpoints = LocalState.checkpointDir("matting"); // alphaflow-state/matting-checkpoints
 * }</pre>
 */
public final class LocalState {
    /** The folder, relative to the working directory. */
    public static final Path DEFAULT_DIR = Path.of("alphaflow-state");

    static final String CHECKPOINTS_SUFFIX = "-checkpoints";

    /** The local broker's data folder inside the state folder ({@code alphaflow kafka --data-dir} default). */
    public static final String BROKER_DIR = "kafka";
    /** The local cluster's folder ({@code alphaflow cluster}): its processes' config, logs, Kafka data, checkpoints. */
    static final String CLUSTER_DIR = "cluster";

    private LocalState() {}

    /** {@code alphaflow-state/<job>-checkpoints}: where the local runtime writes the checkpoints of {@code job}. */
    public static Path checkpointDir(String job) {
        Objects.requireNonNull(job, "job");
        if (job.isEmpty() || job.contains("/") || job.contains("\\") || job.startsWith(".")) {
            throw new IllegalArgumentException("job must be a plain name such as matting: " + job);
        }
        return DEFAULT_DIR.resolve(job + CHECKPOINTS_SUFFIX);
    }

    /** What {@link #clean} removed: the folder and the job checkpoint folders it held (empty when none existed). */
    public record Cleaned(Path dir, List<String> jobFolders, long bytes) {
        public boolean removedAnything() {
            return Files.notExists(dir) && !jobFolders.isEmpty() || bytes > 0;
        }
    }

    /**
     * Deletes {@code stateDir} and everything in it, after checking that it holds only {@code <job>-checkpoints}
     * folders and a stopped broker's {@code kafka} folder (so a mistyped {@code --state-dir} never deletes anything else). A missing folder is not an error.
     *
     * @throws IllegalArgumentException if the folder holds anything but job checkpoint folders
     */
    public static Cleaned clean(Path stateDir) {
        Objects.requireNonNull(stateDir, "stateDir");
        if (!Files.exists(stateDir)) {
            return new Cleaned(stateDir, List.of(), 0);
        }
        if (!Files.isDirectory(stateDir)) {
            throw new IllegalArgumentException(stateDir + " is not a folder; nothing removed");
        }
        List<String> jobFolders = new ArrayList<>();
        List<String> foreign = new ArrayList<>();
        try (Stream<Path> children = Files.list(stateDir)) {
            for (Path child : (Iterable<Path>) children.sorted()::iterator) {
                String name = child.getFileName().toString();
                if (Files.isDirectory(child) && (name.endsWith(CHECKPOINTS_SUFFIX) || name.equals(BROKER_DIR)
                        || name.equals(CLUSTER_DIR))) {
                    jobFolders.add(name);
                } else {
                    foreign.add(name);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + stateDir, e);
        }
        if (!foreign.isEmpty()) {
            throw new IllegalArgumentException(String.format("%s holds more than job checkpoints and broker data (%s); nothing removed. "
                    + "It does not look like an alphaflow state folder: delete it yourself if you mean to.",
                    stateDir, String.join(", ", foreign)));
        }
        if (jobFolders.contains(BROKER_DIR) && brokerRunning(stateDir.resolve(BROKER_DIR))) {
            throw new IllegalStateException(stateDir.resolve(BROKER_DIR) + " belongs to a running broker (alphaflow "
                    + "kafka); stop it (Ctrl-C) first; nothing removed");
        }
        if (jobFolders.contains(CLUSTER_DIR) && Files.isRegularFile(stateDir.resolve(CLUSTER_DIR)
                .resolve(dev.alphaflow.jobs.cluster.ClusterSettings.FILE_NAME))
                && dev.alphaflow.jobs.cluster.LocalCluster.in(stateDir.resolve(CLUSTER_DIR)).status().anyRunning()) {
            throw new IllegalStateException(stateDir.resolve(CLUSTER_DIR) + " belongs to a running cluster; stop it "
                    + "(alphaflow cluster stop) first; nothing removed");
        }
        long bytes = size(stateDir);
        if (!ProcessTempDir.deleteRecursively(stateDir)) {
            throw new IllegalStateException("could not delete all of " + stateDir + " (permissions?)");
        }
        return new Cleaned(stateDir, List.copyOf(jobFolders), bytes);
    }

    // A running Kafka broker holds a file lock on <log dir>/.lock; another process cannot take it.
    private static boolean brokerRunning(Path brokerDir) {
        Path lock = brokerDir.resolve("logs").resolve(".lock");
        if (!Files.isRegularFile(lock)) {
            return false;
        }
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(lock,
                java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.channels.FileLock taken = channel.tryLock();
            if (taken == null) {
                return true;
            }
            taken.release();
            return false;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static long size(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            return 0;
        }
    }
}
