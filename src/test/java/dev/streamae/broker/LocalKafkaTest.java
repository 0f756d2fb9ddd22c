package dev.streamae.broker;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.streamae.broker.WaitUntil.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * LocalKafka on a real broker. One broker is shared by the class (a start costs ~2 s); tests use
 * their own topic names, and the restart test restarts the shared broker in place.
 */
class LocalKafkaTest {

    private static final Logger log = LoggerFactory.getLogger(LocalKafkaTest.class);
    private static LocalKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = LocalKafka.start();
        log.info("shared broker started in {} ms", kafka.lastStartMillis());
    }

    @AfterAll
    static void closeBroker() {
        Path dir = kafka.dataDir();
        kafka.close();
        kafka.close(); // idempotent
        assertThat(dir).as("temporary data dir deleted on close").doesNotExist();
    }

    @Test
    void servesRequestsOnLoopbackOnceStarted() throws Exception {
        assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + kafka.port());
        assertThat(kafka.isRunning()).isTrue();
        try (Admin admin = kafka.admin()) {
            assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)).hasSize(1);
        }
    }

    @Test
    void transactionalProducerAndReadCommittedConsumerWork() throws Exception {
        String topic = createTopic("tx", 2);
        try (KafkaProducer<String, String> producer = producer(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-" + UUID.randomUUID()))) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "committed-" + i));
            }
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k9", "aborted"));
            producer.flush();
            producer.abortTransaction();
        }
        List<String> values = consume(topic, 3, Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
        assertThat(values).containsExactlyInAnyOrder("committed-0", "committed-1", "committed-2");
    }

    @Test
    void acceptsRecordsOfSeveralMegabytes() throws Exception {
        String topic = createTopic("big", 1);
        String big = "x".repeat(3 * 1024 * 1024);
        try (KafkaProducer<String, String> producer = producer(Map.of(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, LocalKafka.MAX_MESSAGE_BYTES))) {
            producer.send(new ProducerRecord<>(topic, "model", big)).get(30, TimeUnit.SECONDS);
        }
        assertThat(consume(topic, 1, Map.of())).singleElement().isEqualTo(big);
    }

    @Test
    void restartKeepsPortAndRecords() throws Exception {
        String topic = createTopic("restart", 1);
        int port = kafka.port();
        try (KafkaProducer<String, String> producer = producer(Map.of())) {
            producer.send(new ProducerRecord<>(topic, "k", "before-restart")).get(30, TimeUnit.SECONDS);
        }
        kafka.stop();
        assertThat(kafka.isRunning()).isFalse();
        kafka.restart();
        log.info("shared broker restarted in {} ms", kafka.lastStartMillis());
        assertThat(kafka.port()).isEqualTo(port);
        assertThat(consume(topic, 1, Map.of())).containsExactly("before-restart");
    }

    @Test
    void givenDataDirAndPortServeTheSameDataToANewInstance(@TempDir Path dir) throws Exception {
        int port = freePort();
        try (LocalKafka first = LocalKafka.builder().dataDir(dir).port(port).start()) {
            assertThat(first.bootstrapServers()).isEqualTo("127.0.0.1:" + port);
            try (Admin admin = first.admin()) {
                admin.createTopics(List.of(new NewTopic("kept", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                    producerConfig(first, Map.of()), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("kept", "k", "v")).get(30, TimeUnit.SECONDS);
            }
        }
        assertThat(dir).as("a given data dir is kept").isDirectoryContaining(p -> p.endsWith("kafka-logs"));
        try (LocalKafka second = LocalKafka.builder().dataDir(dir).port(port).start()) {
            assertThat(consume(second, "kept", 1, Map.of())).containsExactly("v");
        }
    }

    private static String createTopic(String prefix, int partitions) throws Exception {
        String topic = prefix + "-" + UUID.randomUUID();
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        return topic;
    }

    private static KafkaProducer<String, String> producer(Map<String, Object> extra) {
        return new KafkaProducer<>(producerConfig(kafka, extra), new StringSerializer(), new StringSerializer());
    }

    private static Map<String, Object> producerConfig(LocalKafka broker, Map<String, Object> extra) {
        Map<String, Object> config = broker.clientProperties();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.putAll(extra);
        return config;
    }

    private static List<String> consume(String topic, int expected, Map<String, Object> extra) {
        return consume(kafka, topic, expected, extra);
    }

    /** Reads from the beginning until {@code expected} values arrived, then a short grace poll for extras. */
    private static List<String> consume(LocalKafka broker, String topic, int expected, Map<String, Object> extra) {
        Map<String, Object> config = broker.clientProperties();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, LocalKafka.MAX_MESSAGE_BYTES);
        config.putAll(extra);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            waitUntil(expected + " records from " + topic, Duration.ofSeconds(30), () -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
                return values.size() >= expected;
            });
            consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
        }
        return values;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            return s.getLocalPort();
        }
    }
}
