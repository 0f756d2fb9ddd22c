package dev.streamae.cli;

import ch.qos.logback.classic.ClassicConstants;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;

/**
 * Where a command's logs go, chosen before anything logs (logback reads its configuration once,
 * at the first logger).
 * <ul>
 *   <li>The long-running services ({@code trainer}, {@code scorer}, {@code broker},
 *       {@code dashboard}) log everything to the console ({@code logback.xml}): operators and
 *       container runtimes read service logs there.</li>
 *   <li>The other commands are tools a user watches ({@code demo}, {@code train}, {@code bench},
 *       ...): their console shows the command's own output and StreamAE's warnings and errors, and
 *       the full log goes to {@code streamae-output/logs/<command>.log} ({@code logback-tools.xml}),
 *       which the demo's report names. Kafka's warnings there (retried produce requests, topics
 *       not yet known) say nothing a demo's user can act on, and they buried its progress.</li>
 * </ul>
 * {@code -Dlogback.configurationFile} (e.g. in {@code STREAMAE_JAVA_OPTS}) overrides either, and
 * {@code -Dstreamae.log.file} moves the tools' log file.
 */
final class LogConfig {

    static final String FILE_PROPERTY = "streamae.log.file";
    static final String TOOLS_CONFIG = "logback-tools.xml";

    private static final List<Class<?>> SERVICES =
            List.of(TrainerCommand.class, ScorerCommand.class, BrokerCommand.class, DashboardCommand.class);
    /** Arguments after which picocli prints help or the version and runs nothing: no log file for them. */
    private static final Set<String> NOTHING_TO_LOG = Set.of("help", "-h", "--help", "-V", "--version");

    private LogConfig() {
    }

    /** Sets the logging configuration for the command {@code args} name; call before anything logs. */
    static void chooseFor(String[] args) {
        if (System.getProperty(ClassicConstants.CONFIG_FILE_PROPERTY) != null) {
            return;
        }
        String command = List.of(args).stream().filter(a -> !a.startsWith("-")).findFirst().orElse(null);
        if (command == null || isService(command) || List.of(args).stream().anyMatch(NOTHING_TO_LOG::contains)) {
            return;
        }
        System.setProperty(ClassicConstants.CONFIG_FILE_PROPERTY, TOOLS_CONFIG);
        if (System.getProperty(FILE_PROPERTY) == null) {
            System.setProperty(FILE_PROPERTY, Path.of("streamae-output", "logs", command + ".log").toString());
        }
    }

    static boolean isService(String command) {
        return SERVICES.stream().anyMatch(c -> c.getAnnotation(Command.class).name().equals(command));
    }

    /** The file the full log goes to, when the logging configuration has one. */
    static Optional<Path> file() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return Optional.empty();
        }
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        for (var it = root.iteratorForAppenders(); it.hasNext(); ) {
            if (it.next() instanceof FileAppender<?> file && file.getFile() != null) {
                return Optional.of(Path.of(file.getFile()).toAbsolutePath());
            }
        }
        return Optional.empty();
    }
}
