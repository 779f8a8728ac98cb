package dev.alphaflow.jobs;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.metrics.prometheus.PrometheusReporterFactory;

/**
 * Flink's Prometheus reporter ({@code flink-metrics-prometheus}, shaded into alphaflow.jar): the Flink options that
 * turn it on, for the local runtime and for any cluster alphaflow starts. Each Flink process (the local runtime's
 * JVM, a JobManager, a TaskManager) serves its metrics at {@code http://<host>:<port>/metrics} on the first free port
 * of the range, on all network interfaces.
 *
 * <p>The Flink keys it sets (a production cluster sets the same in its Flink configuration):
 * <pre>
 * metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory
 * metrics.reporter.prom.port: 9249-9259
 * </pre>
 *
 * <pre>{@code
 * Configuration flink = new Configuration();
 * PrometheusOptions.apply(jobConf, flink);   // nothing when alphaflow.metrics.prometheus.port is empty
 * }</pre>
 */
public final class PrometheusOptions {
    private PrometheusOptions() {}

    /** The reporter's name in Flink's {@code metrics.reporter.<name>.*} keys. */
    public static final String REPORTER_NAME = "prom";

    /** Flink key of the reporter's factory class. */
    public static final String FACTORY_CLASS_KEY = "metrics.reporter." + REPORTER_NAME + ".factory.class";

    /** Flink key of the reporter's port or port range. */
    public static final String PORT_KEY = "metrics.reporter." + REPORTER_NAME + ".port";

    /** The factory Flink instantiates for the reporter. */
    public static final String FACTORY_CLASS = PrometheusReporterFactory.class.getName();

    public static final ConfigOption<String> PORT = ConfigOptions.key("alphaflow.metrics.prometheus.port")
            .stringType().defaultValue("9249-9259")
            .withDescription("Port or port range (e.g. 9249-9259) of the Prometheus endpoint of the local runtime "
                    + "(http://<host>:<port>/metrics, all interfaces); the first free port of the range is taken. "
                    + "Empty: no Prometheus reporter.");

    /** The Flink options that start the reporter on {@code ports} (a port, or a range such as {@code 9249-9259}). */
    public static Configuration reporter(String ports) {
        if (ports == null || ports.isBlank()) {
            throw new IllegalArgumentException("a Prometheus port or port range is required, e.g. 9249-9259");
        }
        Configuration c = new Configuration();
        c.setString(FACTORY_CLASS_KEY, FACTORY_CLASS);
        c.setString(PORT_KEY, ports.strip());
        return c;
    }

    /** Adds {@link #reporter} for {@link #PORT} of {@code conf} to {@code flink}; nothing when the port is empty. */
    public static void apply(ReadableConfig conf, Configuration flink) {
        String ports = conf.get(PORT);
        if (!ports.isBlank()) {
            flink.addAll(reporter(ports));
        }
    }
}
