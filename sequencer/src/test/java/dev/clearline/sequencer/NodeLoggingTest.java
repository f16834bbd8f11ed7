package dev.clearline.sequencer;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A node's logs go where its help and the README say: key=value lines on stderr, so stdout carries
 * only what scripts read (SEQUENCER_READY). Before, the node's file wrote them to stdout in
 * another shape.
 */
class NodeLoggingTest {
    @Test
    void aNodeLogsKeyValueLinesOnStderrAtInfo() throws Exception {
        LoggerContext context = new LoggerContext();
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(context);
        joran.doConfigure(NodeLoggingTest.class.getClassLoader().getResource("sequencer-logback.xml"));
        try {
            Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
            assertThat(root.getLevel()).isEqualTo(Level.INFO);
            assertThat(context.getLogger("io.aeron").getLevel()).isEqualTo(Level.WARN);
            ConsoleAppender<ILoggingEvent> appender = (ConsoleAppender<ILoggingEvent>) root.getAppender("STDERR");
            assertThat(appender.getTarget()).isEqualTo("System.err");

            PatternLayoutEncoder encoder = (PatternLayoutEncoder) appender.getEncoder();
            Logger poster = context.getLogger("dev.clearline.sequencer.poster.BatchPoster");
            LoggingEvent event = new LoggingEvent(Logger.class.getName(), poster, Level.INFO, "event=batch_posted index={}", null, new Object[] {7});
            event.setTimeStamp(0);
            String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
            assertThat(line).isEqualTo("ts=1970-01-01T00:00:00.000Z level=INFO logger=BatchPoster event=batch_posted index=7" + System.lineSeparator());
        } finally {
            context.stop();
        }
    }
}
