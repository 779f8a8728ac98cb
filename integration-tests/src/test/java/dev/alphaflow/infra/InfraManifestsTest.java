package dev.alphaflow.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import dev.alphaflow.jobs.CommonOptions;
import dev.alphaflow.jobs.FlinkArguments;
import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.jobs.PrometheusOptions;
import dev.alphaflow.jobs.cli.FlinkEntryPoint;

/**
 * The deploy manifests in {@code infra/} against the code, since nothing here can run them (no container engine):
 * every YAML file parses; every {@code alphaflow.*} option they set is an option of the code (found by reflection over
 * the shaded jar's classes) and every job's arguments make a valid job; entry classes are in the jar; topics are the
 * defaults with room for the largest record; the image puts the jar where the deployments look for it and mounts the
 * models instead of copying them.
 */
class InfraManifestsTest {
    private static final Path INFRA = Path.of(System.getProperty("alphaflow.infra.dir", "../infra"));
    private static final Path JAR = Path.of(System.getProperty("alphaflow.jar", "../jobs/target/alphaflow.jar"));
    private static final Pattern OPTION_IN_TEXT = Pattern.compile("\\b(alphaflow\\.[a-z0-9.-]+)=");
    private static final String IMAGE = "alphaflow:0.1.0";
    private static final String JAR_IN_IMAGE = "/opt/flink/usrlib/alphaflow.jar";
    private static final Set<String> DEFAULT_TOPICS = Set.of(KafkaDefaults.FRAMES_TOPIC, KafkaDefaults.MATTES_TOPIC,
            KafkaDefaults.SEGMENTS_TOPIC, KafkaDefaults.INSTANCES_TOPIC, KafkaDefaults.FLOW_TOPIC,
            KafkaDefaults.DLQ_TOPIC);

    /** Every YAML document under infra/, by file. */
    private static final Map<Path, List<Map<String, Object>>> MANIFESTS = new TreeMap<>();

