package dev.alphaflow.jobs.broker;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

import dev.alphaflow.jobs.KafkaDefaults;

/**
 * The {@code server.properties} of one KRaft node that is both broker and controller, sized for the tools' frame
 * records. Immutable; built by {@link #builder}. Shared by {@code alphaflow kafka} and, later, the cluster runs.
 *
 * <pre>{@code
 * KafkaBrokerConfig config = KafkaBrokerConfig.builder(Path.of("alphaflow-state", "kafka")).port(9092).build();
 * config.bootstrapServers();   // "127.0.0.1:9092"
 * config.serverProperties();   // node.id, process.roles, listeners, log.dirs, record limits, ...
 * }</pre>
 *
 * <p>With {@link Builder#security} the client listener takes SASL/SCRAM-SHA-512 logins and every request is checked
 * against ACLs ({@link KafkaSecurity}).
 *
 * <p>Layout of the data folder: {@code logs/} (the Kafka log directory: topics and the metadata log),
 * {@code server.properties} (what the broker last ran with, for reference) and {@code broker.log}.
 */
public final class KafkaBrokerConfig {

    /** Port of the client listener unless told otherwise. */
    public static final int DEFAULT_PORT = 9092;

    /** Address the listeners bind to and advertise unless told otherwise: loopback only. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    /**
     * Broker-side limit on one record batch ({@code message.max.bytes}, {@code max.message.bytes},
     * {@code replica.fetch.max.bytes}): a frame-sized record ({@link KafkaDefaults#MAX_RECORD_BYTES}) plus the batch
     * header, with headroom.
     */
    public static final int MAX_MESSAGE_BYTES = KafkaDefaults.MAX_RECORD_BYTES + 1024 * 1024;

    /** Name of the client listener (no security). */
    public static final String BROKER_LISTENER = "PLAINTEXT";

    /** Name of the client listener with {@link KafkaSecurity}: SASL (SCRAM-SHA-512) without TLS. */
    public static final String SECURED_BROKER_LISTENER = KafkaSecurity.PROTOCOL;

    /** Name of the controller (KRaft quorum) listener. */
    public static final String CONTROLLER_LISTENER = "CONTROLLER";

    private final String host;
    private final int port;
    private final int controllerPort;
    private final int nodeId;
    private final int defaultPartitions;
    private final Path dataDir;
    private final KafkaSecurity security;
    private final Map<String, String> overrides;

    private KafkaBrokerConfig(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.controllerPort = b.controllerPort > 0 ? b.controllerPort : b.port + 1;
        this.nodeId = b.nodeId;
        this.defaultPartitions = b.defaultPartitions;
        this.dataDir = b.dataDir.toAbsolutePath().normalize();
        this.security = b.security;
        this.overrides = Collections.unmodifiableMap(new LinkedHashMap<>(b.overrides));
    }

    /** A builder for a node keeping its data in {@code dataDir} (created when the broker starts). */
    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    /** {@code host:port} of the client listener, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return host + ":" + port;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** Port of the KRaft controller listener ({@link #port()} + 1 unless set). */
    public int controllerPort() {
        return controllerPort;
    }

    public int nodeId() {
        return nodeId;
    }

    /** Partitions of topics created by name ({@code num.partitions}) and of the standard topics. */
    public int defaultPartitions() {
        return defaultPartitions;
    }

    /** Users and ACLs when the broker is secured (SASL/SCRAM-SHA-512 and ACLs); empty: open to everyone. */
    public Optional<KafkaSecurity> security() {
        return Optional.ofNullable(security);
    }

    /** Name of the client listener: {@link #BROKER_LISTENER}, or {@link #SECURED_BROKER_LISTENER} when secured. */
    public String clientListener() {
        return security == null ? BROKER_LISTENER : SECURED_BROKER_LISTENER;
    }

    /**
     * Client properties of an administrator of this broker (beyond {@code bootstrap.servers}): none, or the super
     * user's SCRAM login when secured.
     */
    public Map<String, String> adminClientProperties() {
        return security == null ? Map.of() : security.clientProperties(security.superUser());
    }

    private static final String PLAIN_LOGIN = "org.apache.kafka.common.security.plain.PlainLoginModule";

    /** The data folder (absolute). */
    public Path dataDir() {
        return dataDir;
    }

    /** The Kafka log directory: topics and the metadata log. */
    public Path logDir() {
        return dataDir.resolve("logs");
    }

    /** Where the broker's own log lines go. */
    public Path logFile() {
        return dataDir.resolve("broker.log");
    }

    /** Where {@link #serverProperties()} is written for reference when the broker starts. */
    public Path propertiesFile() {
        return dataDir.resolve("server.properties");
    }

