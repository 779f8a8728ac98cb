package dev.alphaflow.jobs.tools;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import dev.alphaflow.model.eval.DavisMasks;
import dev.alphaflow.model.image.ImageCodec;
import dev.alphaflow.schemas.ObjectPrompt;
import dev.alphaflow.schemas.PromptAction;

/**
 * Object prompts to send with replayed frames (the {@code prompts} field of the Frame record): ADD an object with a
 * mask, or REMOVE one, at a frame number (the frame's {@code seq}, counting from 0).
 *
 * <p>Masks are read when the set is made, so an unreadable, non-8-bit or empty mask file is refused at once, naming
 * the file; they are converted to the 8-bit grayscale PNG the segmentation operator expects (255 = object). Whether a
 * mask has its frame's size, and whether the frame exists, can only be told with the input: {@link Replay.Builder#build}
 * checks that before anything is sent.
 *
 * <p>A prompt may name the stream it is for ({@code streamId}); one that does not applies to the replay's only input,
 * and a replay of several inputs refuses it.
 *
 * <p>The command-line forms ({@code alphaflow replay}):
 * <ul>
 *   <li>{@link #parse} {@code [STREAM@]FRAME:OBJECT_ID:MASK[:LABEL]}: one ADD; MASK is any 8-bit image (grey, palette
 *       or colour), a pixel whose samples are not all zero belongs to the object;
 *   <li>{@link #parseRemove} {@code [STREAM@]FRAME:OBJECT_ID}: one REMOVE;
 *   <li>{@link #parseDavisFolder} {@code [STREAM@]DIR}: a DAVIS-style annotation folder, see {@link #fromDavisFolder}.
 * </ul>
 *
 * <pre>{@code
 * PromptSet prompts = PromptSet.builder()
 *     .addAll(PromptSet.fromDavisFolder(Path.of("Annotations/480p/blackswan-first")))
 *     .addAll(PromptSet.parse("40:2:swan2.png:swan"))
 *     .addAll(PromptSet.parseRemove("45:1"))
 *     .build();
 * Replay.builder().input(Path.of("JPEGImages/480p/blackswan")).prompts(prompts)...
 * }</pre>
 */
public final class PromptSet {

    /**
     * One prompt.
     *
     * @param streamId the stream it is for, or null for the replay's only input
     * @param frame the frame number (seq) it is sent with
     * @param maskPng for ADD: an 8-bit grayscale PNG, 255 = object; null for REMOVE
     * @param width the mask's width (0 for REMOVE)
     * @param height the mask's height (0 for REMOVE)
     * @param label optional label of an ADD
     * @param source where it came from (the mask file, or the command-line argument), for messages
     */
    public record Prompt(String streamId, long frame, int objectId, PromptAction action, byte[] maskPng, int width,
            int height, String label, String source) {
        public Prompt {
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(source, "source");
            if (frame < 0) {
                throw new IllegalArgumentException(source + ": frame number must be >= 0, got " + frame);
            }
            if (objectId < 1 || objectId > 255) {
                throw new IllegalArgumentException(source + ": object id must be in 1..255, got " + objectId);
            }
            if (action == PromptAction.ADD && maskPng == null) {
                throw new IllegalArgumentException(source + ": an ADD needs a mask");
            }
            if (action == PromptAction.REMOVE && maskPng != null) {
                throw new IllegalArgumentException(source + ": a REMOVE has no mask");
            }
        }

        /** The Avro record sent in {@code Frame.prompts}. */
        public ObjectPrompt toAvro() {
            return ObjectPrompt.newBuilder()
                    .setObjectId(objectId)
                    .setAction(action)
                    .setMask(maskPng == null ? null : java.nio.ByteBuffer.wrap(maskPng))
                    .setLabel(label)
                    .build();
        }

        @Override
        public String toString() {
            return action + " object " + objectId + " at frame " + frame + (streamId == null ? "" : " of " + streamId)
                    + (label == null ? "" : " '" + label + "'") + " (" + source + ")";
        }
    }

