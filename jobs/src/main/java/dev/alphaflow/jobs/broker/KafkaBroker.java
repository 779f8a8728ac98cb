package dev.alphaflow.jobs.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

import dev.alphaflow.jobs.KafkaDefaults;

/**
 * A Kafka node (KRaft, broker and controller in one) running in this JVM from a {@link KafkaBrokerConfig}: the same
 * server {@code kafka-server-start.sh} runs ({@link KafkaRaftServer}), on a data folder that outlives it. The folder
 * is formatted ({@link Formatter}, as {@code kafka-storage.sh format} does) the first time only, so a restart keeps
 * the topics, records and committed offsets.
 *
 * <pre>{@code
 * try (KafkaBroker broker = KafkaBroker.start(config)) {
 *     broker.createTopics(KafkaBroker.STANDARD_TOPICS, 2);
 *     broker.awaitShutdown(); // until close() from a signal handler
 * }
 * }</pre>
 *
 * <p>Unlike {@code dev.alphaflow.jobs.local.EmbeddedKafka} (the test kit in a throw-away temp folder, for in-process
 * demos and tests), this is meant to be a process of its own: {@code alphaflow kafka}.
 */
public final class KafkaBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);

    /** The topics every alphaflow command uses by default. */
    public static final List<String> STANDARD_TOPICS = List.of(KafkaDefaults.FRAMES_TOPIC, KafkaDefaults.MATTES_TOPIC,
            KafkaDefaults.SEGMENTS_TOPIC, KafkaDefaults.INSTANCES_TOPIC, KafkaDefaults.FLOW_TOPIC,
            KafkaDefaults.DLQ_TOPIC, KafkaDefaults.SCHEMAS_TOPIC);

    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    /** SCRAM iterations of the users' stored credentials (Kafka's minimum for SCRAM-SHA-512 is 4096). */
    private static final int SCRAM_ITERATIONS = 8192;

    private final KafkaBrokerConfig config;
    private final KafkaRaftServer server;
    private final boolean formatted;
    private final Admin admin;
    private boolean closed;

    private KafkaBroker(KafkaBrokerConfig config, KafkaRaftServer server, boolean formatted) {
        this.config = config;
        this.server = server;
        this.formatted = formatted;
        Map<String, Object> adminConfig = new HashMap<>(config.adminClientProperties());
        adminConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
        this.admin = Admin.create(adminConfig);
    }

    /**
     * Formats the data folder if it is new, starts the node and returns once it answers clients. Fails with a
     * message naming the port when a listener port is taken, and with Kafka's message when another broker holds
     * the data folder.
     */
    public static KafkaBroker start(KafkaBrokerConfig config) {
        Objects.requireNonNull(config, "config");
        checkPortFree(config.host(), config.port(), "client");
        checkPortFree(config.host(), config.controllerPort(), "controller");
        boolean format = !isFormatted(config);
        try {
            Files.createDirectories(config.logDir());
            writeProperties(config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Kafka data folder " + config.dataDir(), e);
        }
        if (format) {
            format(config);
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(config.toProperties(), false), Time.SYSTEM);
        KafkaBroker broker = null;
        try {
            server.startup();
            broker = new KafkaBroker(config, server, format);
            broker.awaitClients();
            broker.config.security().ifPresent(broker::addUsersAndAcls);
            LOG.info("Kafka node {} serving {} (data in {})", config.nodeId(), config.bootstrapServers(),
                    config.dataDir());
            return broker;
        } catch (RuntimeException e) {
            try {
                if (broker != null) {
                    broker.close();
                } else {
                    server.shutdown();
                    server.awaitShutdown();
                }
            } catch (RuntimeException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            throw e;
        }
    }

    /** Whether the data folder already holds a formatted Kafka log directory. */
    public static boolean isFormatted(KafkaBrokerConfig config) {
        return Files.isRegularFile(config.logDir().resolve("meta.properties"));
    }

    /** The configuration this node runs with. */
    public KafkaBrokerConfig config() {
        return config;
    }

    /** {@code host:port} for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return config.bootstrapServers();
    }

    /** Whether this start formatted a new data folder (false: it reopened an existing one). */
    public boolean formattedNewDataDir() {
        return formatted;
    }

    /**
     * Creates the topics that do not exist yet ({@code partitions} each, one replica, records up to
     * {@link KafkaBrokerConfig#MAX_MESSAGE_BYTES}) and waits until every partition has a leader. Returns the
     * partition count of each topic, existing ones as they are.
     */
    public Map<String, Integer> createTopics(Collection<String> names, int partitions) {
        return TopicCreation.createAndAwaitLeaders(admin, names, partitions, KafkaBrokerConfig.topicConfigs(),
                ADMIN_TIMEOUT);
    }

    /** Blocks until the node has stopped (after {@link #close()} from another thread). */
    public void awaitShutdown() {
        server.awaitShutdown();
    }

    /**
     * Stops the node: a controlled shutdown (the broker hands its partitions over and flushes its logs) followed
     * by the controller. Idempotent; the data folder stays.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            admin.close(Duration.ofSeconds(5));
        } finally {
            server.shutdown();
            server.awaitShutdown();
        }
        LOG.info("Kafka node {} at {} stopped", config.nodeId(), config.bootstrapServers());
    }

    private void awaitClients() {
        try {
            admin.describeCluster().nodes().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthenticationException) {
                throw failure("the Kafka node at " + config.bootstrapServers() + " refuses the super user "
                        + config.security().map(KafkaSecurity::superUser).orElse("") + " (its SCRAM credentials are"
                        + " stored when the data folder is first formatted: a folder formatted without --security, or"
                        + " with another super user or password, keeps what it had; use those, or a new --data-dir)", e);
            }
            throw failure("the Kafka node at " + config.bootstrapServers() + " does not answer", e);
        } catch (Exception e) {
            throw failure("the Kafka node at " + config.bootstrapServers() + " does not answer", e);
        }
    }

    /**
     * Adds (or updates) the SCRAM credentials of the users other than the super user (whose come from the format) and
     * creates the ACLs, as the super user: on every start, so the broker runs with what the security file says.
     * Nothing is removed: ACLs and users added by hand (kafka-acls.sh, kafka-configs.sh) stay.
     */
    private void addUsersAndAcls(KafkaSecurity security) {
        try {
            List<UserScramCredentialAlteration> users = new ArrayList<>();
            security.passwords().forEach((user, password) -> {
                if (!user.equals(security.superUser())) {
                    users.add(new UserScramCredentialUpsertion(user,
                            new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS), password));
                }
            });
            if (!users.isEmpty()) {
                admin.alterUserScramCredentials(users).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            if (!security.acls().isEmpty()) {
                admin.createAcls(security.acls()).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (Exception e) {
            throw failure("cannot add the users and ACLs of the security settings to the Kafka node at "
                    + config.bootstrapServers(), e);
        }
        LOG.info("Kafka node {}: {} SCRAM users and {} ACLs in place (super user {})", config.nodeId(),
                security.passwords().size(), security.acls().size(), security.superUser());
    }

    private static void format(KafkaBrokerConfig config) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            Formatter formatter = new Formatter();
            // The super user's SCRAM credentials go into the bootstrap metadata (kafka-storage.sh format --add-scram):
            // the broker logs in with them from its first start on, and adds the other users itself.
            config.security().ifPresent(security -> formatter.setScramArguments(List.of(security.scramArgument())));
            formatter
                    .setPrintStream(print)
                    .setNodeId(config.nodeId())
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(config.logDir().toString()))
                    .setMetadataLogDirectory(config.logDir().toString())
                    .setControllerListenerName(KafkaBrokerConfig.CONTROLLER_LISTENER)
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .run();
        } catch (Exception e) {
            throw failure("cannot format the Kafka data folder " + config.logDir(), e);
        }
        // The format's own report lists the bootstrap records, the super user's salted SCRAM keys among them.
        LOG.info("Formatted {}: {}", config.logDir(), config.security().isPresent()
                ? "with the SCRAM credentials of " + config.security().get().superUser()
                : out.toString(StandardCharsets.UTF_8).trim());
    }

    private static void writeProperties(KafkaBrokerConfig config) throws IOException {
        try (Writer w = Files.newBufferedWriter(config.propertiesFile(), StandardCharsets.UTF_8)) {
            w.write("# Written by alphaflow kafka on every start; the broker runs with these settings.\n");
            for (Map.Entry<String, String> e : config.serverProperties().entrySet()) {
                // the file is for reading: no passwords in it
                String value = e.getKey().endsWith("sasl.jaas.config") ? "(hidden: from the security file)"
                        : e.getValue();
                w.write(e.getKey() + "=" + value + "\n");
            }
        }
    }

    private static void checkPortFree(String host, int port, String listener) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (IOException e) {
            throw new PortInUseException(host, port, listener, e);
        }
    }

    /** A listener port of the node is taken, e.g. by another broker. */
    public static final class PortInUseException extends IllegalStateException {
        private static final long serialVersionUID = 1L;
        private final int port;
        private final String listener;

        PortInUseException(String host, int port, String listener, IOException cause) {
            super(host + ":" + port + " (the " + listener + " listener) is already in use (" + cause.getMessage()
                    + "); is another broker running?", cause);
            this.port = port;
            this.listener = listener;
        }

        public int port() {
            return port;
        }

        /** {@code "client"} or {@code "controller"}. */
        public String listener() {
            return listener;
        }
    }

    private static RuntimeException failure(String message, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return new IllegalStateException(message + ": " + cause, cause);
    }

}
