package dev.alphaflow.jobs.ingest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sources file: one {@code [NAME=]LOCATION} per line ({@link SourceSpec}), blank lines and {@code #} comments
 * ignored. {@link Ingest} reads it again whenever it changes, starting the sources added and stopping the ones
 * removed (a changed location restarts that stream).
 */
final class SourcesFile {
    private SourcesFile() {}

    /** The file's sources by stream id, in file order; a bad line fails naming the file and the line. */
    static Map<String, SourceSpec> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        Map<String, SourceSpec> out = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                SourceSpec s = SourceSpec.parse(line);
                if (out.putIfAbsent(s.streamId(), s) != null) {
                    problems.add(file + ":" + (i + 1) + ": a second source for stream '" + s.streamId()
                            + "'; give distinct names with NAME=LOCATION");
                }
            } catch (IllegalArgumentException e) {
                problems.add(file + ":" + (i + 1) + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return out;
    }
}
