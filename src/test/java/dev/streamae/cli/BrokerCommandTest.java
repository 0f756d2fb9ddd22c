package dev.streamae.cli;

import static dev.streamae.broker.WaitUntil.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamae.streams.Topics;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.internals.Exit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code streamae broker} run on a thread, as from a terminal: serve clients, stop cleanly, end on a fatal fault. */
class BrokerCommandTest {

    @Test
    void servesAProducerAndConsumerThenStopsCleanlyKeepingItsData(@TempDir Path dir) throws Exception {
        int port = freePort();
        String bootstrap = "127.0.0.1:" + port;
        CommandRun run = new CommandRun();
        CompletableFuture<Integer> exit = run.start("broker", "--port", Integer.toString(port),
                "--data-dir", dir.toString());
        awaitReady(run, exit, bootstrap);
        assertThat(run.out()).contains(dev.streamae.streams.Topics.ALL.size() + " created, 0 verified");

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.IMAGES, "k", "hello")).get(30, TimeUnit.SECONDS);
        }
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "broker-command-test", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(Topics.IMAGES));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            ConsumerRecords<String, String> records = ConsumerRecords.empty();
            while (records.isEmpty() && System.nanoTime() < deadline) {
                records = consumer.poll(Duration.ofMillis(200));
            }
            assertThat(records).singleElement().satisfies(r -> assertThat(r.value()).isEqualTo("hello"));
        }

        run.<BrokerCommand>subcommand("broker").stop();
        assertThat(exit.get(60, TimeUnit.SECONDS)).as(run.err()).isZero();
        assertThat(run.out()).contains("broker stopped");
        assertThat(dir).as("data dir kept for the next run").isDirectoryContaining(p -> p.endsWith("kafka-logs"));
        try (ServerSocket s = new ServerSocket(port)) {
            assertThat(s.getLocalPort()).as("port released").isEqualTo(port);
        }
    }

    @Test
    void aFatalKafkaFaultStopsTheBrokerAndExitsWith1(@TempDir Path dir) throws Exception {
        int port = freePort();
        CommandRun run = new CommandRun();
        CompletableFuture<Integer> exit = run.start("broker", "--port", Integer.toString(port),
                "--data-dir", dir.toString(), "--no-create-topics");
        awaitReady(run, exit, "127.0.0.1:" + port);
        assertThat(run.out()).doesNotContain("created");

        // What Kafka's fault handlers do; the embedded broker's guard refuses it and tells the command.
        assertThatThrownBy(() -> Exit.halt(1, "simulated metadata fault")).hasMessageContaining("fatal fault");

        assertThat(exit.get(60, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(run.err()).contains("streamae broker: embedded Kafka hit a fatal fault", "simulated metadata fault",
                "the broker was stopped");
    }

    private static void awaitReady(CommandRun run, CompletableFuture<Integer> exit, String bootstrap) {
        waitUntil("the broker command to print its bootstrap address", Duration.ofSeconds(60),
                () -> run.out().contains("bootstrap servers: " + bootstrap) || exit.isDone());
        assertThat(exit).as(run.err()).isNotDone();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
