package dev.alphaflow.jobs.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.jobs.ingest.Backoff;
import dev.alphaflow.jobs.ingest.CaptureSettings;
import dev.alphaflow.jobs.ingest.Ingest;
import dev.alphaflow.jobs.ingest.SourceSpec;
import dev.alphaflow.jobs.tools.Progress;

/** {@code alphaflow ingest}: see {@link Ingest}. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {"Publish live sources to the frames topic, one stream per source, until stopped (Ctrl-C).",
                "SOURCE is [NAME=]LOCATION: rtsp://, http(s):// (MJPEG, MPEG-TS), udp:// or rtp:// (MPEG-TS), srt://, "
                        + "a V4L2 device (/dev/video0) or a video file (looped as if live). Without NAME the stream "
                        + "id is derived (file name, device name, scheme-host-port).",
                "A lost source is retried with exponential backoff; its first frame after a reconnect resets the "
                        + "stream's model memory in the job (reason SOURCE_RECONNECTED). When publishing falls "
                        + "behind, the oldest frames are dropped and counted."})
final class IngestCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Parameters(arity = "0..*", paramLabel = "SOURCE", description = "Live sources: [NAME=]LOCATION.")
    List<String> sources = new ArrayList<>();

    @Option(names = "--sources-file", paramLabel = "FILE",
            description = "More sources, one [NAME=]LOCATION per line (# comments); watched while running: added "
                    + "lines start streams, removed lines end theirs.")
    Path sourcesFile;

    @Option(names = "--fps", paramLabel = "FPS", defaultValue = "0",
            description = "At most this many frames per second per source; 0: the source's rate (default).")
    double fps;

    @Option(names = "--max-size", paramLabel = "PIXELS", defaultValue = "0",
            description = "Downscale so the longer side is at most this many pixels; 0: as captured (default).")
    int maxSize;

    @Option(names = "--queue", paramLabel = "FRAMES", defaultValue = "2",
            description = "Frames queued per source before the oldest is dropped (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--reconnect-initial", paramLabel = "SECONDS", defaultValue = "0.5",
            description = "Wait after a source is lost before the first retry (default: ${DEFAULT-VALUE}).")
    double reconnectInitial;

    @Option(names = "--reconnect-max", paramLabel = "SECONDS", defaultValue = "30",
            description = "Longest wait between retries (default: ${DEFAULT-VALUE}).")
    double reconnectMax;

    @Option(names = "--reconnect-multiplier", paramLabel = "X", defaultValue = "2",
            description = "Each failed retry multiplies the wait by this (default: ${DEFAULT-VALUE}).")
    double reconnectMultiplier;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "5",
            description = "A network source that sends nothing for this long is lost (default: ${DEFAULT-VALUE}).")
    double timeout;

    @Option(names = "--jpeg-quality", paramLabel = "Q", defaultValue = "0.9",
            description = "JPEG quality in (0, 1] of the published frames (default: ${DEFAULT-VALUE}).")
    float jpegQuality;

    @Option(names = "--status-interval", paramLabel = "SECONDS", defaultValue = "10",
            description = "Print every source's health this often; 0: never (default: ${DEFAULT-VALUE}).")
    double statusInterval;

    @Option(names = "--metrics-port", paramLabel = "PORT[-PORT]", defaultValue = "9260-9269",
            description = "Prometheus metrics at http://<host>:PORT/metrics, the first free port of the range; "
                    + "0: any free port; off: none (default: ${DEFAULT-VALUE}).")
    String metricsPort;

    @Option(names = {"-O", "--ffmpeg-option"}, paramLabel = "KEY=VALUE",
            description = "An FFmpeg demuxer or protocol option for every source, e.g. -O rtsp_transport=tcp "
                    + "(repeatable).")
    Map<String, String> ffmpegOptions = new LinkedHashMap<>();

    @Option(names = "--schemas-topic", paramLabel = "TOPIC", defaultValue = KafkaDefaults.SCHEMAS_TOPIC,
            description = "Compacted topic the Frame schema is registered in (default: ${DEFAULT-VALUE}).")
    String schemasTopic;

    @Option(names = {"-X", "--producer-property"}, paramLabel = "KEY=VALUE",
            description = "A Kafka producer setting, e.g. -X linger.ms=20 (repeatable).")
    Map<String, String> producerProperties = new LinkedHashMap<>();

    /** The ingest these arguments describe; a bad source or value fails here, naming the flag. */
    Ingest toIngest() {
        Ingest.Builder b = Ingest.builder()
                .bootstrapServers(kafka.bootstrapServers())
                .topic(kafka.framesTopic())
                .schemasTopic(schemasTopic)
                .settings(settings())
                .statusInterval(seconds("--status-interval", statusInterval, true))
                .statusOutput(System.err, Progress.onTerminal()) // progress goes to stderr, results to stdout
                .metricsPorts(metricsPort.equalsIgnoreCase("off") ? null : metricsPort);
        for (String s : sources) {
            try {
                b.source(SourceSpec.parse(s));
            } catch (IllegalArgumentException e) {
                throw bad("SOURCE: " + e.getMessage(), e);
            }
        }
        if (sourcesFile != null) {
            b.sourcesFile(sourcesFile);
        }
        kafka.clientProperties().forEach(b::producerProperty);
        producerProperties.forEach(b::producerProperty);
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            String flag = m.startsWith("sources file") ? "--sources-file: "
                    : m.startsWith("not a port") || m.startsWith("port range") ? "--metrics-port: "
                    : m.startsWith("no sources") ? "SOURCE: " : "";
            throw bad(flag + m, e);
        }
    }

    private CaptureSettings settings() {
        check(fps >= 0 && Double.isFinite(fps), "--fps must be 0 (no cap) or positive: " + fps);
        check(maxSize == 0 || maxSize >= 16, "--max-size must be 0 (as captured) or at least 16 pixels: " + maxSize);
        check(queue >= 1, "--queue must be at least 1: " + queue);
        check(jpegQuality > 0 && jpegQuality <= 1, "--jpeg-quality must be in (0, 1]: " + jpegQuality);
        Duration initial = seconds("--reconnect-initial", reconnectInitial, false);
        Duration max = seconds("--reconnect-max", reconnectMax, false);
        check(max.compareTo(initial) >= 0, "--reconnect-max " + reconnectMax + " is below --reconnect-initial "
                + reconnectInitial);
        check(reconnectMultiplier >= 1 && Double.isFinite(reconnectMultiplier),
                "--reconnect-multiplier must be at least 1: " + reconnectMultiplier);
        return new CaptureSettings(fps, maxSize, queue, new Backoff(initial, max, reconnectMultiplier),
                seconds("--timeout", timeout, false), jpegQuality, ffmpegOptions);
    }

    private Duration seconds(String flag, double value, boolean zeroAllowed) {
        check(Double.isFinite(value) && (value > 0 || (zeroAllowed && value == 0)),
                flag + " must be " + (zeroAllowed ? "0 or " : "") + "a positive number of seconds: " + value);
        Duration d = Duration.ofMillis(Math.round(value * 1000));
        check(zeroAllowed || !d.isZero(), flag + " must be at least 0.001 s: " + value);
        return d;
    }

    private void check(boolean ok, String message) {
        if (!ok) {
            throw bad(message, null);
        }
    }

    private CommandLine.ParameterException bad(String message, Exception cause) {
        return cause == null ? new CommandLine.ParameterException(spec.commandLine(), message)
                : new CommandLine.ParameterException(spec.commandLine(), message, cause);
    }

    @Override
    public Integer call() throws InterruptedException {
        Ingest ingest = toIngest(); // sources and values are checked here, before Kafka is contacted
        kafka.preflight(List.of(), List.of(kafka.framesTopic(), schemasTopic));
        try {
            ingest.start();
        } catch (IOException e) {
            ingest.close();
            throw bad("--metrics-port: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            ingest.close();
            throw bad("--sources-file: " + e.getMessage(), e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ingest.close();
            stopped.countDown();
        }, "ingest-shutdown"));
        var out = spec.commandLine().getOut();
        out.println("alphaflow ingest: " + ingest.streams().size() + " source(s) " + ingest.streams() + " -> "
                + kafka.framesTopic()
                + (ingest.metricsPort() > 0 ? "; metrics at http://127.0.0.1:" + ingest.metricsPort() + "/metrics" : "")
                + " (Ctrl-C to stop)");
        out.flush();
        stopped.await();
        return 0;
    }
}