    private static final Pattern FRAME_NAME = Pattern.compile("(\\d+)\\.png", Pattern.CASE_INSENSITIVE);
    private static final PromptSet EMPTY = new PromptSet(List.of());

    private final List<Prompt> prompts;

    private PromptSet(List<Prompt> prompts) {
        this.prompts = List.copyOf(prompts);
    }

    public static PromptSet empty() {
        return EMPTY;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Prompts by frame, then stream, then object id; REMOVEs of a frame before its ADDs. */
    public List<Prompt> prompts() {
        return prompts;
    }

    public boolean isEmpty() {
        return prompts.isEmpty();
    }

    public int size() {
        return prompts.size();
    }

    /**
     * Parses {@code [STREAM@]FRAME:OBJECT_ID:MASK[:LABEL]} and reads the mask: any 8-bit image ImageIO reads (PNG,
     * BMP, JPEG would blur the edge: use PNG); a pixel with any non-zero sample (palette index, grey or colour
     * channel) belongs to the object. The part after the last {@code :} is the label unless the whole remainder names
     * an existing file.
     *
     * @throws IllegalArgumentException for a malformed argument or an unreadable, non-8-bit or empty mask, naming it
     */
    public static PromptSet parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        String usage = "expected [STREAM@]FRAME:OBJECT_ID:MASK.png[:LABEL], e.g. 0:1:mask.png:person";
        StreamPrefix p = StreamPrefix.split(spec, usage);
        String[] parts = p.rest.split(":", 3);
        if (parts.length < 3 || parts[2].isEmpty()) {
            throw new IllegalArgumentException("prompt '" + spec + "': " + usage);
        }
        long frame = parseFrame(parts[0], spec, usage);
        int objectId = parseObjectId(parts[1], spec, usage);
        String rest = parts[2];
        String file = rest;
        String label = null;
        int colon = rest.lastIndexOf(':');
        if (colon >= 0 && !Files.exists(Path.of(rest))) {
            file = rest.substring(0, colon);
            label = rest.substring(colon + 1);
            if (label.isBlank()) {
                label = null;
            }
        }
        Path mask = Path.of(file);
        boolean[] pixels;
        BufferedImage image = readImage(mask);
        pixels = nonZero(image, mask);
        int w = image.getWidth();
        int h = image.getHeight();
        return new PromptSet(List.of(new Prompt(p.streamId, frame, objectId, PromptAction.ADD, grayPng(pixels, w, h),
                w, h, label, mask.toString())));
    }

    /**
     * Parses {@code [STREAM@]FRAME:OBJECT_ID}: a REMOVE.
     *
     * @throws IllegalArgumentException for a malformed argument
     */
    public static PromptSet parseRemove(String spec) {
        Objects.requireNonNull(spec, "spec");
        String usage = "expected [STREAM@]FRAME:OBJECT_ID, e.g. 40:2";
        StreamPrefix p = StreamPrefix.split(spec, usage);
        String[] parts = p.rest.split(":", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("remove '" + spec + "': " + usage);
        }
        long frame = parseFrame(parts[0], spec, usage);
        int objectId = parseObjectId(parts[1], spec, usage);
        return new PromptSet(List.of(new Prompt(p.streamId, frame, objectId, PromptAction.REMOVE, null, 0, 0, null,
                "--remove " + spec)));
    }

    /** Parses {@code [STREAM@]DIR} (an existing folder is taken whole, even with an {@code @} in its name). */
    public static PromptSet parseDavisFolder(String spec) {
        Objects.requireNonNull(spec, "spec");
        Path whole = Path.of(spec);
        int at = spec.indexOf('@');
        if (Files.isDirectory(whole) || at <= 0) {
            return fromDavisFolder(null, whole);
        }
        return fromDavisFolder(spec.substring(0, at), Path.of(spec.substring(at + 1)));
    }

    /** {@link #fromDavisFolder(String, Path)} for the replay's only input. */
    public static PromptSet fromDavisFolder(Path dir) {
        return fromDavisFolder(null, dir);
    }

