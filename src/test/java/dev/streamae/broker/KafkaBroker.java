package dev.streamae.broker;

import dev.streamae.streams.TopicAdmin;
import dev.streamae.streams.TopicDeclarations;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real embedded broker with StreamAE's topics, one per test class:
 * {@code @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();}, or with extra
 * broker and client settings (e.g. SASL): {@code new KafkaBroker(b -> b.brokerProperty(...))}.
 */
public final class KafkaBroker implements BeforeAllCallback, AfterAllCallback {

    private final UnaryOperator<LocalKafka.Builder> configure;
    private LocalKafka kafka;

    public KafkaBroker() {
        this(UnaryOperator.identity());
    }

    public KafkaBroker(UnaryOperator<LocalKafka.Builder> configure) {
        this.configure = configure;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        kafka = configure.apply(LocalKafka.builder()).start();
        try (var admin = kafka.admin()) {
            TopicAdmin.ensure(admin, TopicDeclarations.load().all());
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (kafka != null) {
            kafka.close();
        }
    }

    public LocalKafka kafka() {
        return kafka;
    }
}
