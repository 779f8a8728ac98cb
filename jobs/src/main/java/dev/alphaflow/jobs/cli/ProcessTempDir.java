package dev.alphaflow.jobs.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One private temp folder for the whole {@code alphaflow} process, deleted when the process ends (normally, on an
 * error, or on Ctrl-C), so that no command leaves anything in the user's temp folder.
 *
 * <p>{@link #install()} creates {@code alphaflow-<pid>-<random>} under {@code java.io.tmpdir} and makes it the
 * process's {@code java.io.tmpdir}. It must run first thing in {@code main}: Flink ({@code io.tmp.dirs}, whose
 * default is read from {@code java.io.tmpdir} when {@code CoreOptions} loads) and the embedded broker read the
 * property when they start. What they write lands inside this folder: Flink's extracted RPC jar
 * ({@code flink-rpc-akka*.jar}), the MiniCluster's {@code minicluster_*} working folder and {@code flink-web-upload},
 * the embedded Kafka broker's data.
 *
 * <p>The JDK's own temp-file methods ({@code Files.createTempDirectory(prefix)}, {@code File.createTempFile}) keep
 * the {@code java.io.tmpdir} the JVM started with (JDK 17 caches it at start-up), so a library that uses them still
 * writes to the original folder: ONNX Runtime's Java binding does, for its native-library extraction folder
 * {@code onnxruntime-java*}, which it empties but keeps for the life of the process (GPU providers are extracted
 * into it later). {@link #close()} deletes exactly that folder, which ONNX Runtime names in
 * {@code ai.onnxruntime.OnnxRuntime.tempDirectory}.
 *
 * <p>ONNX Runtime's native telemetry (the 1DS SDK inside {@code libonnxruntime.so}) does not read
 * {@code java.io.tmpdir} but the {@code TMPDIR} environment variable (else {@code /tmp}), which a running JVM cannot
 * change for its native code; it writes an empty {@code mat-debug-<pid>.log} and a {@code .ses} session file there.
 * {@link #close()} also removes those two, the log only for this process's pid and {@code .ses} only when it did not
 * exist when the process started, so nothing of another program is touched.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     ProcessTempDir tmp = ProcessTempDir.install(); // before anything else
 *     int rc = run(args);
 *     tmp.close();
 *     System.exit(rc);
 * }
 * }</pre>
 */
public final class ProcessTempDir implements AutoCloseable {
    /** Files ONNX Runtime's native telemetry writes into {@code $TMPDIR}; see the class comment. */
    static final String ORT_SESSION_FILE = ".ses";

    private static volatile ProcessTempDir current;

    private final Path dir;
    private final Path originalTmpDir;
    private final List<Path> nativeLeftovers;
    private final Thread shutdownHook;
    private boolean closed;

    static final String JAVACPP_CACHE_DIR = "org.bytedeco.javacpp.cachedir";

    private ProcessTempDir(Path dir, Path originalTmpDir, List<Path> nativeLeftovers) {
        this.dir = dir;
        this.originalTmpDir = originalTmpDir;
        this.nativeLeftovers = nativeLeftovers;
        this.shutdownHook = new Thread(this::deleteQuietly, "alphaflow-temp-cleanup");
    }

    /**
     * Creates the process's temp folder under the current {@code java.io.tmpdir}, sets {@code java.io.tmpdir} to it
     * and registers a shutdown hook that deletes it. Calling it again returns the folder already installed.
     */
    public static synchronized ProcessTempDir install() {
        if (current != null) {
            return current;
        }
        Path original = Path.of(System.getProperty("java.io.tmpdir"));
        long pid = ProcessHandle.current().pid();
        Path dir;
        try {
            Files.createDirectories(original);
            // Not Files.createTempDirectory: its first call caches java.io.tmpdir for every later call without a
            // folder (ONNX Runtime's extraction is one), which would then still go to the original folder.
            dir = createUnique(original, "alphaflow-" + pid + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temp folder under " + original
                    + " (java.io.tmpdir); point -Djava.io.tmpdir=... at a writable folder", e);
        }
        ProcessTempDir tmp = new ProcessTempDir(dir, original, nativeLeftovers(pid, original, System.getenv("TMPDIR")));
        System.setProperty("java.io.tmpdir", dir.toString());
        // JavaCPP (FFmpeg for videos, OpenCV for optical flow) unpacks its natives into ~/.javacpp/cache unless told
        // otherwise; unpacking them into this folder costs about a second per run and leaves nothing behind. A user
        // who wants a lasting cache sets -Dorg.bytedeco.javacpp.cachedir themselves, and that wins.
        if (System.getProperty(JAVACPP_CACHE_DIR) == null) {
            System.setProperty(JAVACPP_CACHE_DIR, dir.resolve("javacpp").toString());
        }
        Runtime.getRuntime().addShutdownHook(tmp.shutdownHook);
        current = tmp;
        return tmp;
    }

