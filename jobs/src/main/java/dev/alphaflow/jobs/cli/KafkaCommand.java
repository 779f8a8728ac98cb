package dev.alphaflow.jobs.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.apache.logging.log4j.core.config.Configurator;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import dev.alphaflow.jobs.broker.KafkaBroker;
import dev.alphaflow.jobs.broker.KafkaBrokerConfig;
import dev.alphaflow.jobs.broker.KafkaSecurity;

/**
 * {@code alphaflow kafka}: a local Kafka node (KRaft broker + controller) as a process of its own, for the other
 * commands to share. Creates the standard topics, keeps its data in {@code --data-dir} across restarts, and stops
 * with a controlled shutdown on Ctrl-C or SIGTERM (exit 0). With {@code --security FILE} clients log in with
 * SASL/SCRAM-SHA-512 and are held to ACLs ({@link KafkaSecurity}).
 */
@Command(name = "kafka", mixinStandardHelpOptions = true,
        description = {"Run a local Kafka broker (KRaft, broker and controller in one process) for the other commands.",
                "Creates the topics alphaflow.frames, .mattes, .segments, .instances and .dlq with room for 16 MiB "
                        + "records; keeps topics, records and consumer offsets in --data-dir across restarts; "
                        + "Ctrl-C stops it cleanly. The broker's log is <data-dir>/broker.log."})
final class KafkaCommand implements Callable<Integer> {

