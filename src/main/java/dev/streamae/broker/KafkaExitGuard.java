package dev.streamae.broker;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.common.utils.internals.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops Kafka's server code from ending the JVM that embeds it.
 *
 * <p>Why: on a fatal fault (e.g. startup exceeding {@code server.max.startup.time.ms}, a metadata
 * log error) Kafka's {@code ProcessTerminatingFaultHandler} calls {@code Exit.halt(1)}, which for
 * the standalone server is right but here would kill the test JVM or the demo with no trace
 * ("forked VM terminated without saying goodbye"). Kafka's own test harness replaces the procedures
 * the same way. Once installed, {@code Exit.halt}/{@code Exit.exit} log at ERROR and throw
 * {@link FatalKafkaFaultException} into the faulting Kafka code instead: a failing startup then fails
 * {@link LocalKafka#restart()} or {@code start()} with that error.
 *
 * <p>The procedures are JVM-global and stay installed: only Kafka's server code calls {@code Exit}
 * (clients and Kafka Streams do not), and an embedding process never wants Kafka to end it.
 * {@code Exit} is in Kafka's {@code internals} package, like the rest of the embedded server API.
 *
 * <p>A refused halt leaves a broker that may be broken while its JVM lives on. Whoever must react
 * (e.g. {@code streamae broker}, which then ends its process) registers a listener through
 * {@link LocalKafka#onFatalFault}; listeners hear of every refused halt in the JVM, since
 * {@code Exit} cannot say which embedded broker asked.
 */
final class KafkaExitGuard {

    private static final Logger log = LoggerFactory.getLogger(KafkaExitGuard.class);
    private static boolean installed;
    private static final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    private KafkaExitGuard() {
    }

    /** Thrown into Kafka's code where it would have ended the JVM. */
    static final class FatalKafkaFaultException extends RuntimeException {
        FatalKafkaFaultException(String message) {
            super(message);
        }
    }

    static synchronized void install() {
        if (installed) {
            return;
        }
        Exit.setHaltProcedure((code, message) -> refuse("halt", code, message));
        Exit.setExitProcedure((code, message) -> refuse("exit", code, message));
        installed = true;
    }

    static void addListener(Consumer<String> listener) {
        listeners.add(listener);
    }

    static void removeListener(Consumer<String> listener) {
        listeners.remove(listener);
    }

    private static void refuse(String what, int code, String message) {
        log.error("Embedded Kafka asked to {} the JVM with status {} ({}); refused, failing the broker instead", what, code, message);
        String fault = "embedded Kafka hit a fatal fault and asked to " + what + " the JVM (status "
                + code + (message == null ? "" : ", " + message) + ")";
        for (Consumer<String> listener : listeners) {
            try {
                listener.accept(fault);
            } catch (RuntimeException e) {
                log.warn("A fatal-fault listener failed", e);
            }
        }
        throw new FatalKafkaFaultException(fault + "; see the ERROR log above");
    }
}
