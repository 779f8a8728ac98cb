package dev.alphaflow.jobs.cli;

import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.Option;

import dev.alphaflow.jobs.tools.ExportSettings;

/**
 * Flags of the exports that draw overlays, {@code export-masks} and {@code export-instances}
 * ({@code @Mixin OverlayExportOptions overlays;}): which streams, and the overlay video. Each command keeps its own
 * {@code --no-overlays}, as what remains without overlays differs.
 */
final class OverlayExportOptions {

    @Option(names = "--stream", paramLabel = "ID", split = ",", description = "Export only these streams.")
    List<String> streams = new ArrayList<>();

    @Option(names = "--no-video", description = "Overlay PNGs but no overlay.mp4.")
    boolean noVideo;

    @Option(names = "--fps", paramLabel = "FPS",
            description = "Frame rate of overlay.mp4 (default: from the records' event times, else 24).")
    Double fps;

    /** Sets the streams, the video and its frame rate on an export's builder. */
    <B extends ExportSettings.Builder<B>> B applyTo(B builder) {
        builder.streams(streams).video(!noVideo);
        return fps != null ? builder.fps(fps) : builder;
    }
}