    /** The line a script (or test) can wait for: {@code READY_PREFIX + bootstrap servers}. */
    static final String READY_PREFIX = "Kafka ready at ";

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT",
            defaultValue = "${env:ALPHAFLOW_KAFKA_PORT:-" + KafkaBrokerConfig.DEFAULT_PORT + "}",
            description = "Client port (default: $ALPHAFLOW_KAFKA_PORT or ${DEFAULT-VALUE}); clients use "
                    + "--bootstrap-servers 127.0.0.1:PORT (or $ALPHAFLOW_BOOTSTRAP_SERVERS).")
    int port;

    @Option(names = "--controller-port", paramLabel = "PORT", defaultValue = "0",
            description = "KRaft controller port (default: --port + 1).")
    int controllerPort;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = KafkaBrokerConfig.DEFAULT_HOST,
            description = "Address to listen on and advertise (default: ${DEFAULT-VALUE}, this machine only).")
    String host;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "alphaflow-state/kafka",
            description = "Folder of the broker's data and log, formatted on first use and reused after "
                    + "(default: ${DEFAULT-VALUE}). Delete it to start from nothing.")
    Path dataDir;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "2",
            description = "Partitions of the topics created here and of auto-created topics (default: ${DEFAULT-VALUE});"
                    + " existing topics keep theirs.")
    int partitions;

    @Option(names = "--security", paramLabel = "FILE",
            description = "Secure the broker: clients log in with SASL/SCRAM-SHA-512 (security.protocol=SASL_PLAINTEXT)"
                    + " as the users of FILE and may do only what its ACLs allow. FILE: super.user=NAME, "
                    + "user.NAME=PASSWORD per user, allow.NAME=OPERATION:TYPE:NAME,... (e.g. "
                    + "allow.matting=write:topic:alphaflow.mattes); see the README. Read on every start.")
    Path securityFile;

    @Option(names = "-D", paramLabel = "KEY=VALUE",
            description = "Any broker setting (server.properties), e.g. -D log.retention.hours=24.")
    Map<String, String> brokerProperties = new LinkedHashMap<>();

    @Override
    public Integer call() throws InterruptedException {
        KafkaBrokerConfig config = config();
        PrintWriter out = spec.commandLine().getOut();
        logToFile(config.logFile());

        CountDownLatch stopRequested = new CountDownLatch(1);
        boolean signalsHandled = StopSignals.install(stopRequested::countDown);
        KafkaBroker broker;
        try {
            broker = KafkaBroker.start(config);
        } catch (KafkaBroker.PortInUseException e) {
            throw new IllegalStateException(e.getMessage() + " Choose another port with "
                    + ("client".equals(e.listener()) ? "--port" : "--controller-port") + ".", e);
        }
        // Another way out (SIGHUP, or signals we could not take over): stop the broker before the JVM goes.
        Thread hook = new Thread(broker::close, "alphaflow-kafka-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        Map<String, Integer> topics = broker.createTopics(KafkaBroker.STANDARD_TOPICS, partitions);
        out.println(READY_PREFIX + broker.bootstrapServers());
        out.println("  data:   " + config.dataDir() + (broker.formattedNewDataDir() ? " (new)" : " (reused)")
                + ", log: " + config.logFile());
        StringJoiner names = new StringJoiner(", ");
        topics.forEach((name, n) -> names.add(name + " (" + n + ")"));
        out.println("  topics: " + names);
        out.println("  use:    --bootstrap-servers " + broker.bootstrapServers()
                + "  or  export ALPHAFLOW_BOOTSTRAP_SERVERS=" + broker.bootstrapServers());
        config.security().ifPresent(security -> {
            out.println("  security: SASL/" + KafkaSecurity.MECHANISM + " logins, ACLs; users "
                    + String.join(", ", security.passwords().keySet()) + " (super user " + security.superUser() + "), "
                    + security.acls().size() + " ACLs");
            out.println("  clients: --kafka-config FILE with security.protocol=" + KafkaSecurity.PROTOCOL
                    + ", sasl.mechanism=" + KafkaSecurity.MECHANISM + ", sasl.jaas.config="
                    + "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"NAME\" "
                    + "password=\"PASSWORD\";");
        });
        out.println(signalsHandled ? "Ctrl-C to stop." : "Stop with SIGTERM (kill " + ProcessHandle.current().pid() + ").");
        out.flush();

        stopRequested.await();
        out.println("Stopping Kafka (controlled shutdown) ...");
        out.flush();
        broker.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs (or ran) close(), which is idempotent
        }
        out.println("Kafka stopped; data kept in " + config.dataDir());
        out.flush();
        return 0;
    }

    private KafkaBrokerConfig config() {
        KafkaBrokerConfig.Builder builder = KafkaBrokerConfig.builder(dataDir)
                .host(host)
                .port(port)
                .controllerPort(controllerPort)
                .defaultPartitions(partitions);
        brokerProperties.forEach(builder::property);
        if (securityFile != null) {
            try {
                builder.security(KafkaSecurity.load(securityFile));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--security " + e.getMessage(), e);
            }
        }
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage()
                    + " (options --port, --controller-port, --host, --partitions)", e);
        }
    }

    // Kafka logs hundreds of INFO lines while it starts: they go to the data folder, the console keeps errors only.
    private static void logToFile(Path logFile) {
        try {
            Files.createDirectories(logFile.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Kafka data folder " + logFile.getParent(), e);
        }
        System.setProperty("alphaflow.broker.log-file", logFile.toString());
        URL config = KafkaCommand.class.getResource("/dev/alphaflow/jobs/broker/broker-log4j2.properties");
        if (config == null) {
            throw new IllegalStateException("broker-log4j2.properties is missing from the alphaflow jar");
        }
        try {
            Configurator.reconfigure(config.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("bad URI of the broker's logging configuration: " + config, e);
        }
    }

    /** SIGINT and SIGTERM become a call to {@code onStop} instead of an abrupt JVM exit. */
    static final class StopSignals {
        private StopSignals() {}

        /** Returns false if a signal could not be taken over (e.g. SIGINT, ignored in a background job). */
        @SuppressWarnings("restriction")
        static boolean install(Runnable onStop) {
            boolean all = true;
            for (String name : new String[] {"INT", "TERM"}) {
                try {
                    // A signal the JVM inherited as ignored (SIGINT in a background job) stays ignored.
                    all &= sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> onStop.run())
                            != sun.misc.SignalHandler.SIG_IGN;
                } catch (IllegalArgumentException e) {
                    all = false;
                }
            }
            return all;
        }
    }
}
