package dev.streamae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.ClassicConstants;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which logging configuration each command gets. {@link LogConfig#chooseFor} only sets system
 * properties (logback in this JVM is configured already), which these tests read and restore. The
 * demo's end-to-end test shows the tools' configuration at work.
 */
class LogConfigTest {

    private static final String CONFIG = ClassicConstants.CONFIG_FILE_PROPERTY;
    private final Map<String, String> saved = new HashMap<>();

    LogConfigTest() {
        for (String key : new String[] {CONFIG, LogConfig.FILE_PROPERTY}) {
            saved.put(key, System.getProperty(key));
            System.clearProperty(key);
        }
    }

    @AfterEach
    void restore() {
        saved.forEach((key, value) -> {
            if (value == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, value);
            }
        });
    }

    @Test
    void toolsLogToAFileNamedAfterTheCommand() {
        LogConfig.chooseFor(new String[] {"demo", "--duration", "20"});

        assertThat(System.getProperty(CONFIG)).isEqualTo(LogConfig.TOOLS_CONFIG);
        assertThat(System.getProperty(LogConfig.FILE_PROPERTY)).isEqualTo(Path.of("streamae-output", "logs", "demo.log").toString());
        assertThat(LogConfig.class.getClassLoader().getResource(LogConfig.TOOLS_CONFIG)).isNotNull();
    }

    @Test
    void servicesHelpAndTheUsersOwnConfigurationAreLeftAlone() {
        for (String service : new String[] {"trainer", "scorer", "broker", "dashboard"}) {
            assertThat(LogConfig.isService(service)).as(service).isTrue();
            assertThat(StreamAeCommand.commandLine().getSubcommands()).containsKey(service);
            LogConfig.chooseFor(new String[] {service, "--bootstrap-servers", "b:9092"});
        }
        LogConfig.chooseFor(new String[] {"demo", "--help"});
        LogConfig.chooseFor(new String[] {"--version"});
        assertThat(System.getProperty(CONFIG)).isNull();

        System.setProperty(CONFIG, "mine.xml");
        LogConfig.chooseFor(new String[] {"train"});
        assertThat(System.getProperty(CONFIG)).isEqualTo("mine.xml");
        assertThat(System.getProperty(LogConfig.FILE_PROPERTY)).isNull();
    }

    @Test
    void theUsersLogFileIsKept() {
        System.setProperty(LogConfig.FILE_PROPERTY, "elsewhere.log");
        LogConfig.chooseFor(new String[] {"train"});
        assertThat(System.getProperty(CONFIG)).isEqualTo(LogConfig.TOOLS_CONFIG);
        assertThat(System.getProperty(LogConfig.FILE_PROPERTY)).isEqualTo("elsewhere.log");
    }
}
