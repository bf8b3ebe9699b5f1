package dev.keepalive.transport;

import java.util.List;
import java.util.stream.Collectors;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/** Records what one logger writes during a test; close it to detach. */
final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    LogCapture(Class<?> source) {
        this(source.getName());
    }

    /** Records {@code name} and every logger below it, e.g. {@code "dev.keepalive"}. */
    LogCapture(String name) {
        this.logger = (Logger) LoggerFactory.getLogger(name);
        this.appender.start();
        this.logger.addAppender(this.appender);
    }

    /** Formatted messages at {@code level}, oldest first. */
    List<String> messages(Level level) {
        return this.appender.list.stream().filter((e) -> e.getLevel() == level)
                .map(ILoggingEvent::getFormattedMessage).collect(Collectors.toList());
    }

    /** Every formatted message at any level. */
    String all() {
        return this.appender.list.stream().map(ILoggingEvent::getFormattedMessage).collect(Collectors.joining("\n"));
    }

    @Override
    public void close() {
        this.logger.detachAppender(this.appender);
        this.appender.stop();
    }
}
