package dev.alphaflow.jobs.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import dev.alphaflow.jobs.KafkaDefaults;
import dev.alphaflow.jobs.tools.Background;
import dev.alphaflow.jobs.tools.TopicReader;
import dev.alphaflow.jobs.view.ViewServer;

/** {@code alphaflow view}: see {@link ViewServer}. */
@Command(name = "view", mixinStandardHelpOptions = true,
        description = {"Serve a live web page of every stream of the mattes, segments and instances topics: latest "
                + "composite (matte over a background, or masks/instances as coloured overlays with labels), frames/s, "
                + "latency (event time to output), state resets, dead letters and history charts.",
                "Runs until stopped (Ctrl-C)."})
final class ViewCommand implements Callable<Integer> {
    static final String TOKEN_ENV = "ALPHAFLOW_VIEW_TOKEN";

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--segments-topic", paramLabel = "TOPIC", defaultValue = KafkaDefaults.SEGMENTS_TOPIC,
            description = "Segments topic to show (default: ${DEFAULT-VALUE}).")
    String segmentsTopic;

    @Option(names = "--instances-topic", paramLabel = "TOPIC", defaultValue = KafkaDefaults.INSTANCES_TOPIC,
            description = "Instances topic to show (default: ${DEFAULT-VALUE}).")
    String instancesTopic;

    @Option(names = "--bind", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}); any other than loopback needs --token.")
    String bind;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "${env:ALPHAFLOW_VIEW_PORT:-8088}",
            description = "Port to listen on; 0 picks a free one (default: $ALPHAFLOW_VIEW_PORT or 8088).")
    int port;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "Required on every request (?token= or header X-Alphaflow-Token); default: $" + TOKEN_ENV + ".")
    String token;

    @Option(names = "--background", paramLabel = "COLOR", defaultValue = "#00b140",
            description = "Composite background: #rrggbb, green, blue, black or white (default: ${DEFAULT-VALUE}).")
    String background;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port must be in 0..65535: " + port);
        }
        Background bg;
        try {
            bg = Background.parseColor(background);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--background: " + e.getMessage(), e);
        }
        String t = token != null ? token : System.getenv(TOKEN_ENV);
        if (t != null && t.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--token must not be blank");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--bind: unknown host " + bind, e);
        }
        if (!address.isLoopbackAddress() && t == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--bind " + bind + " is not a loopback address: give --token or set $" + TOKEN_ENV);
        }
        kafka.preflight(java.util.List.of(), java.util.List.of());
        ViewServer server;
        try {
            server = new ViewServer(
                    ViewServer.consumerConfig(TopicReader.consumerConfig(kafka.bootstrapServers(), "alphaflow-view",
                            kafka.clientProperties())),
                    new ViewServer.Topics(kafka.framesTopic(), kafka.mattesTopic(), segmentsTopic, instancesTopic,
                            kafka.dlqTopic()),
                    bg, new InetSocketAddress(address, port), t);
        } catch (IOException e) {
            throw new CommandFailure("cannot listen on " + bind + ":" + port + ": " + e.getMessage(), e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "view-shutdown"));
        spec.commandLine().getOut().println("alphaflow view: " + server.url() + " (Ctrl-C to stop)");
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }
}
