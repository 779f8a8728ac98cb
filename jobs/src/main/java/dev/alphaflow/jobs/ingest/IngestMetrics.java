package dev.alphaflow.jobs.ingest;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import io.prometheus.client.exporter.HTTPServer;

/**
 * The sources' health as Prometheus metrics at {@code http://<host>:<port>/metrics}, one series per stream (label
 * {@code stream}), read from the live counters at each scrape, so a removed source disappears. Served by the
 * Prometheus Java client that Flink's Prometheus reporter ships in the same jar (the jobs' metrics come from it too):
 *
 * <pre>
 * alphaflow_ingest_connected{stream}              1 while the source is connected, else 0
 * alphaflow_ingest_frames_per_second{stream}      frames published per second over the last 5 s
 * alphaflow_ingest_frames_published_total{stream}
 * alphaflow_ingest_frames_dropped_total{stream}   dropped because publishing fell behind (or a send failed)
 * alphaflow_ingest_reconnects_total{stream}
 * alphaflow_ingest_send_errors_total{stream}
 * alphaflow_ingest_last_frame_age_seconds{stream} since the capture of the last frame published (-1: none yet)
 * </pre>
 */
final class IngestMetrics implements AutoCloseable {
    private final HTTPServer server;
    private final int port;

    private IngestMetrics(HTTPServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /**
     * Serves the metrics on the first free port of {@code ports} ({@code 9260}, {@code 9260-9269}; {@code 0}: any
     * free port), on all interfaces as Flink's reporter does.
     *
     * @throws IOException when no port of the range is free
     */
    static IngestMetrics serve(String ports, Supplier<Map<String, SourceHealth.Snapshot>> health) throws IOException {
        int[] range = parseRange(ports);
        CollectorRegistry registry = new CollectorRegistry();
        registry.register(new HealthCollector(health));
        IOException last = null;
        for (int p = range[0]; p <= range[1]; p++) {
            try {
                HTTPServer server = new HTTPServer(new InetSocketAddress(p), registry, true);
                return new IngestMetrics(server, server.getPort());
            } catch (BindException e) {
                last = e;
            }
        }
        throw new IOException("no free port in " + ports + (last == null ? "" : ": " + last.getMessage()), last);
    }

    /** {@code "9260"} or {@code "9260-9269"} as {from, to}. */
    static int[] parseRange(String ports) {
        String s = ports.strip();
        try {
            int dash = s.indexOf('-');
            int from = Integer.parseInt(dash < 0 ? s : s.substring(0, dash).strip());
            int to = dash < 0 ? from : Integer.parseInt(s.substring(dash + 1).strip());
            if (from < 0 || to > 65535 || to < from) {
                throw new IllegalArgumentException("port range " + ports + " is not within 0..65535 in order");
            }
            return new int[] {from, to};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a port or port range (e.g. 9260 or 9260-9269): " + ports, e);
        }
    }

    int port() {
        return port;
    }

    @Override
    public void close() {
        server.stop();
    }

    private static final class HealthCollector extends Collector {
        private final Supplier<Map<String, SourceHealth.Snapshot>> health;

        HealthCollector(Supplier<Map<String, SourceHealth.Snapshot>> health) {
            this.health = health;
        }

        @Override
        public List<MetricFamilySamples> collect() {
            List<String> label = List.of("stream");
            GaugeMetricFamily connected = new GaugeMetricFamily("alphaflow_ingest_connected",
                    "1 while the source is connected", label);
            GaugeMetricFamily fps = new GaugeMetricFamily("alphaflow_ingest_frames_per_second",
                    "frames published per second over the last 5 s", label);
            CounterMetricFamily published = new CounterMetricFamily("alphaflow_ingest_frames_published_total",
                    "frames published to the frames topic", label);
            CounterMetricFamily dropped = new CounterMetricFamily("alphaflow_ingest_frames_dropped_total",
                    "frames dropped because publishing fell behind", label);
            CounterMetricFamily reconnects = new CounterMetricFamily("alphaflow_ingest_reconnects_total",
                    "times the source was reached again after it was lost", label);
            CounterMetricFamily sendErrors = new CounterMetricFamily("alphaflow_ingest_send_errors_total",
                    "frames the broker rejected or that could not be sent", label);
            GaugeMetricFamily age = new GaugeMetricFamily("alphaflow_ingest_last_frame_age_seconds",
                    "seconds since the capture of the last frame published; -1 before the first", label);
            health.get().forEach((stream, h) -> {
                List<String> v = List.of(stream);
                connected.addMetric(v, h.connected() ? 1 : 0);
                fps.addMetric(v, h.framesPerSecond());
                published.addMetric(v, h.published());
                dropped.addMetric(v, h.dropped());
                reconnects.addMetric(v, h.reconnects());
                sendErrors.addMetric(v, h.sendErrors());
                age.addMetric(v, h.lastFrameAgeMs() < 0 ? -1 : h.lastFrameAgeMs() / 1000.0);
            });
            return new ArrayList<>(List.of(connected, fps, published, dropped, reconnects, sendErrors, age));
        }
    }
}
