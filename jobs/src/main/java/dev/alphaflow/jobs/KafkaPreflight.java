package dev.alphaflow.jobs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Checks, before a job or tool starts, that Kafka answers and that its topics exist: within a bounded time (default
 * {@link #DEFAULT_TIMEOUT}), without the client's per-attempt connection warnings, and with a message that names
 * the servers and the flag that fixes them. Without it a missing broker shows up as a minute of "not present in
 * metadata" or a thousand connection warnings.
 *
 * <p>On a secured cluster it also checks the client's access before anything is read or written: a refused login
 * names {@code sasl.jaas.config} and the flags that set it; missing ACLs (READ on inputs and the consumer group, WRITE
 * on outputs, transactional ids) fail with {@link KafkaAccessDeniedException}, naming each ACL as
 * {@code kafka-acls.sh} options.
 *
 * <pre>{@code
 * KafkaPreflight.Result kafka = KafkaPreflight.forServers(options.bootstrapServers())
 *         .withClientProperties(options.kafkaProperties())   // security.protocol, sasl.*, ...
 *         .withConsumerGroup("alphaflow-matting")               // READ on the group
 *         .withTransactionalIdPrefix("alphaflow-matting")       // exactly-once sinks
 *         .check(List.of(framesTopic), List.of(mattesTopic, dlqTopic));
 * kafka.partitions(framesTopic); // 4
 * }</pre>
 */
public final class KafkaPreflight {

    /** How long the check may take unless told otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** How long the checks after the first answer (topics, ACLs, settings) may take together, at least. */
    static final Duration ANSWERED_STEPS_TIMEOUT = Duration.ofSeconds(30);

    /** What a user changes to point at another cluster; part of every failure message. */
    public static final String DEFAULT_FIX =
            "--bootstrap-servers HOST:PORT (or -D alphaflow.kafka.bootstrap-servers=HOST:PORT)";

    /** What a user changes to log in as someone else; part of every message about credentials and ACLs. */
    public static final String CREDENTIALS_FIX = "--kafka-config FILE or --kafka-property sasl.jaas.config=... "
            + "(-D alphaflow.kafka.properties.sasl.jaas.config=... for flink run)";

    private static final Pattern JAAS_USER = Pattern.compile("username\\s*=\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([^\\s;]+))");

    private final String bootstrapServers;
    private final Map<String, Object> clientProperties;
    private final Duration timeout;
    private final String fix;
    private final String consumerGroup;
    private final String transactionalIdPrefix;
    private final Set<String> readBack;

    private KafkaPreflight(String bootstrapServers, Map<String, Object> clientProperties, Duration timeout, String fix,
            String consumerGroup, String transactionalIdPrefix) {
        this(bootstrapServers, clientProperties, timeout, fix, consumerGroup, transactionalIdPrefix, Set.of());
    }

    private KafkaPreflight(String bootstrapServers, Map<String, Object> clientProperties, Duration timeout, String fix,
            String consumerGroup, String transactionalIdPrefix, Set<String> readBack) {
        this.readBack = readBack;
        this.bootstrapServers = bootstrapServers;
        this.clientProperties = clientProperties;
        this.timeout = timeout;
        this.fix = fix;
        this.consumerGroup = consumerGroup;
        this.transactionalIdPrefix = transactionalIdPrefix;
    }

    /** A check of the cluster at {@code bootstrapServers} ({@code host:port[,host:port...]}). */
    public static KafkaPreflight forServers(String bootstrapServers) {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        if (bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("no Kafka bootstrap servers given; set " + DEFAULT_FIX);
        }
        return new KafkaPreflight(bootstrapServers.trim(), Map.of(), DEFAULT_TIMEOUT, DEFAULT_FIX, null, null);
    }

    /**
     * Client settings the jobs pass to every Kafka client (e.g. {@code security.protocol}, {@code sasl.*},
     * {@code ssl.*}); the check connects with them, so a wrong setting fails here too. {@code bootstrap.servers}
     * among them is ignored.
     */
    public KafkaPreflight withClientProperties(Map<String, ?> properties) {
        Map<String, Object> copy = new LinkedHashMap<>(Objects.requireNonNull(properties, "properties"));
        copy.remove(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        return new KafkaPreflight(bootstrapServers, Map.copyOf(copy), timeout, fix, consumerGroup,
                transactionalIdPrefix, readBack);
    }

    /** The longest the whole check may take (default {@link #DEFAULT_TIMEOUT}); must be positive. */
    public KafkaPreflight withTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        return new KafkaPreflight(bootstrapServers, clientProperties, timeout, fix, consumerGroup,
                transactionalIdPrefix, readBack);
    }

    /** The flag(s) named in failure messages (default {@link #DEFAULT_FIX}), e.g. for a tool with other options. */
    public KafkaPreflight withFix(String fix) {
        return new KafkaPreflight(bootstrapServers, clientProperties, timeout, Objects.requireNonNull(fix, "fix"),
                consumerGroup, transactionalIdPrefix, readBack);
    }

    /** Also checks that the client may READ (join and commit to) the consumer group {@code group}. */
    public KafkaPreflight withConsumerGroup(String group) {
        return new KafkaPreflight(bootstrapServers, clientProperties, timeout, fix,
                Objects.requireNonNull(group, "group"), transactionalIdPrefix, readBack);
    }

    /**
     * Also checks that the client may READ these output topics: a command that counts what it wrote (progress, the
     * summary) reads its outputs back.
     */
    public KafkaPreflight withReadBack(Collection<String> outputTopics) {
        return new KafkaPreflight(bootstrapServers, clientProperties, timeout, fix, consumerGroup,
                transactionalIdPrefix, Set.copyOf(outputTopics));
    }

    /**
     * Also checks that the client may use transactional ids starting with {@code prefix} (exactly-once sinks). Kafka
     * answers only whether it may DESCRIBE such an id, which WRITE implies; a principal granted DESCRIBE alone passes
     * here and fails when its first transaction starts.
     */
    public KafkaPreflight withTransactionalIdPrefix(String prefix) {
        return new KafkaPreflight(bootstrapServers, clientProperties, timeout, fix, consumerGroup,
                Objects.requireNonNull(prefix, "prefix"), readBack);
    }

    /** Checks that the cluster answers; no topics. */
    public Result check() {
        return check(List.of(), List.of());
    }

    /**
     * Checks that the cluster answers, that every input topic exists, and that every output topic exists or will
     * be created by the broker on first write ({@code auto.create.topics.enable}). Throws
     * {@link KafkaUnavailableException} otherwise, naming the servers, the missing topics and what to do.
     */
    public Result check(Collection<String> inputTopics, Collection<String> outputTopics) {
        Set<String> inputs = new LinkedHashSet<>(inputTopics);
        Set<String> outputs = new LinkedHashSet<>(outputTopics);
        outputs.removeAll(inputs);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (QuietClientLogs quiet = QuietClientLogs.networkClient()) {
            Admin admin;
            try {
                admin = Admin.create(adminProperties());
            } catch (RuntimeException e) { // e.g. no resolvable bootstrap address, a bad client setting
                throw new KafkaUnavailableException("cannot connect to Kafka at " + bootstrapServers + ": "
                        + e.getMessage() + settingsNote() + ". Set " + fix + ".", e);
            }
            try {
                return check(admin, inputs, outputs, deadline);
            } finally {
                admin.close(Duration.ZERO);
            }
        }
    }

    private Result check(Admin admin, Set<String> inputs, Set<String> outputs, long reachDeadline) {
        DescribeClusterResult cluster = admin.describeCluster();
        Collection<Node> nodes = await(cluster.nodes(), reachDeadline, "did not answer");
        String clusterId = await(cluster.clusterId(), reachDeadline, "did not answer");
        // A broker that answered is there: a busy one (a small machine running a whole cluster) gets longer for
        // the remaining steps than an unreachable one gets to answer at all.
        long deadline = System.nanoTime() + Math.max(timeout.toNanos(), ANSWERED_STEPS_TIMEOUT.toNanos());

        Set<String> all = new LinkedHashSet<>(inputs);
        all.addAll(outputs);
        Map<String, Integer> partitions = new LinkedHashMap<>();
        Set<String> missing = new TreeSet<>();
        List<Grant> denied = new ArrayList<>();
        Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(all,
                new DescribeTopicsOptions().includeAuthorizedOperations(true)).topicNameValues();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> topic : described.entrySet()) {
            String name = topic.getKey();
            List<Grant> needed = new ArrayList<>();
            if (inputs.contains(name)) {
                needed.add(new Grant(AclOperation.READ, ResourceType.TOPIC, name, PatternType.LITERAL,
                        "read by this command"));
            } else {
                needed.add(new Grant(AclOperation.WRITE, ResourceType.TOPIC, name, PatternType.LITERAL,
                        "written by this command"));
                if (readBack.contains(name)) {
                    needed.add(new Grant(AclOperation.READ, ResourceType.TOPIC, name, PatternType.LITERAL,
                            "read back to count what was written"));
                }
            }
            try {
                TopicDescription description = await(topic.getValue(), deadline, "did not describe topic " + name);
                partitions.put(name, description.partitions().size());
                needed.stream().filter(g -> !allows(description.authorizedOperations(), g.operation()))
                        .forEach(denied::add);
            } catch (KafkaUnavailableException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    missing.add(name);
                } else if (e.getCause() instanceof TopicAuthorizationException) {
                    denied.addAll(needed); // not even DESCRIBE, which READ and WRITE both imply
                } else {
                    throw e;
                }
            }
        }
        if (consumerGroup != null) {
            checkGroup(admin, deadline).ifPresent(denied::add);
        }
        if (transactionalIdPrefix != null) {
            checkTransactionalIds(admin, deadline).ifPresent(denied::add);
        }
        if (!denied.isEmpty()) {
            throw new KafkaAccessDeniedException(accessDeniedMessage(denied), denied);
        }
        Set<String> missingInputs = new TreeSet<>(missing);
        missingInputs.retainAll(inputs);
        Set<String> missingOutputs = new TreeSet<>(missing);
        missingOutputs.retainAll(outputs);
        if (!missingOutputs.isEmpty() && autoCreatesTopics(admin, nodes, deadline)) {
            missingOutputs.clear(); // the sink's first write creates them
        }
        if (!missingInputs.isEmpty() || !missingOutputs.isEmpty()) {
            Set<String> names = new TreeSet<>(missingInputs);
            names.addAll(missingOutputs);
            throw new KafkaUnavailableException((names.size() == 1 ? "topic " : "topics ") + String.join(", ", names)
                    + (names.size() == 1 ? " does" : " do") + " not exist on Kafka at " + bootstrapServers
                    + (missingInputs.isEmpty() ? "" : " (input: " + String.join(", ", missingInputs) + ")")
                    + ". Create " + (names.size() == 1 ? "it" : "them") + ": `alphaflow kafka` runs a local broker"
                    + " with the standard topics; on another cluster use kafka-topics.sh --create (or enable"
                    + " auto.create.topics.enable on the broker for outputs); or name other topics with the --*-topic"
                    + " options, or another cluster with " + fix + ".", null);
        }
        return new Result(bootstrapServers, clusterId, nodes.size(), partitions);
    }

    // READ on the group; a group that does not exist yet shows its authorized operations all the same.
    private Optional<Grant> checkGroup(Admin admin, long deadline) {
        Grant needed = new Grant(AclOperation.READ, ResourceType.GROUP, consumerGroup, PatternType.LITERAL,
                "the consumer group");
        try {
            ConsumerGroupDescription group = await(admin.describeConsumerGroups(List.of(consumerGroup),
                    new DescribeConsumerGroupsOptions().includeAuthorizedOperations(true))
                    .describedGroups().get(consumerGroup), deadline, "did not describe group " + consumerGroup);
            return allows(group.authorizedOperations(), AclOperation.READ) ? Optional.empty() : Optional.of(needed);
        } catch (KafkaUnavailableException e) {
            if (e.getCause() instanceof GroupAuthorizationException) {
                return Optional.of(needed);
            }
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return Optional.empty(); // a new group, and the client may describe it: READ cannot be told apart
            }
            throw e;
        }
    }

    // Kafka has no "may I WRITE this transactional id" question: describing one needs DESCRIBE, which WRITE implies.
    private Optional<Grant> checkTransactionalIds(Admin admin, long deadline) {
        String probe = transactionalIdPrefix + "-preflight";
        Grant needed = new Grant(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, transactionalIdPrefix,
                PatternType.PREFIXED, "the exactly-once sinks' transactions");
        try {
            await(admin.describeTransactions(List.of(probe)).description(probe), deadline,
                    "did not describe transactional id " + probe);
            return Optional.empty();
        } catch (KafkaUnavailableException e) {
            if (e.getCause() instanceof TransactionalIdAuthorizationException) {
                return Optional.of(needed);
            }
            if (e.getCause() instanceof TransactionalIdNotFoundException) {
                return Optional.empty();
            }
            throw e;
        }
    }

    // Brokers without an authorizer report every operation; null: the broker did not say (an old broker).
    private static boolean allows(Set<AclOperation> authorized, AclOperation operation) {
        return authorized == null || authorized.contains(operation) || authorized.contains(AclOperation.ALL);
    }

    private String accessDeniedMessage(List<Grant> denied) {
        String principal = principal().map(user -> "User:" + user).orElse("the client's principal");
        StringBuilder s = new StringBuilder("Kafka at ").append(bootstrapServers).append(" does not allow ")
                .append(principal).append(" what this command needs").append(settingsNote())
                .append("; nothing was read or written. Missing ").append(denied.size() == 1 ? "ACL:" : "ACLs:");
        List<String> fileGrants = new ArrayList<>();
        for (Grant g : denied) {
            s.append("\n  ").append(g.operation()).append(" on ").append(g.describe()).append(" (").append(g.why())
                    .append("): kafka-acls.sh --bootstrap-server ").append(bootstrapServers)
                    .append(" --add --allow-principal ").append(principal().map(u -> "User:" + u).orElse("PRINCIPAL"))
                    .append(' ').append(g.kafkaAclsOptions());
            fileGrants.add(g.securityFileGrant());
        }
        s.append("\nGrant ").append(denied.size() == 1 ? "it" : "them").append(" as an administrator (for a broker of ")
                .append("`alphaflow kafka --security FILE`: allow.").append(principal().orElse("NAME")).append('=')
                .append(String.join(", ", fileGrants)).append(" in FILE, then restart it), or connect as another user: ")
                .append(CREDENTIALS_FIX).append('.');
        return s.toString();
    }

    /** The SASL user name in {@code sasl.jaas.config}, if any. */
    Optional<String> principal() {
        Object jaas = clientProperties.get("sasl.jaas.config");
        if (jaas == null) {
            return Optional.empty();
        }
        Matcher m = JAAS_USER.matcher(jaas.toString());
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(m.group(1) != null ? m.group(1).replaceAll("\\\\(.)", "$1") : m.group(2));
    }

    private boolean autoCreatesTopics(Admin admin, Collection<Node> nodes, long deadline) {
        if (nodes.isEmpty()) {
            return false;
        }
        ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER,
                Integer.toString(nodes.iterator().next().id()));
        try {
            Config config = await(admin.describeConfigs(List.of(broker)).values().get(broker), deadline,
                    "did not describe its configuration");
            ConfigEntry entry = config.get("auto.create.topics.enable");
            return entry != null && Boolean.parseBoolean(entry.value());
        } catch (KafkaUnavailableException e) {
            if (e.getCause() instanceof AuthorizationException) {
                return false; // cannot tell: treat the outputs as required
            }
            throw e;
        }
    }

    private <T> T await(KafkaFuture<T> future, long deadline, String failure) {
        long remainingNanos = deadline - System.nanoTime();
        try {
            return future.get(Math.max(0, remainingNanos), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new KafkaUnavailableException("Kafka at " + bootstrapServers + " " + failure + " within "
                    + seconds(failure.equals("did not answer") ? timeout
                            : ANSWERED_STEPS_TIMEOUT.compareTo(timeout) > 0 ? ANSWERED_STEPS_TIMEOUT : timeout)
                    + settingsNote() + ". Start a local broker with `alphaflow kafka`, or set "
                    + fix + ".", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            String what = cause instanceof AuthenticationException
                    ? "refused the login" + principal().map(user -> " of user " + user).orElse("")
                    : cause instanceof AuthorizationException ? "denied access" : failure;
            String hint = cause instanceof AuthenticationException
                    ? " Fix the user name or password (sasl.jaas.config) or the mechanism (sasl.mechanism): "
                            + CREDENTIALS_FIX + "."
                    : cause instanceof AuthorizationException
                    ? " Check the client settings (alphaflow.kafka.properties.*: security.protocol, sasl.*, ssl.*)."
                    : " Set " + fix + ".";
            throw new KafkaUnavailableException("Kafka at " + bootstrapServers + " " + what + ": "
                    + cause.getMessage() + settingsNote() + "." + hint, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException("interrupted while checking Kafka at " + bootstrapServers, e);
        }
    }

    private Map<String, Object> adminProperties() {
        int timeoutMs = (int) Math.max(1, timeout.toMillis());
        Map<String, Object> p = new LinkedHashMap<>(clientProperties);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "alphaflow-preflight");
        int answeredMs = (int) Math.max(timeoutMs, ANSWERED_STEPS_TIMEOUT.toMillis());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, answeredMs);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, answeredMs);
        // A few connection attempts in the window rather than one every 50 ms.
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 500);
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 2000);
        p.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 500);
        p.put(AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 2000);
        p.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 5000));
        p.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, timeoutMs);
        return p;
    }

    // Which non-default client settings were in force (values only where they cannot be secrets).
    private String settingsNote() {
        if (clientProperties.isEmpty()) {
            return "";
        }
        List<String> shown = new ArrayList<>();
        for (Map.Entry<String, Object> e : new java.util.TreeMap<>(clientProperties).entrySet()) {
            boolean safe = e.getKey().equals(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG)
                    || e.getKey().equals("sasl.mechanism");
            shown.add(safe ? e.getKey() + "=" + e.getValue() : e.getKey());
        }
        return " (client settings: " + String.join(", ", shown) + ")";
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** What the check found: the cluster and the partition count of each topic that exists. */
    public record Result(String bootstrapServers, String clusterId, int brokers, Map<String, Integer> topicPartitions) {
        public Result {
            topicPartitions = Map.copyOf(topicPartitions);
        }

        /** Partitions of {@code topic}, or 0 if it does not exist (yet). */
        public int partitions(String topic) {
            return topicPartitions.getOrDefault(topic, 0);
        }
    }

    /** Kafka cannot be used as configured; the message says what to fix. */
    public static class KafkaUnavailableException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        KafkaUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The client logged in, but ACLs deny it what the command needs; {@link #missing()} lists each ACL. */
    public static final class KafkaAccessDeniedException extends KafkaUnavailableException {
        private static final long serialVersionUID = 1L;
        private final List<Grant> missing;

        KafkaAccessDeniedException(String message, List<Grant> missing) {
            super(message, null);
            this.missing = List.copyOf(missing);
        }

        public List<Grant> missing() {
            return missing;
        }
    }

    /**
     * One ACL a command needs: an operation on a resource (literal name, or every name with a prefix) and why.
     */
    public record Grant(AclOperation operation, ResourceType type, String name, PatternType pattern, String why) {

        /** E.g. {@code topic alphaflow.mattes}, {@code transactional ids alphaflow-matting*}. */
        public String describe() {
            String kind = switch (type) {
                case TOPIC -> "topic";
                case GROUP -> "group";
                case TRANSACTIONAL_ID -> "transactional id";
                default -> type.name().toLowerCase(Locale.ROOT);
            };
            return pattern == PatternType.PREFIXED ? kind + "s " + name + "*" : kind + " " + name;
        }

        /** The options of {@code kafka-acls.sh --add} that grant it, e.g. {@code --operation Write --topic t}. */
        public String kafkaAclsOptions() {
            String resource = switch (type) {
                case TOPIC -> "--topic";
                case GROUP -> "--group";
                case TRANSACTIONAL_ID -> "--transactional-id";
                default -> "--" + type.name().toLowerCase(Locale.ROOT);
            };
            String op = operation.name().charAt(0) + operation.name().substring(1).toLowerCase(Locale.ROOT);
            return "--operation " + op + " " + resource + " " + name
                    + (pattern == PatternType.PREFIXED ? " --resource-pattern-type prefixed" : "");
        }

        /** The same grant in an {@code alphaflow kafka --security} file, e.g. {@code write:topic:alphaflow.mattes}. */
        public String securityFileGrant() {
            String kind = type == ResourceType.TRANSACTIONAL_ID ? "transactional-id"
                    : type.name().toLowerCase(Locale.ROOT);
            return operation.name().toLowerCase(Locale.ROOT).replace('_', '-') + ":" + kind + ":" + name
                    + (pattern == PatternType.PREFIXED ? "*" : "");
        }
    }
}