    /** The complete broker configuration, overrides applied last. */
    public Map<String, String> serverProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(nodeId));
        // A static quorum of this one node: its address comes from the configuration on every start, so a restart
        // with another port keeps working (a dynamic quorum would remember the old address in the metadata log).
        p.put("controller.quorum.voters", nodeId + "@" + host + ":" + controllerPort);
        String client = clientListener();
        p.put("listeners", client + "://" + host + ":" + port + "," + CONTROLLER_LISTENER + "://" + host + ":"
                + controllerPort);
        p.put("advertised.listeners", client + "://" + host + ":" + port);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", client);
        if (security == null) {
            p.put("listener.security.protocol.map", client + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        } else {
            putSecurity(p, security);
        }
        p.put("log.dirs", logDir().toString());

        // One node: every internal topic has one replica. Transactions (exactly-once sinks) need the first two.
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        // Few partitions for the internal topics: creating 50 of each costs seconds on a small machine.
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("num.partitions", Integer.toString(defaultPartitions));
        p.put("group.initial.rebalance.delay.ms", "0");

        // Frame-sized records: produce, store, replicate and fetch batches of MAX_MESSAGE_BYTES.
        String maxMessage = Integer.toString(MAX_MESSAGE_BYTES);
        p.put("message.max.bytes", maxMessage);
        p.put("replica.fetch.max.bytes", maxMessage);
        p.put("replica.fetch.response.max.bytes", Integer.toString(4 * MAX_MESSAGE_BYTES));
        p.put("socket.request.max.bytes", Integer.toString(Math.max(100 * 1024 * 1024, 4 * MAX_MESSAGE_BYTES)));

        p.putAll(overrides);
        return Collections.unmodifiableMap(p);
    }

    // SCRAM-SHA-512 on the client listener (users in the metadata log: the super user from the format, the others
    // added when the broker starts); SASL/PLAIN with the super user alone on the controller listener (SCRAM cannot
    // secure it: the credentials live in the metadata the controller serves); ACLs checked by KRaft's authorizer;
    // nobody but the super user may do anything without an ACL.
    private static void putSecurity(Map<String, String> p, KafkaSecurity security) {
        String superUser = security.superUser();
        String password = security.passwords().get(superUser);
        String client = SECURED_BROKER_LISTENER.toLowerCase(Locale.ROOT);
        String controller = CONTROLLER_LISTENER.toLowerCase(Locale.ROOT);
        p.put("listener.security.protocol.map", SECURED_BROKER_LISTENER + ":" + KafkaSecurity.PROTOCOL + ","
                + CONTROLLER_LISTENER + ":" + KafkaSecurity.PROTOCOL);
        p.put("listener.name." + client + ".sasl.enabled.mechanisms", KafkaSecurity.MECHANISM);
        p.put("sasl.mechanism.inter.broker.protocol", KafkaSecurity.MECHANISM);
        p.put("listener.name." + client + "." + KafkaSecurity.MECHANISM.toLowerCase(Locale.ROOT)
                + ".sasl.jaas.config", KafkaSecurity.jaas("org.apache.kafka.common.security.scram.ScramLoginModule",
                        superUser, password));
        p.put("sasl.mechanism.controller.protocol", "PLAIN");
        p.put("listener.name." + controller + ".sasl.enabled.mechanisms", "PLAIN");
        p.put("listener.name." + controller + ".plain.sasl.jaas.config", KafkaSecurity.jaas(PLAIN_LOGIN, superUser,
                password, "user_" + superUser + "=" + KafkaSecurity.quote(password)));
        p.put("authorizer.class.name", KafkaSecurity.AUTHORIZER);
        p.put("super.users", "User:" + superUser);
        p.put("allow.everyone.if.no.acl.found", "false");
    }

    /** {@link #serverProperties()} as {@link Properties}, for {@code KafkaConfig.fromProps}. */
    public Properties toProperties() {
        Properties props = new Properties();
        props.putAll(serverProperties());
        return props;
    }

    /** Topic-level settings for the standard topics: records as large as the broker accepts. */
    public static Map<String, String> topicConfigs() {
        return Map.of("max.message.bytes", Integer.toString(MAX_MESSAGE_BYTES));
    }

    /** Builder with the defaults of {@code alphaflow kafka}; see {@link KafkaBrokerConfig}. */
    public static final class Builder {
        private final Path dataDir;
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private int controllerPort;
        private int nodeId = 1;
        private int defaultPartitions = 2;
        private KafkaSecurity security;
        private final Map<String, String> overrides = new LinkedHashMap<>();

        private Builder(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
        }

        /** Address to bind and advertise (default {@value KafkaBrokerConfig#DEFAULT_HOST}). */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** Client listener port (default {@value KafkaBrokerConfig#DEFAULT_PORT}). */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Controller listener port; a non-positive value means {@code port + 1} (the default). */
        public Builder controllerPort(int controllerPort) {
            this.controllerPort = controllerPort;
            return this;
        }

        /** KRaft node id (default 1); stored in the data folder when it is formatted. */
        public Builder nodeId(int nodeId) {
            this.nodeId = nodeId;
            return this;
        }

        /** Partitions of the standard topics and of auto-created topics (default 2). */
        public Builder defaultPartitions(int partitions) {
            this.defaultPartitions = partitions;
            return this;
        }

        /** Secures the client listener with SASL/SCRAM-SHA-512 and ACLs for these users (default: none, open). */
        public Builder security(KafkaSecurity security) {
            this.security = Objects.requireNonNull(security, "security");
            return this;
        }

        /** Sets (or overrides) one broker configuration entry, e.g. {@code log.retention.hours}. */
        public Builder property(String key, String value) {
            overrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public KafkaBrokerConfig build() {
            checkPort(port, "port");
            int controller = controllerPort > 0 ? controllerPort : port + 1;
            checkPort(controller, "controller port");
            if (controller == port) {
                throw new IllegalArgumentException("the controller port must differ from the client port: " + port);
            }
            if (nodeId < 0) {
                throw new IllegalArgumentException("node id must not be negative: " + nodeId);
            }
            if (defaultPartitions <= 0) {
                throw new IllegalArgumentException("partitions must be positive: " + defaultPartitions);
            }
            if (host.isBlank()) {
                throw new IllegalArgumentException("host must not be blank");
            }
            return new KafkaBrokerConfig(this);
        }

        private static void checkPort(int port, String what) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(what + " must be in 1..65535: " + port);
            }
        }
    }
}
