package dev.alphaflow.jobs.testutils;

import java.util.ArrayList;
import java.util.List;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Property;

/**
 * Collects the log events of this JVM at WARN and above while open: {@code try (LogCapture logs = LogCapture.open())
 * { ... } logs.events()}. Sees what the configured loggers let through, as a user's console would.
 */
public final class LogCapture extends AbstractAppender implements AutoCloseable {
    private final List<String> events = new ArrayList<>();

    private LogCapture() {
        super("capture-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY);
    }

    public static LogCapture open() {
        LogCapture capture = new LogCapture();
        capture.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        config.addAppender(capture);
        config.getRootLogger().addAppender(capture, Level.WARN, null);
        config.getLoggers().values().forEach(l -> {
            if (!l.getName().isEmpty() && !l.isAdditive()) {
                l.addAppender(capture, Level.WARN, null);
            }
        });
        context.updateLoggers();
        return capture;
    }

    @Override
    public void append(LogEvent event) {
        synchronized (events) {
            events.add(event.getLevel() + " " + event.getLoggerName() + " - " + event.getMessage().getFormattedMessage());
        }
    }

    /** The WARN+ events seen so far: "LEVEL logger - message". */
    public List<String> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    @Override
    public void close() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        config.getRootLogger().removeAppender(getName());
        config.getLoggers().values().forEach(l -> l.removeAppender(getName()));
        context.updateLoggers();
        stop();
    }
}
