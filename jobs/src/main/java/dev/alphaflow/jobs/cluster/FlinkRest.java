package dev.alphaflow.jobs.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A JobManager's REST API (the one the Flink web UI and {@code flink run} use), for the calls a local cluster needs:
 * upload a job jar and run it (web submission: the JobManager runs the jar's main class to build the job), job
 * state, checkpoints, stop-with-savepoint, cancel, and the cluster overview.
 *
 * <pre>{@code
 * FlinkRest rest = new FlinkRest("http://127.0.0.1:8081");
 * String jar = rest.uploadJar(Path.of("jobs/target/alphaflow.jar"));
 * String jobId = rest.runJar(jar, FlinkRest.RunRequest.of(LocalCluster.ENTRY_CLASS, args).parallelism(2));
 * String savepoint = rest.stopWithSavepoint(jobId, "file:///data/savepoints", Duration.ofMinutes(2));
 * }</pre>
 *
 * <p>Endpoints: https://nightlies.apache.org/flink/flink-docs-release-2.2/docs/ops/rest_api/
 */
public final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final URI base;
    private final HttpClient http;

    public FlinkRest(String baseUrl) {
        this.base = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** {@code http://host:port/}. */
    public URI base() {
        return base;
    }

    /** The cluster overview: task managers, slots, jobs by state; empty if the JobManager does not answer. */
    public Optional<Overview> overview() {
        try {
            JsonNode o = get("overview");
            return Optional.of(new Overview(o.path("taskmanagers").asInt(), o.path("slots-total").asInt(),
                    o.path("slots-available").asInt(), o.path("jobs-running").asInt(), o.path("flink-version").asText()));
        } catch (UncheckedIOException | IllegalStateException e) {
            return Optional.empty();
        }
    }

    /** Uploads a job jar; returns its id on this JobManager. */
    public String uploadJar(Path jar) {
        String boundary = "alphaflow-" + UUID.randomUUID();
        try {
            byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                    + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8);
            byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
            HttpRequest request = HttpRequest.newBuilder(base.resolve("jars/upload")).timeout(REQUEST_TIMEOUT)
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head),
                            HttpRequest.BodyPublishers.ofFile(jar), HttpRequest.BodyPublishers.ofByteArray(tail)))
                    .build();
            JsonNode reply = send(request);
            String file = reply.path("filename").asText();
            if (file.isEmpty()) {
                throw new IllegalStateException("jar upload to " + base + " failed: " + reply);
            }
            return Path.of(file).getFileName().toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + jar, e);
        }
    }

    /** The id of an uploaded jar named {@code fileName}, uploaded at or after {@code notBeforeMillis}, if any. */
    public Optional<String> uploadedJar(String fileName, long notBeforeMillis) {
        for (JsonNode jar : get("jars").path("files")) {
            if (jar.path("name").asText().equals(fileName) && jar.path("uploaded").asLong() >= notBeforeMillis) {
                return Optional.of(jar.path("id").asText());
            }
        }
        return Optional.empty();
    }

    /** Runs an uploaded jar's main class; returns the job id. */
    public String runJar(String jarId, RunRequest run) {
        ObjectNode body = JSON.createObjectNode();
        body.put("entryClass", run.entryClass);
        body.putPOJO("programArgsList", run.programArgs);
        if (run.parallelism > 0) {
            body.put("parallelism", run.parallelism);
        }
        if (run.savepointPath != null) {
            body.put("savepointPath", run.savepointPath);
            body.put("allowNonRestoredState", false);
        }
        JsonNode reply = post("jars/" + jarId + "/run", body);
        String jobId = reply.path("jobid").asText();
        if (jobId.isEmpty()) {
            throw new IllegalStateException("the JobManager did not start the job: " + reply);
        }
        return jobId;
    }

    /** All jobs: id → state ({@code RUNNING}, {@code FINISHED}, ...). */
    public Map<String, String> jobs() {
        Map<String, String> jobs = new LinkedHashMap<>();
        for (JsonNode j : get("jobs").path("jobs")) {
            jobs.put(j.path("id").asText(), j.path("status").asText());
        }
        return jobs;
    }

    /** A job's state: {@code CREATED}, {@code RUNNING}, {@code RESTARTING}, {@code FINISHED}, ... */
    public String jobState(String jobId) {
        // /status, not the job's details: those are built from a copy of the whole execution graph (and vertex
        // metrics fetched from the TaskManagers), which costs the JobManager CPU on every poll of a running job
        return get("jobs/" + jobId + "/status").path("status").asText();
    }

    /** A job's name and, per state, how many of its tasks are in it. */
    public JsonNode jobDetails(String jobId) {
        return get("jobs/" + jobId);
    }

    /** Checkpoint counts and the latest completed checkpoint of a job. */
    public Checkpoints checkpoints(String jobId) {
        JsonNode c = get("jobs/" + jobId + "/checkpoints");
        JsonNode counts = c.path("counts");
        JsonNode latest = c.path("latest").path("completed");
        JsonNode restored = c.path("latest").path("restored");
        return new Checkpoints(counts.path("completed").asInt(), counts.path("in_progress").asInt(),
                counts.path("failed").asInt(), latest.isMissingNode() || latest.isNull() ? -1 : latest.path("id").asLong(),
                latest.path("end_to_end_duration").asLong(-1), latest.path("state_size").asLong(-1),
                restored.isMissingNode() || restored.isNull() ? -1 : restored.path("restore_timestamp").asLong(-1));
    }

    /** Triggers a checkpoint now (besides the periodic ones); returns the trigger id. */
    public String triggerCheckpoint(String jobId) {
        return post("jobs/" + jobId + "/checkpoints", JSON.createObjectNode()).path("request-id").asText();
    }

    /**
     * Waits for the checkpoint that {@link #triggerCheckpoint} started ({@code triggerId}) and returns its statistics;
     * fails if it failed or is not done in {@code timeout}.
     */
    public CheckpointDetails awaitTriggeredCheckpoint(String jobId, String triggerId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = get("jobs/" + jobId + "/checkpoints/" + triggerId);
            if ("COMPLETED".equals(status.path("status").path("id").asText())) {
                JsonNode op = status.path("operation");
                if (op.has("failure-cause")) {
                    throw new IllegalStateException("checkpoint of job " + jobId + " failed: "
                            + op.path("failure-cause").path("stack-trace").asText().lines().findFirst().orElse(""));
                }
                long id = op.path("checkpointId").asLong(-1);
                // The trigger reports completion before the statistics show it (the REST handlers serve a cached
                // execution graph: 404 until the cache is refreshed); wait for them too.
                while (System.nanoTime() < deadline) {
                    try {
                        CheckpointDetails details = checkpointDetails(jobId, id);
                        if ("COMPLETED".equals(details.status())) {
                            return details;
                        }
                    } catch (IllegalStateException notYet) {
                        // not in the cached statistics yet
                    }
                    sleep(100);
                }
            }
            sleep(50);
        }
        throw new IllegalStateException("checkpoint " + triggerId + " of job " + jobId + " not done in " + timeout);
    }

    /** One checkpoint's statistics ({@code GET /jobs/:id/checkpoints/details/:checkpointId}). */
    public CheckpointDetails checkpointDetails(String jobId, long checkpointId) {
        JsonNode c = get("jobs/" + jobId + "/checkpoints/details/" + checkpointId);
        return new CheckpointDetails(c.path("id").asLong(-1), c.path("status").asText(),
                c.path("end_to_end_duration").asLong(-1), c.path("state_size").asLong(-1),
                c.path("external_path").asText(""));
    }

    /**
     * Stops a job with a savepoint in {@code targetDirectory} (exactly-once sinks commit their last transaction) and
     * returns the savepoint's path once it is complete.
     */
    public String stopWithSavepoint(String jobId, String targetDirectory, Duration timeout) {
        ObjectNode body = JSON.createObjectNode();
        body.put("targetDirectory", targetDirectory);
        body.put("drain", false);
        String trigger = post("jobs/" + jobId + "/stop", body).path("request-id").asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = get("jobs/" + jobId + "/savepoints/" + trigger);
            if ("COMPLETED".equals(status.path("status").path("id").asText())) {
                JsonNode op = status.path("operation");
                if (op.has("failure-cause")) {
                    throw new IllegalStateException("stop-with-savepoint of job " + jobId + " failed: "
                            + op.path("failure-cause").path("stack-trace").asText().lines().findFirst().orElse(""));
                }
                return op.path("location").asText();
            }
            sleep(200);
        }
        throw new IllegalStateException("stop-with-savepoint of job " + jobId + " not done in " + timeout);
    }

    /** Cancels a job (no savepoint). */
    public void cancel(String jobId) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("jobs/" + jobId + "?mode=cancel"))
                .timeout(REQUEST_TIMEOUT).method("PATCH", HttpRequest.BodyPublishers.noBody()).build();
        send(request);
    }

    /** Waits until the job is in one of {@code states}; fails when it ends in another terminal state first. */
    public String awaitJobState(String jobId, Duration timeout, String... states) {
        List<String> wanted = List.of(states);
        long deadline = System.nanoTime() + timeout.toNanos();
        String state = "";
        while (System.nanoTime() < deadline) {
            state = jobState(jobId);
            if (wanted.contains(state)) {
                return state;
            }
            if (List.of("FAILED", "CANCELED", "FINISHED").contains(state)) {
                throw new IllegalStateException("job " + jobId + " ended " + state + " while waiting for " + wanted
                        + exceptions(jobId));
            }
            sleep(200);
        }
        throw new IllegalStateException("job " + jobId + " still " + state + " after " + timeout + ", not " + wanted);
    }

    /** Waits until every task of the job runs (a RUNNING job may still be deploying its tasks). */
    public void awaitAllTasksRunning(String jobId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode job = jobDetails(jobId);
            if ("RUNNING".equals(job.path("state").asText())) {
                boolean all = true;
                for (JsonNode vertex : job.path("vertices")) {
                    all &= "RUNNING".equals(vertex.path("status").asText());
                }
                if (all && job.path("vertices").size() > 0) {
                    return;
                }
            }
            sleep(200);
        }
        throw new IllegalStateException("the tasks of job " + jobId + " are not all running after " + timeout);
    }

    // The first lines of the job's root exception, for failure messages.
    private String exceptions(String jobId) {
        try {
            String root = get("jobs/" + jobId + "/exceptions").path("root-exception").asText("");
            return root.isEmpty() ? "" : ": " + root.lines().limit(3).reduce((a, b) -> a + " / " + b).orElse("");
        } catch (RuntimeException e) {
            return "";
        }
    }

    private JsonNode get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(REQUEST_TIMEOUT).GET().build());
    }

    private JsonNode post(String path, JsonNode body) {
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
    }

    private JsonNode send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode body = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
            if (response.statusCode() >= 300) {
                List<String> errors = new ArrayList<>();
                body.path("errors").forEach(e -> errors.add(summary(e.asText())));
                throw new IllegalStateException(request.method() + " " + request.uri().getPath() + ": HTTP "
                        + response.statusCode() + " " + (errors.isEmpty() ? body : String.join("; ", errors)));
            }
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException("the Flink JobManager at " + base + " does not answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling " + request.uri(), e);
        }
    }

    // An error is a stack trace as text: its first line and its root cause are what a user needs.
    private static String summary(String error) {
        List<String> lines = error.lines().toList();
        String first = lines.isEmpty() ? "" : lines.get(0);
        String root = lines.stream().filter(l -> l.startsWith("Caused by: ")).reduce((a, b) -> b).orElse(null);
        return root == null ? first : first + " (" + root.substring("Caused by: ".length()) + ")";
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** What {@code GET /overview} says. */
    public record Overview(int taskManagers, int slotsTotal, int slotsAvailable, int jobsRunning, String flinkVersion) {}

    /** What {@code GET /jobs/:id/checkpoints} says; -1 where there is none yet. */
    public record Checkpoints(int completed, int inProgress, int failed, long latestCompletedId,
            long latestDurationMs, long latestStateBytes, long restoreTimestamp) {}

    /** One checkpoint: {@code status} is {@code IN_PROGRESS}, {@code COMPLETED} or {@code FAILED}; -1 or "" if unknown. */
    public record CheckpointDetails(long id, String status, long endToEndDurationMs, long stateBytes,
            String externalPath) {}

    /** The body of {@code POST /jars/:id/run}. */
    public static final class RunRequest {
        private final String entryClass;
        private final List<String> programArgs;
        private int parallelism;
        private String savepointPath;

        private RunRequest(String entryClass, List<String> programArgs) {
            this.entryClass = entryClass;
            this.programArgs = List.copyOf(programArgs);
        }

        public static RunRequest of(String entryClass, List<String> programArgs) {
            return new RunRequest(entryClass, programArgs);
        }

        /** Job parallelism (0: the cluster's {@code parallelism.default}). */
        public RunRequest parallelism(int parallelism) {
            this.parallelism = parallelism;
            return this;
        }

        /** Resume from this savepoint (or retained checkpoint); all its state must map to the job. */
        public RunRequest fromSavepoint(String savepointPath) {
            this.savepointPath = savepointPath;
            return this;
        }
    }
}
