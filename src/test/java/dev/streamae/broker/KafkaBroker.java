package dev.streamae.broker;

import dev.streamae.streams.TopicAdmin;
import dev.streamae.streams.TopicDeclarations;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real embedded broker with StreamAE's topics, one per test class:
 * {@code @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();}.
 */
public final class KafkaBroker implements BeforeAllCallback, AfterAllCallback {

    private LocalKafka kafka;

    @Override
    public void beforeAll(ExtensionContext context) {
        kafka = LocalKafka.start();
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
