package dev.clearline.devnet.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.clearline.evm.Bytes32;
import dev.clearline.evm.WorldState;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * go-ethereum's log lines inside libevm reach the same logback as everything else (its Log4j API
 * calls are routed to SLF4J; no Log4j core is on the class path), so they carry the CLI's format
 * and level. Also the positive control of {@link PastStateReadsTest}, whose "no libevm ERROR"
 * assertions would pass on their own if libevm's lines went elsewhere.
 */
class LibevmLogsTest {
    @Test
    void aLibevmErrorArrivesInLogbackUnderLibevmsLogger(@TempDir Path dir) {
        List<ILoggingEvent> seen = new CopyOnWriteArrayList<>();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                seen.add(event);
            }
        };
        capture.setContext(root.getLoggerContext());
        capture.start();
        root.addAppender(capture);
        try {
            try (WorldState w = WorldState.open(dir)) {
                w.commit();
            }
            // a root this database never held: libevm logs the failed open as an ERROR, then refuses
            assertThatThrownBy(() -> WorldState.open(dir, Bytes32.of("0x" + "01".repeat(32)))).isInstanceOf(IllegalArgumentException.class);
        } finally {
            root.detachAppender(capture);
            capture.stop();
        }
        assertThatThrownBy(() -> Class.forName("org.apache.logging.log4j.core.LoggerContext"))
                .as("Log4j's core is not on the class path").isInstanceOf(ClassNotFoundException.class);
        assertThat(seen).as("what logback received").anySatisfy(e -> {
            assertThat(e.getLoggerName()).startsWith("io.horizen.evm");
            assertThat(e.getLevel()).isEqualTo(Level.ERROR);
        });
    }
}
