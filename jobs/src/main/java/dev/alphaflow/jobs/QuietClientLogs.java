package dev.alphaflow.jobs;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;

/**
 * Raises one logger to ERROR until {@link #close()}: Kafka's {@code NetworkClient} logs a WARN for every failed
 * connection attempt, which is noise while a check that reports the failure itself is running. Does nothing when
 * Log4j 2 is not the logging backend. Affects every client in the JVM for that time, so keep the window short.
 */
final class QuietClientLogs implements AutoCloseable {
    static final String NETWORK_CLIENT = "org.apache.kafka.clients.NetworkClient";

    private final LoggerContext context;
    private final String name;
    private final LoggerConfig previous;

    private QuietClientLogs(LoggerContext context, String name, LoggerConfig previous) {
        this.context = context;
        this.name = name;
        this.previous = previous;
    }

    /** Silences the WARNs of Kafka's {@code NetworkClient}. */
    static QuietClientLogs networkClient() {
        return of(NETWORK_CLIENT);
    }

    static QuietClientLogs of(String loggerName) {
        LoggerContext context;
        try {
            if (!(LogManager.getContext(false) instanceof LoggerContext core)) {
                return new QuietClientLogs(null, loggerName, null);
            }
            context = core;
        } catch (NoClassDefFoundError noLog4jCore) {
            return new QuietClientLogs(null, loggerName, null);
        }
        synchronized (QuietClientLogs.class) {
            Configuration config = context.getConfiguration();
            LoggerConfig existing = config.getLoggers().get(loggerName);
            if (existing != null && existing.getLevel().isMoreSpecificThan(Level.ERROR)) {
                return new QuietClientLogs(null, loggerName, null); // already quiet enough
            }
            LoggerConfig quiet = new LoggerConfig(loggerName, Level.ERROR, true);
            if (existing != null) {
                existing.getAppenders().values().forEach(a -> quiet.addAppender(a, null, null));
                quiet.setAdditive(existing.isAdditive());
                config.removeLogger(loggerName);
            }
            config.addLogger(loggerName, quiet);
            context.updateLoggers();
            return new QuietClientLogs(context, loggerName, existing);
        }
    }

    @Override
    public void close() {
        if (context == null) {
            return;
        }
        synchronized (QuietClientLogs.class) {
            Configuration config = context.getConfiguration();
            config.removeLogger(name);
            if (previous != null) {
                config.addLogger(name, previous);
            }
            context.updateLoggers();
        }
    }
}