    /**
     * A DAVIS-style annotation folder: PNGs named by frame number ({@code 00000.png}, {@code 7.png}, ...); every object
     * id present in a file becomes an ADD on that frame, without a label. Indexed (palette) PNGs give the palette index
     * as the object id (DAVIS 2017, multi-object); 8-bit grey PNGs give the grey value, with 255 read as object 1
     * (DAVIS 2016, {0, 255}). Files other than PNGs are ignored.
     *
     * @param streamId the stream the prompts are for, or null for the replay's only input
     * @throws IllegalArgumentException when the folder has no PNG, a PNG's name is not a frame number, or a file is
     *     unreadable or has no object pixel; the message names the file
     */
    public static PromptSet fromDavisFolder(String streamId, Path dir) {
        Objects.requireNonNull(dir, "dir");
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("prompt folder " + dir + " does not exist or is not a folder");
        }
        List<Path> pngs;
        try (Stream<Path> files = Files.list(dir)) {
            pngs = files.filter(f -> f.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".png"))
                    .sorted(Comparator.comparing(Path::toString))
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        if (pngs.isEmpty()) {
            throw new IllegalArgumentException("prompt folder " + dir + " has no PNG files (expected 00000.png, ...)");
        }
        Builder b = builder();
        for (Path png : pngs) {
            Matcher m = FRAME_NAME.matcher(png.getFileName().toString());
            if (!m.matches()) {
                throw new IllegalArgumentException("prompt file " + png + ": the name is not a frame number "
                        + "(expected e.g. 00000.png)");
            }
            long frame = parseFrame(m.group(1), png.toString(), "a frame number");
            BufferedImage image = readImage(png);
            checkEightBit(image, png);
            DavisMasks.LabelMap labels;
            try {
                labels = DavisMasks.fromImage(image);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("prompt file " + png + ": " + e.getMessage(), e);
            }
            SortedMap<Integer, boolean[]> objects = labels.objectMasks();
            if (objects.isEmpty()) {
                throw new IllegalArgumentException("prompt file " + png + " is empty: no pixel belongs to an object");
            }
            for (Map.Entry<Integer, boolean[]> o : objects.entrySet()) {
                b.add(new Prompt(streamId, frame, o.getKey(), PromptAction.ADD,
                        grayPng(o.getValue(), labels.width(), labels.height()), labels.width(), labels.height(), null,
                        png.toString()));
            }
        }
        return b.build();
    }

    /** The prompts of the given stream: those naming it, plus unnamed ones when {@code includeUnnamed}. */
    List<Prompt> forStream(String streamId, boolean includeUnnamed) {
        return prompts.stream()
                .filter(p -> streamId.equals(p.streamId()) || (includeUnnamed && p.streamId() == null))
                .collect(Collectors.toList());
    }

    private static long parseFrame(String s, String spec, String usage) {
        try {
            long frame = Long.parseLong(s.trim());
            if (frame < 0) {
                throw new NumberFormatException();
            }
            return frame;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + spec + "': frame '" + s + "' is not a frame number >= 0; "
                    + usage);
        }
    }

    private static int parseObjectId(String s, String spec, String usage) {
        int id;
        try {
            id = Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + spec + "': object id '" + s + "' is not a number; " + usage);
        }
        if (id < 1 || id > 255) {
            throw new IllegalArgumentException("'" + spec + "': object id must be in 1..255, got " + id);
        }
        return id;
    }

    private static BufferedImage readImage(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("prompt mask " + file + " does not exist");
        }
        BufferedImage image;
        try {
            ImageIO.setUseCache(false); // no temp files
            image = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("prompt mask " + file + " is not a readable image: " + e.getMessage(), e);
        }
        if (image == null) {
            throw new IllegalArgumentException("prompt mask " + file + " is not a readable image");
        }
        return image;
    }

    private static void checkEightBit(BufferedImage image, Path file) {
        int[] sizes = image.getSampleModel().getSampleSize();
        for (int s : sizes) {
            if (s > 8) {
                throw new IllegalArgumentException("prompt mask " + file + " has " + s
                        + "-bit samples; give an 8-bit image (grey, palette or RGB)");
            }
        }
    }

    /** Object pixels of an 8-bit mask: any non-zero sample of the colour bands (alpha ignored). */
    private static boolean[] nonZero(BufferedImage image, Path file) {
        checkEightBit(image, file);
        int w = image.getWidth();
        int h = image.getHeight();
        Raster raster = image.getRaster();
        int bands = image.getColorModel().getNumColorComponents();
        if (image.getColorModel() instanceof java.awt.image.IndexColorModel) {
            bands = 1; // the palette index
        }
        bands = Math.min(bands, raster.getNumBands());
        boolean[] mask = new boolean[w * h];
        int[] row = new int[w];
        boolean any = false;
        for (int band = 0; band < bands; band++) {
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, band, row);
                for (int x = 0; x < w; x++) {
                    if (row[x] != 0) {
                        mask[y * w + x] = true;
                        any = true;
                    }
                }
            }
        }
        if (!any) {
            throw new IllegalArgumentException("prompt mask " + file + " is empty: it has no non-zero pixel");
        }
        return mask;
    }

    private static byte[] grayPng(boolean[] mask, int width, int height) {
        byte[] gray = new byte[mask.length];
        for (int i = 0; i < mask.length; i++) {
            if (mask[i]) {
                gray[i] = (byte) 255;
            }
        }
        return ImageCodec.encodeGray8Png(gray, width, height);
    }

    /** A leading {@code STREAM@} before the first {@code :}. */
    private record StreamPrefix(String streamId, String rest) {
        static StreamPrefix split(String spec, String usage) {
            int colon = spec.indexOf(':');
            int at = colon < 0 ? spec.indexOf('@') : spec.lastIndexOf('@', colon);
            if (at < 0) {
                return new StreamPrefix(null, spec);
            }
            if (at == 0) {
                throw new IllegalArgumentException("'" + spec + "': empty stream id before '@'; " + usage);
            }
            return new StreamPrefix(spec.substring(0, at), spec.substring(at + 1));
        }
    }

    /** Collects prompts; {@link #build} refuses two prompts for the same object, stream and frame. */
    public static final class Builder {
        private final List<Prompt> prompts = new ArrayList<>();

        private Builder() {}

        public Builder add(Prompt prompt) {
            prompts.add(Objects.requireNonNull(prompt, "prompt"));
            return this;
        }

        public Builder addAll(PromptSet set) {
            prompts.addAll(Objects.requireNonNull(set, "set").prompts);
            return this;
        }

        public Builder addAll(Collection<Prompt> set) {
            set.forEach(this::add);
            return this;
        }

        public PromptSet build() {
            Set<String> seen = new HashSet<>();
            for (Prompt p : prompts) {
                String key = p.streamId() + "\u0000" + p.frame() + "\u0000" + p.objectId();
                if (!seen.add(key)) {
                    Prompt first = prompts.stream().filter(q -> q.streamId() == null ? p.streamId() == null
                            : q.streamId().equals(p.streamId())).filter(q -> q.frame() == p.frame()
                            && q.objectId() == p.objectId()).findFirst().orElseThrow();
                    throw new IllegalArgumentException("two prompts for object " + p.objectId() + " at frame "
                            + p.frame() + (p.streamId() == null ? "" : " of " + p.streamId()) + ": " + first.source()
                            + " and " + p.source());
                }
            }
            List<Prompt> sorted = new ArrayList<>(prompts);
            sorted.sort(Comparator.comparingLong(Prompt::frame)
                    .thenComparing(p -> p.streamId() == null ? "" : p.streamId())
                    .thenComparing(p -> p.action() == PromptAction.REMOVE ? 0 : 1)
                    .thenComparingInt(Prompt::objectId));
            return new PromptSet(sorted);
        }
    }
}
