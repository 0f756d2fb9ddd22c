package dev.streamae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.broker.LocalKafka;
import dev.streamae.streams.Topics;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code streamae topics} on a real broker: create, verify, refuse a mismatch, describe. */
class TopicsCommandTest {

    private static LocalKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = LocalKafka.start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void createsAllTopicsThenVerifiesThemAndRefusesAMismatchWithExitCode1() throws Exception {
        CommandRun first = CommandRun.run("topics", "--bootstrap-servers", kafka.bootstrapServers());
        assertThat(first.exitCode).as(first.err()).isZero();
        for (String topic : Topics.ALL) {
            assertThat(first.out()).containsPattern("(?m)^created +" + topic + " ");
        }
        assertThat(first.out()).contains(Topics.ALL.size() + " created, 0 verified");
        try (Admin admin = kafka.admin()) {
            assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).containsAll(Topics.ALL);
        }

        CommandRun second = CommandRun.run("topics", "--bootstrap-servers", kafka.bootstrapServers());
        assertThat(second.exitCode).as(second.err()).isZero();
        for (String topic : Topics.ALL) {
            assertThat(second.out()).containsPattern("(?m)^verified +" + topic + " ");
        }
        assertThat(second.out()).contains("0 created, " + Topics.ALL.size() + " verified");

        CommandRun mismatch = CommandRun.run("topics", "-b", kafka.bootstrapServers(),
                "--partitions", "images=12,image-scores=7");
        assertThat(mismatch.exitCode).isEqualTo(1);
        assertThat(mismatch.err()).startsWith("streamae topics: Existing topics do not match")
                .contains("topic 'images': partitions expected at least 12, actual 6",
                        "topic 'image-scores': partitions expected at least 7, actual 6")
                .doesNotContain("Exception", "\tat ");
    }

    @Test
    void anUndeclaredTopicInAnOverrideIsAnError() {
        CommandRun run = CommandRun.run("topics", "-b", kafka.bootstrapServers(), "--partitions", "imagez=2");
        assertThat(run.exitCode).isEqualTo(1);
        assertThat(run.err()).contains("partition overrides for undeclared topics [imagez]").doesNotContain("\tat ");
    }

    @Test
    void anUnreachableBrokerFailsWithinTheTimeout() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        long t0 = System.nanoTime();
        CommandRun run = CommandRun.run("topics", "-b", "127.0.0.1:" + closedPort, "--timeout", "2");
        assertThat(run.exitCode).isEqualTo(1);
        assertThat(run.err()).contains("Timed out trying to list topics").doesNotContain("\tat ");
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(20);
    }

    @Test
    void describePrintsTheDeclaredTopicsAsATableWithoutConnecting() {
        CommandRun run = CommandRun.run("topics", "--describe", "-b", "127.0.0.1:1");
        assertThat(run.exitCode).isZero();
        assertThat(run.out()).startsWith("| topic | partitions | key | value | writers | readers | configs |");
        for (String topic : Topics.ALL) {
            assertThat(run.out()).contains("| " + topic + " | ");
        }
        assertThat(run.out()).contains("| models | 1 | model name (string) | binary model snapshot | trainer | "
                + "scorer, dashboard | cleanup.policy=compact, max.message.bytes=8388608, min.compaction.lag.ms=60000 |");
    }

    @Test
    void theAdminClientGetsEveryKafkaSettingButNotStreamAesOwn() {
        Map<String, Object> admin = TopicSetup.clientConfig(Map.of("bootstrap.servers", "b:9092",
                "security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN", "model.metric", "bce"));
        assertThat(admin).containsOnlyKeys("bootstrap.servers", "security.protocol", "sasl.mechanism");
    }
}
