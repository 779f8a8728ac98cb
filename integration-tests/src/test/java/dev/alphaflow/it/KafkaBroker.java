package dev.alphaflow.it;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import dev.alphaflow.jobs.local.EmbeddedKafka;

/**
 * One embedded KRaft broker per test class (the local runtime's, as the demo uses it):
 * {@code @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();}. Tests take fresh
 * topics from {@link Topics#fresh}, so they never see each other's records.
 */
final class KafkaBroker implements BeforeAllCallback, AfterAllCallback {
    private EmbeddedKafka kafka;

    @Override
    public void beforeAll(ExtensionContext context) {
        kafka = EmbeddedKafka.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }

    EmbeddedKafka get() {
        if (kafka == null) {
            throw new IllegalStateException("the broker runs only while the test class does");
        }
        return kafka;
    }
}
