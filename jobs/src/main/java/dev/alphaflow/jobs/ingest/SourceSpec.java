package dev.alphaflow.jobs.ingest;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One live source and the stream id its frames carry, as written on the command line or in a sources file:
 * {@code [NAME=]LOCATION}.
 *
 * <ul>
 *   <li>a network URL FFmpeg reads: {@code rtsp://}, {@code rtsps://}, {@code rtmp://}, {@code http://},
 *       {@code https://} (MJPEG, MPEG-TS, HLS), {@code udp://}, {@code rtp://} (MPEG-TS), {@code srt://},
 *       {@code tcp://};
 *   <li>a V4L2 device: {@code /dev/video0} or {@code v4l2:/dev/video0};
 *   <li>a video file, looped as if it were a live camera.
 * </ul>
 *
 * <p>Without a NAME the stream id is derived: a file's base name without extension, a device's name
 * ({@code video0}), or {@code scheme-host-port[-path]} of a URL with every other character replaced by {@code -}
 * ({@code udp://127.0.0.1:5000} is {@code udp-127.0.0.1-5000}). Credentials in a URL never reach the stream id nor
 * {@link #displayLocation()}.
 */
public record SourceSpec(String streamId, String location, Kind kind) {

    /** How a source is opened and what its end means. */
    public enum Kind {
        /** A network stream: its end or an error is a lost connection, retried with backoff. */
        NETWORK,
        /** A V4L2 capture device (FFmpeg format {@code v4l2}); retried like a network stream. */
        DEVICE,
        /** A video file, paced by its timestamps and started over at its end, as if live. */
        FILE
    }

    /** URL schemes accepted as network sources. */
    public static final Set<String> NETWORK_SCHEMES =
            Set.of("rtsp", "rtsps", "rtmp", "http", "https", "udp", "rtp", "srt", "tcp");

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*)://.*");

    public SourceSpec {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(kind, "kind");
        if (!NAME.matcher(streamId).matches()) {
            throw new IllegalArgumentException("stream id '" + streamId + "' must be letters, digits, '.', '_' or '-'"
                    + " (starting with a letter or digit)");
        }
    }

    /**
     * Parses {@code [NAME=]LOCATION}.
     *
     * @throws IllegalArgumentException naming the source: an unknown URL scheme, a file that does not exist, a bad
     *     name
     */
    public static SourceSpec parse(String spec) {
        String s = Objects.requireNonNull(spec, "spec").strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty source");
        }
        String name = null;
        int eq = s.indexOf('=');
        // NAME=... only when the part before '=' could be a name: a URL's query (?a=b) comes after "://"
        if (eq > 0 && NAME.matcher(s.substring(0, eq)).matches()) {
            name = s.substring(0, eq);
            s = s.substring(eq + 1).strip();
            if (s.isEmpty()) {
                throw new IllegalArgumentException("source '" + spec + "' names a stream but no location");
            }
        }
        Kind kind;
        String location = s;
        var scheme = SCHEME.matcher(s);
        if (s.startsWith("v4l2:")) {
            kind = Kind.DEVICE;
            location = s.substring("v4l2:".length());
        } else if (scheme.matches()) {
            String sch = scheme.group(1).toLowerCase(Locale.ROOT);
            if (sch.equals("file")) {
                kind = Kind.FILE;
                location = Path.of(URI.create(s)).toString();
            } else if (NETWORK_SCHEMES.contains(sch)) {
                kind = Kind.NETWORK;
                checkUri(spec, s);
            } else {
                throw new IllegalArgumentException("source '" + spec + "': unsupported scheme " + sch + "://; use one "
                        + "of " + String.join(", ", NETWORK_SCHEMES.stream().sorted().toList())
                        + ", a V4L2 device (/dev/video0) or a video file");
            }
        } else if (s.startsWith("/dev/")) {
            kind = Kind.DEVICE;
        } else {
            kind = Kind.FILE;
        }
        if (kind == Kind.FILE && !Files.isRegularFile(Path.of(location))) {
            throw new IllegalArgumentException("source '" + spec + "': no such file " + location
                    + " (a network source needs a URL such as rtsp://host/stream or udp://127.0.0.1:5000)");
        }
        return new SourceSpec(name != null ? name : derivedId(kind, location, spec), location, kind);
    }

    private static void checkUri(String spec, String url) {
        try {
            URI uri = new URI(url);
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("source '" + spec + "': no host in " + displayLocation(url));
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("source '" + spec + "': not a valid URL: " + e.getMessage(), e);
        }
    }

    private static String derivedId(Kind kind, String location, String spec) {
        String raw;
        switch (kind) {
            case FILE -> {
                String file = Path.of(location).getFileName().toString();
                int dot = file.lastIndexOf('.');
                raw = dot > 0 ? file.substring(0, dot) : file;
            }
            case DEVICE -> raw = Path.of(location).getFileName().toString();
            default -> {
                URI uri = URI.create(location);
                raw = uri.getScheme() + "-" + uri.getHost() + (uri.getPort() >= 0 ? "-" + uri.getPort() : "")
                        + (uri.getPath() == null ? "" : uri.getPath());
            }
        }
        String id = raw.replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^[^A-Za-z0-9]+|-+$", "");
        if (id.isEmpty()) {
            throw new IllegalArgumentException("source '" + spec + "': cannot derive a stream id; give one: NAME=" + spec);
        }
        return id;
    }

    /** The location as it may be printed: user and password of a URL removed. */
    public String displayLocation() {
        return kind == Kind.NETWORK ? displayLocation(location) : location;
    }

    private static String displayLocation(String url) {
        return url.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@", "$1");
    }

    /** {@code NAME=LOCATION} with credentials removed. */
    @Override
    public String toString() {
        return streamId + "=" + displayLocation();
    }
}
