package dev.alphaflow.jobs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.flink.configuration.Configuration;

/** The program arguments of a {@code flink run} entry point: {@code key=value} pairs (a leading {@code -}/{@code --} is dropped). */
public final class FlinkArguments {
    private FlinkArguments() {}

    public static Configuration parse(String... args) {
        return parse(List.of(args));
    }

    public static Configuration parse(List<String> args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got '" + arg
                        + "' (e.g. alphaflow.kafka.bootstrap-servers=kafka:9092)");
            }
            options.put(arg.substring(0, eq).replaceFirst("^--?", ""), arg.substring(eq + 1));
        }
        return Configuration.fromMap(options);
    }
}
