package dev.alphaflow.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One scrape of a Prometheus endpoint over HTTP, parsed from the text exposition format (comment lines skipped):
 * {@code name{label="value",...} 1.0}.
 */
record PrometheusScrape(List<Sample> samples) {

    /** One line: a metric name, its labels and value. */
    record Sample(String name, Map<String, String> labels, double value) {}

    private static final Pattern LINE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+\\d+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** GETs {@code http://127.0.0.1:<port>/metrics}. */
    static PrometheusScrape of(int port) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).GET().build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET /metrics on port " + port + " answered " + response.statusCode());
        }
        return parse(response.body());
    }

    static PrometheusScrape parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException("not a Prometheus sample line: " + line);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
        }
        return new PrometheusScrape(samples);
    }

    /**
     * The samples of job {@code jobName} (the reporter's {@code job_name} label: the job's name with spaces as
     * underscores) and those of no job (JVM, cluster). Jobs of one JVM can share a reporter's registry, so one
     * port's scrape may show another job's series too.
     */
    PrometheusScrape ofJob(String jobName) {
        return new PrometheusScrape(samples.stream()
                .filter(s -> !s.labels().containsKey("job_name") || jobName.equals(s.labels().get("job_name")))
                .toList());
    }

    /** Every metric name in the scrape. */
    Set<String> names() {
        Set<String> names = new TreeSet<>();
        samples.forEach(s -> names.add(s.name()));
        return names;
    }

    /** Samples named {@code name} whose labels pass {@code labels}. */
    List<Sample> samples(String name, Predicate<Map<String, String>> labels) {
        return samples.stream().filter(s -> s.name().equals(name) && labels.test(s.labels())).toList();
    }

    /** The sum over every sample named {@code name} (e.g. all subtasks of a counter). */
    double sum(String name) {
        return sum(name, l -> true);
    }

    double sum(String name, Predicate<Map<String, String>> labels) {
        return samples(name, labels).stream().mapToDouble(Sample::value).sum();
    }
}