    private static Path createUnique(Path parent, String prefix) throws IOException {
        java.util.Random random = new java.security.SecureRandom();
        for (int attempt = 0; ; attempt++) {
            Path candidate = parent.resolve(prefix + Long.toUnsignedString(random.nextLong(), 36));
            try {
                return Files.createDirectory(candidate, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw e;
                }
            }
        }
    }

    /** The installed folder, if {@link #install()} ran in this process (the CLI); empty in tests and on a cluster. */
    public static Optional<ProcessTempDir> current() {
        return Optional.ofNullable(current);
    }

    /** The private folder, which is also {@code java.io.tmpdir} from {@link #install()} on. */
    public Path path() {
        return dir;
    }

    /** The {@code java.io.tmpdir} the process started with: the parent of {@link #path()}. */
    public Path originalTmpDir() {
        return originalTmpDir;
    }

    // The native files that may appear for this process in the folders native code uses as its temp folder.
    static List<Path> nativeLeftovers(long pid, Path javaTmpDir, String tmpdirEnv) {
        Set<Path> folders = new LinkedHashSet<>();
        folders.add(tmpdirEnv == null || tmpdirEnv.isEmpty() ? Path.of("/tmp") : Path.of(tmpdirEnv));
        folders.add(javaTmpDir);
        List<Path> files = new ArrayList<>();
        for (Path folder : folders) {
            files.add(folder.resolve("mat-debug-" + pid + ".log"));
            Path session = folder.resolve(ORT_SESSION_FILE);
            if (!Files.exists(session)) {
                files.add(session);
            }
        }
        return List.copyOf(files);
    }

    /**
     * Deletes the folder and this process's native leftovers now; the shutdown hook then has nothing to do.
     * Failures are ignored: there is nothing a user could do about them at exit.
     */
    @Override
    public void close() {
        deleteQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs (or ran) deleteQuietly, which is idempotent
        }
    }

    private synchronized void deleteQuietly() {
        if (closed) {
            return;
        }
        closed = true;
        // A Ctrl-C runs this hook while Flink's and Kafka's own hooks may still be writing: try a few times.
        for (int attempt = 0; attempt < 3 && Files.exists(dir); attempt++) {
            deleteRecursively(dir);
        }
        onnxRuntimeExtractionDir().ifPresent(ProcessTempDir::deleteRecursively);
        for (Path file : nativeLeftovers) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // not ours to worry about at exit
            }
        }
    }

    /**
     * The folder ONNX Runtime's Java binding extracted its native libraries into, if it loaded them in this process.
     * Read from its private static field (no public accessor exists); anything unexpected (another ONNX Runtime
     * version without the field, no ONNX Runtime on the class path) means "none". Reading it initialises the class,
     * which is cheap: the extraction happens in {@code OnnxRuntime.init()}, not in the class initialiser.
     */
    static Optional<Path> onnxRuntimeExtractionDir() {
        try {
            Class<?> ort = Class.forName("ai.onnxruntime.OnnxRuntime", false, ProcessTempDir.class.getClassLoader());
            java.lang.reflect.Field field = ort.getDeclaredField("tempDirectory");
            field.setAccessible(true);
            return field.get(null) instanceof Path p ? Optional.of(p) : Optional.empty();
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return Optional.empty();
        }
    }

    /** Deletes {@code root} and everything under it; returns false when something could not be deleted. */
    static boolean deleteRecursively(Path root) {
        Objects.requireNonNull(root, "root");
        boolean complete = true;
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        } catch (NoSuchFileException e) {
            return true;
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
        for (Path p : paths) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                complete = false;
            }
        }
        return complete;
    }
}