    @BeforeAll
    static void parseEveryManifest() throws IOException {
        try (Stream<Path> files = Files.walk(INFRA)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .toList()) {
                List<Map<String, Object>> docs = new ArrayList<>();
                try (Reader in = Files.newBufferedReader(file)) {
                    for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(in)) {
                        assertThat(doc).as("a YAML document of " + file).isInstanceOf(Map.class);
                        docs.add(map(doc));
                    }
                }
                MANIFESTS.put(file, docs);
            }
        }
        assertThat(MANIFESTS.keySet()).extracting(p -> INFRA.relativize(p).toString())
                .contains("k8s/kafka-topics.yaml", "k8s/flinkdeployment-matting.yaml",
                        "k8s/flinkdeployment-segmentation.yaml", "k8s/flinkdeployment-instances.yaml",
                        "k8s/flinkdeployment-flow.yaml",
                        "compose/compose.yaml");
    }

    @Test
    void everyAlphaflowOptionInTheManifestsExists() throws Exception {
        Set<String> known = optionKeysInTheJar();
        assertThat(known).as("options found by reflection").contains(CommonOptions.BOOTSTRAP_SERVERS.key(),
                PrometheusOptions.PORT.key(), "alphaflow.matting.batch-size", "alphaflow.vos.bank-budget");
        Set<String> used = new TreeSet<>();
        MANIFESTS.values().forEach(docs -> docs.forEach(doc -> collectOptions(doc, used)));
        assertThat(used).as("alphaflow options set in infra/").isNotEmpty();
        for (String key : used) {
            assertThat(known.contains(key) || key.startsWith(CommonOptions.KAFKA_PROPERTIES_PREFIX))
                    .as("'%s' (infra/) is an option of the code; known: %s", key, known).isTrue();
        }
    }

    @Test
    void everyFlinkDeploymentRunsAJobOfTheJarInApplicationMode() throws IOException {
        List<Map<String, Object>> deployments = documentsOfKind("FlinkDeployment");
        assertThat(deployments).hasSize(4);
        Set<String> jobs = new TreeSet<>();
        for (Map<String, Object> deployment : deployments) {
            Map<String, Object> spec = map(deployment.get("spec"));
            Map<String, Object> job = map(spec.get("job"));
            assertThat(spec.get("image")).isEqualTo(IMAGE);
            assertThat(job.get("jarURI")).isEqualTo("local://" + JAR_IN_IMAGE);
            assertThat(job.get("upgradeMode")).isEqualTo("savepoint");
            assertThat(classInJar((String) job.get("entryClass"))).isTrue();

            Map<String, Object> flink = map(spec.get("flinkConfiguration"));
            assertThat(String.valueOf(flink.get("execution.checkpointing.dir"))).startsWith("s3://");
            assertThat(String.valueOf(flink.get("execution.checkpointing.savepoint-dir"))).startsWith("s3://");
            assertThat(flink).containsKey("restart-strategy.type")
                    .containsEntry(PrometheusOptions.FACTORY_CLASS_KEY, PrometheusOptions.FACTORY_CLASS)
                    .containsKey(PrometheusOptions.PORT_KEY);
            assertThat(map(spec.get("taskManager"))).containsKey("resource");
            assertThat(map(spec.get("jobManager"))).containsKey("resource");

            List<String> args = strings(job.get("args"));
            String name = checkJobArguments(args);
            jobs.add(name);
            if (!name.equals("flow")) { // the flow job (OpenCV DIS) reads no model files
                String modelDir = optionValue(args, CommonOptions.MODEL_DIR.key());
                assertThat(mountPaths(spec)).as("the model folder is a mounted volume").contains(modelDir);
            }
        }
        assertThat(jobs).containsExactlyInAnyOrder("matting", "segment", "instances", "flow");
    }

    @Test
    void theComposeFileRunsTheJarWithTheTopicsAndBrokerLimits() throws IOException {
        Map<String, Object> compose = MANIFESTS.get(INFRA.resolve("compose/compose.yaml")).get(0);
        Map<String, Object> services = map(compose.get("services"));
        Map<String, Object> jobmanager = map(services.get("jobmanager"));
        List<String> command = strings(jobmanager.get("command"));
        assertThat(map(services.get("taskmanager")).get("image")).isEqualTo(IMAGE);
        assertThat(jobmanager.get("image")).isEqualTo(IMAGE);
        assertThat(command.get(0)).isEqualTo("standalone-job");
        int classAt = command.indexOf("--job-classname");
        assertThat(classInJar(command.get(classAt + 1))).isTrue();
        checkJobArguments(command.subList(classAt + 2, command.size()));
        assertThat(strings(jobmanager.get("volumes"))).anyMatch(v -> v.endsWith(":/models:ro"));

        Map<String, Object> brokerEnv = map(map(services.get("kafka")).get("environment"));
        assertThat(Long.parseLong(String.valueOf(brokerEnv.get("KAFKA_MESSAGE_MAX_BYTES"))))
                .isGreaterThanOrEqualTo(KafkaDefaults.MAX_RECORD_BYTES);
        assertThat(Long.parseLong(String.valueOf(brokerEnv.get("KAFKA_REPLICA_FETCH_MAX_BYTES"))))
                .isGreaterThanOrEqualTo(KafkaDefaults.MAX_RECORD_BYTES);
        String topicScript = String.join("\n", strings(map(services.get("topics")).get("command")));
        for (String topic : DEFAULT_TOPICS) {
            assertThat(topicScript).contains(" " + topic);
        }
        Matcher size = Pattern.compile("max\\.message\\.bytes=(\\d+)").matcher(topicScript);
        assertThat(size.find()).as("the topics get max.message.bytes").isTrue();
        assertThat(Long.parseLong(size.group(1))).isGreaterThanOrEqualTo(KafkaDefaults.MAX_RECORD_BYTES);
        String properties = String.valueOf(map(jobmanager.get("environment")).get("FLINK_PROPERTIES"));
        assertThat(properties).contains(PrometheusOptions.FACTORY_CLASS_KEY + ": " + PrometheusOptions.FACTORY_CLASS);
    }

    @Test
    void theTopicsAreTheDefaultsWithRoomForTheLargestRecord() {
        List<Map<String, Object>> topics = documentsOfKind("KafkaTopic");
        Set<String> names = new TreeSet<>();
        for (Map<String, Object> topic : topics) {
            Map<String, Object> spec = map(topic.get("spec"));
            names.add((String) spec.get("topicName"));
            assertThat((Integer) spec.get("partitions")).isPositive();
            Object maxBytes = map(spec.get("config")).get("max.message.bytes");
            assertThat(Long.parseLong(String.valueOf(maxBytes))).as("max.message.bytes of " + spec.get("topicName"))
                    .isGreaterThanOrEqualTo(KafkaDefaults.MAX_RECORD_BYTES);
        }
        assertThat(names).isEqualTo(DEFAULT_TOPICS);
    }

    @Test
    void theImageHoldsTheJarWhereTheDeploymentsLookAndNoModels() throws IOException {
        String dockerfile = Files.readString(INFRA.resolve("docker/Dockerfile"));
        Matcher from = Pattern.compile("(?m)^FROM\\s+(\\S+)").matcher(dockerfile);
        assertThat(from.find()).isTrue();
        assertThat(from.group(1)).as("the official Flink 2.2 image").startsWith("flink:2.2");
        Matcher copy = Pattern.compile("(?m)^COPY\\s+(?:--\\S+\\s+)*(\\S+)\\s+(\\S+)\\s*$").matcher(dockerfile);
        List<String[]> copies = new ArrayList<>();
        while (copy.find()) {
            copies.add(new String[] {copy.group(1), copy.group(2)});
        }
        assertThat(copies).as("the image copies only the jar").hasSize(1);
        Path built = Path.of("jobs/target").resolve(JAR.getFileName());
        assertThat(copies.get(0)[0]).as("the jar the build makes").isEqualTo(built.toString());
        assertThat(copies.get(0)[1]).isEqualTo(JAR_IN_IMAGE);
        String instructions = dockerfile.lines().filter(l -> !l.strip().startsWith("#"))
                .reduce("", (x, y) -> x + y + "\n");
        assertThat(instructions).as("no model file in the image").doesNotContain(".onnx")
                .containsPattern("(?m)^VOLUME\\s+/models");
    }

    /** Makes the job {@code args} describe (options checked as at submission); returns its {@code --job}. */
    private static String checkJobArguments(List<String> args) {
        int at = args.indexOf("--job");
        assertThat(at).as("--job in " + args).isNotNegative();
        String job = args.get(at + 1);
        List<String> options = new ArrayList<>(args);
        options.remove(at + 1);
        options.remove(at);
        // The same parsing and checks as FlinkEntryPoint.main before it submits (model files are checked on start).
        FlinkEntryPoint.job(job, FlinkArguments.parse(options));
        for (String topicKey : List.of("alphaflow.topics.frames", "alphaflow.topics.mattes", "alphaflow.topics.segments",
                "alphaflow.topics.instances", "alphaflow.topics.flow", "alphaflow.topics.dlq")) {
            String topic = optionValue(args, topicKey);
            if (topic != null) {
                assertThat(DEFAULT_TOPICS).as(topicKey + " in " + args).contains(topic);
            }
        }
        return job;
    }

    private static String optionValue(List<String> args, String key) {
        return args.stream().filter(a -> a.startsWith(key + "=")).map(a -> a.substring(key.length() + 1))
                .findFirst().orElse(null);
    }

    private static Set<String> mountPaths(Map<String, Object> spec) {
        Set<String> paths = new TreeSet<>();
        for (Object container : (List<?>) map(map(spec.get("podTemplate")).get("spec")).get("containers")) {
            for (Object mount : (List<?>) map(container).getOrDefault("volumeMounts", List.of())) {
                paths.add((String) map(mount).get("mountPath"));
            }
        }
        return paths;
    }

    /** Map keys named alphaflow.* and {@code alphaflow.*=} in any string, anywhere in the document. */
    private static void collectOptions(Object node, Set<String> out) {
        if (node instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                if (String.valueOf(k).startsWith("alphaflow.")) {
                    out.add(String.valueOf(k));
                }
                collectOptions(v, out);
            });
        } else if (node instanceof List<?> l) {
            l.forEach(v -> collectOptions(v, out));
        } else if (node instanceof String s) {
            Matcher m = OPTION_IN_TEXT.matcher(s);
            while (m.find()) {
                out.add(m.group(1));
            }
        }
    }

    /** The keys of every static ConfigOption field of every dev.alphaflow class in the shaded jar. */
    private static Set<String> optionKeysInTheJar() throws IOException, ReflectiveOperationException {
        Set<String> keys = new TreeSet<>();
        try (JarFile jar = new JarFile(JAR.toFile())) {
            for (String entry : Collections.list(jar.entries()).stream().map(e -> e.getName())
                    .filter(n -> n.startsWith("dev/alphaflow/") && n.endsWith(".class")).toList()) {
                String name = entry.substring(0, entry.length() - ".class".length()).replace('/', '.');
                Class<?> type = Class.forName(name, false, InfraManifestsTest.class.getClassLoader());
                for (Field field : type.getDeclaredFields()) {
                    if (Modifier.isStatic(field.getModifiers()) && ConfigOption.class.isAssignableFrom(field.getType())) {
                        field.setAccessible(true);
                        keys.add(((ConfigOption<?>) field.get(null)).key());
                    }
                }
            }
        }
        return keys;
    }

    private static boolean classInJar(String className) throws IOException {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            return jar.getEntry(className.replace('.', '/') + ".class") != null;
        }
    }

    private static List<Map<String, Object>> documentsOfKind(String kind) {
        return MANIFESTS.values().stream().flatMap(List::stream).filter(d -> kind.equals(d.get("kind"))).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    private static List<String> strings(Object o) {
        assertThat(o).isInstanceOf(List.class);
        return ((List<?>) o).stream().map(String::valueOf).toList();
    }
}
