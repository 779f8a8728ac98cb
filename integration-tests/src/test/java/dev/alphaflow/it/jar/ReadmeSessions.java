package dev.alphaflow.it.jar;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The copy-paste sessions of the README, as the README has them: the one place they are written, so the tests run
 * exactly what users read. A session starts at {@code <!-- session: NAME -->} and ends at {@code <!-- /session -->};
 * each {@code ```bash} block inside is one terminal, its lines the commands typed there (a trailing {@code \}
 * continues a line, {@code #} lines are comments). A block whose first comment says {@code keeps running} is a
 * terminal whose single command runs until Ctrl-C; it prints {@code Ctrl-C to stop} when ready.
 */
final class ReadmeSessions {
    private static final Pattern START = Pattern.compile("<!--\\s*session:\\s*([\\w-]+)\\s*-->");
    private static final Pattern END = Pattern.compile("<!--\\s*/session\\s*-->");

    /** One terminal of a session. */
    record Terminal(String title, boolean keepsRunning, List<String> commands) {}

    /** A named session: its terminals in the order the README shows them. */
    record Session(String name, List<Terminal> terminals) {
        /** Every command of every terminal, in order. */
        List<String> commands() {
            return terminals.stream().flatMap(t -> t.commands().stream()).toList();
        }
    }

    private ReadmeSessions() {}

    static Map<String, Session> parse(Path readme) {
        List<String> lines;
        try {
            lines = Files.readAllLines(readme);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Session> sessions = new LinkedHashMap<>();
        String name = null;
        List<Terminal> terminals = null;
        List<String> block = null;
        for (String line : lines) {
            Matcher start = START.matcher(line);
            if (block == null && start.find()) {
                name = start.group(1);
                terminals = new ArrayList<>();
            } else if (block == null && END.matcher(line).find() && name != null) {
                if (sessions.put(name, new Session(name, List.copyOf(terminals))) != null) {
                    throw new IllegalStateException("README has two sessions named " + name);
                }
                name = null;
            } else if (name != null && block == null && line.trim().equals("```bash")) {
                block = new ArrayList<>();
            } else if (block != null && line.trim().equals("```")) {
                terminals.add(terminal(block));
                block = null;
            } else if (block != null) {
                block.add(line);
            }
        }
        if (name != null) {
            throw new IllegalStateException("README session " + name + " has no <!-- /session --> end");
        }
        return sessions;
    }

    private static Terminal terminal(List<String> block) {
        String title = "";
        List<String> commands = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String raw : block) {
            String line = raw.strip();
            if (current.isEmpty() && line.startsWith("#")) {
                if (title.isEmpty()) {
                    title = line.substring(1).strip();
                }
                continue;
            }
            if (line.isEmpty()) {
                continue;
            }
            // a trailing comment on a command line is for the reader
            int comment = line.indexOf("  #");
            if (comment > 0) {
                line = line.substring(0, comment).strip();
            }
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
            } else {
                current.append(line);
                commands.add(current.toString().strip());
                current.setLength(0);
            }
        }
        boolean keepsRunning = title.contains("keeps running");
        if (keepsRunning && commands.size() != 1) {
            throw new IllegalStateException("a terminal that keeps running has one command: " + commands);
        }
        return new Terminal(title, keepsRunning, List.copyOf(commands));
    }
}
