package dev.streamae.streams;

import dev.streamae.broker.LocalKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.streamae.broker.WaitUntil.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * TopicAdmin against a real broker, shared by the class: every test works on the declared topics
 * renamed under its own random prefix, so tests never see each other's topics.
 */
class TopicAdminTest {

    private static LocalKafka kafka;
    private static Admin admin;

    @BeforeAll
    static void startBroker() {
        kafka = LocalKafka.start();
        admin = kafka.admin();
    }

    @AfterAll
    static void closeBroker() {
        if (admin != null) {
            admin.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void createsEveryDeclaredTopicAsDeclaredAndASecondRunCreatesNothing() throws Exception {
        String p = prefix();
        List<TopicDeclaration> topics = declared(p);

        TopicAdmin.Report first = TopicAdmin.ensure(admin, topics);

        assertThat(first.created()).containsExactlyElementsOf(names(topics));
        assertThat(first.verified()).isEmpty();
        Map<String, TopicDescription> described = admin.describeTopics(names(topics)).allTopicNames().get(10, TimeUnit.SECONDS);
        for (TopicDeclaration t : topics) {
            assertThat(described.get(t.name()).partitions()).as(t.name()).hasSize(t.partitions());
        }
        Config models = topicConfig(p + Topics.MODELS);
        assertThat(models.get("cleanup.policy").value()).isEqualTo("compact");
        assertThat(models.get("max.message.bytes").value()).isEqualTo("8388608");
        assertThat(models.get("min.compaction.lag.ms").value()).isEqualTo("60000");

        TopicAdmin.Report second = TopicAdmin.ensure(admin, topics);
        assertThat(second.created()).isEmpty();
        assertThat(second.verified()).containsExactlyElementsOf(names(topics));
        assertThat(second.toString()).startsWith("created 0 topic(s), verified " + topics.size());
    }

    @Test
    void partitionOverridesReplaceTheDeclaredCounts() throws Exception {
        String p = prefix();
        TopicAdmin.Report report = TopicAdmin.ensure(admin, declared(p),
                TopicAdmin.Options.defaults().withPartitions(Map.of(p + Topics.IMAGES, 2)));
        assertThat(report.created()).hasSize(Topics.ALL.size());
        assertThat(partitions(p + Topics.IMAGES)).isEqualTo(2);
        assertThat(partitions(p + Topics.IMAGE_SCORES)).isEqualTo(6);

        assertThatThrownBy(() -> TopicAdmin.ensure(admin, declared(p),
                TopicAdmin.Options.defaults().withPartitions(Map.of("imgaes", 2))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("imgaes");
    }

    @Test
    void tooFewPartitionsFailsNamingTopicSettingExpectedAndActual() throws Exception {
        String p = prefix();
        create(new NewTopic(p + Topics.IMAGES, 1, (short) 1));

        assertThatThrownBy(() -> TopicAdmin.ensure(admin, declared(p)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("topic '" + p + Topics.IMAGES + "': partitions expected at least 6, actual 1");
        assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS))
                .as("a failed run creates nothing").filteredOn(n -> n.startsWith(p)).containsExactly(p + Topics.IMAGES);
    }

    @Test
    void aDifferentConfigFailsNamingTopicSettingExpectedAndActual() throws Exception {
        String p = prefix();
        create(new NewTopic(p + Topics.MODELS, 1, (short) 1).configs(Map.of("cleanup.policy", "delete")));

        assertThatThrownBy(() -> TopicAdmin.ensure(admin, List.of(declaredTopic(p, Topics.MODELS))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("topic '" + p + Topics.MODELS + "': cleanup.policy expected 'compact', actual 'delete'")
                .hasMessageContaining("max.message.bytes expected '8388608', actual '10485760'");
    }

    @Test
    void morePartitionsThanDeclaredAreFine() throws Exception {
        String p = prefix();
        create(new NewTopic(p + Topics.IMAGES, 8, (short) 1));

        TopicAdmin.Report report = TopicAdmin.ensure(admin, List.of(declaredTopic(p, Topics.IMAGES)));

        assertThat(report.created()).isEmpty();
        assertThat(report.verified()).containsExactly(p + Topics.IMAGES);
    }

    @Test
    void concurrentRunsBothSucceedAndEachTopicIsCreatedOnce() throws Exception {
        String p = prefix();
        List<TopicDeclaration> topics = declared(p);
        List<CompletableFuture<TopicAdmin.Report>> runs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            runs.add(CompletableFuture.supplyAsync(() -> {
                try (Admin own = kafka.admin()) {
                    return TopicAdmin.ensure(own, topics);
                }
            }));
        }
        TopicAdmin.Report a = runs.get(0).get(60, TimeUnit.SECONDS);
        TopicAdmin.Report b = runs.get(1).get(60, TimeUnit.SECONDS);

        List<String> createdByEither = new ArrayList<>(a.created());
        createdByEither.addAll(b.created());
        assertThat(createdByEither).containsExactlyInAnyOrderElementsOf(names(topics));
        assertThat(a.verified()).containsExactlyInAnyOrderElementsOf(b.created());
        assertThat(b.verified()).containsExactlyInAnyOrderElementsOf(a.created());
    }

    private static String prefix() {
        return "t" + UUID.randomUUID().toString().substring(0, 8) + "-";
    }

    private static List<TopicDeclaration> declared(String prefix) {
        return TopicDeclarations.load().all().stream().map(t -> t.withName(prefix + t.name())).toList();
    }

    private static TopicDeclaration declaredTopic(String prefix, String name) {
        return TopicDeclarations.load().get(name).withName(prefix + name);
    }

    private static List<String> names(List<TopicDeclaration> topics) {
        return topics.stream().map(TopicDeclaration::name).toList();
    }

    /** Creates a topic "beforehand": also waits until the broker lists it, as an old topic would be. */
    private static void create(NewTopic topic) throws Exception {
        admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        waitUntil(topic.name() + " listed", Duration.ofSeconds(10),
                () -> admin.listTopics().names().toCompletionStage().toCompletableFuture().join().contains(topic.name()));
    }

    private static int partitions(String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions().size();
    }

    private static Config topicConfig(String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(r)).all().get(10, TimeUnit.SECONDS).get(r);
    }
}
