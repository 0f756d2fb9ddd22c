package dev.streamae.it;

import static dev.streamae.broker.WaitUntil.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.broker.KafkaBroker;
import dev.streamae.broker.LocalKafka;
import dev.streamae.image.Datasets;
import dev.streamae.streams.BadRecordHandlers;
import dev.streamae.streams.StreamsApp;
import dev.streamae.streams.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A seeded corpus of over a thousand hostile records (see {@link MalformedRecords#corpus}), valid
 * images interleaved, through the real trainer and scorer: every bad record lands in
 * {@code images-dlq} exactly once with a reason, no stream thread dies or is replaced, every valid
 * image is scored once and learnt once, and the heap after GC grows by less than a bound.
 */
class BadInputCorpusTest {

    static final long SEED = Long.getLong("streamae.corpus.seed", 20_251_128L);
    static final int COUNT = 1_100;
    private static final int VALID = 300;
    /** Retained heap growth allowed over the whole corpus (it pushes ~50 MB of records through each app). */
    private static final long MAX_HEAP_GROWTH = 32L << 20;
    private static final Logger LOG = LoggerFactory.getLogger(BadInputCorpusTest.class);

    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker();

    @Test
    void everyHostileRecordIsDeadLetteredOnceAndNothingElseIsDisturbed(@TempDir Path dir) throws Exception {
        LocalKafka kafka = BROKER.kafka();
        Map<String, String> settings = Map.of();  // production defaults: batch 64, publishing, scorer threads
        List<MalformedRecords.Bad> corpus = MalformedRecords.corpus(SEED, COUNT);
        Datasets.Labelled train = Datasets.mnistTrain();
        Random random = new Random(SEED);
        try (var trainer = StreamAeRunner.trainer(kafka, dir.resolve("trainer"), settings);
             var scorer = StreamAeRunner.scorer(kafka, dir.resolve("scorer"), settings);
             var client = new KafkaTestClient(kafka)) {
            // Warm both apps up on valid images, so that the baseline heap holds their steady state.
            for (int i = 0; i < 50; i++) {
                client.send(KafkaTestClient.image("warm-" + i, train, i));
            }
            client.flush();
            waitUntil("50 warm-up images scored", Duration.ofSeconds(60), () -> scorer.metrics().imagesScored() == 50);
            waitUntil("50 warm-up images learnt", Duration.ofSeconds(60), () -> trainer.metrics().examplesTrained() == 50);
            Set<String> trainerThreads = threadNames(trainer.app());
            Set<String> scorerThreads = threadNames(scorer.app());
            long heapBefore = HeapProbe.usedAfterGc();

            List<Runnable> sends = new ArrayList<>();
            corpus.forEach(b -> sends.add(() -> client.send(Topics.IMAGES, b.id(), b.value())));
            for (int i = 0; i < VALID; i++) {
                int index = 100 + i;
                sends.add(() -> client.send(KafkaTestClient.image("valid-" + index, train, index)));
            }
            Collections.shuffle(sends, random);
            long t0 = System.nanoTime();
            sends.forEach(Runnable::run);
            client.flush();

            // In methods of their own, so that the records read back are garbage before the heap is measured.
            checkDeadLetters(client, corpus);
            LOG.info("corpus of {} records ({} MB) dead-lettered in {} ms", corpus.size(),
                    corpus.stream().mapToLong(MalformedRecords.Bad::size).sum() >> 20, (System.nanoTime() - t0) / 1_000_000);
            assertThat(scorer.badRecords().get()).isEqualTo(corpus.size());
            client.assertEachKeyOnce(Topics.IMAGE_SCORES, 50 + VALID, Duration.ofSeconds(60));
            waitUntil("the trainer learns every valid image", Duration.ofSeconds(60),
                    () -> trainer.metrics().examplesTrained() == 50 + VALID);
            waitUntil("the trainer counts every bad record", Duration.ofSeconds(30),
                    () -> trainer.badRecords().get() == corpus.size());

            // No thread died (a replaced thread has a new name) and both apps are still running.
            assertThat(trainer.app().streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(scorer.app().streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(threadNames(trainer.app())).isEqualTo(trainerThreads);
            assertThat(threadNames(scorer.app())).isEqualTo(scorerThreads);

            long heapAfter = HeapProbe.usedAfterGc();
            LOG.info("heap after GC: {} MB before the corpus, {} MB after", HeapProbe.megabytes(heapBefore),
                    HeapProbe.megabytes(heapAfter));
            assertThat(heapAfter - heapBefore).as("retained heap growth, bytes").isLessThan(MAX_HEAP_GROWTH);
        }
    }

    /** Every bad record exactly once in the dead-letter queue, each with a reason. */
    private static void checkDeadLetters(KafkaTestClient client, List<MalformedRecords.Bad> corpus) {
        List<ConsumerRecord<String, byte[]>> dead =
                client.readCommitted(Topics.IMAGES_DLQ, corpus.size(), Duration.ofSeconds(120));
        Map<String, Long> perKey = dead.stream().filter(r -> r.key() != null)
                .collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.counting()));
        Set<String> keys = corpus.stream().map(MalformedRecords.Bad::id).filter(k -> k != null)
                .collect(Collectors.toSet());
        assertThat(perKey.keySet()).as("keys of dead letters").isEqualTo(keys);
        assertThat(Set.copyOf(perKey.values())).containsExactly(1L);
        assertThat(dead.stream().filter(r -> r.key() == null).count()).isEqualTo(MalformedRecords.nullKeys(corpus));
        assertThat(dead).hasSize(corpus.size());
        for (ConsumerRecord<String, byte[]> r : dead) {
            var reason = r.headers().lastHeader("__streams.errors.message");
            assertThat(reason).as("reason header on " + r.key()).isNotNull();
            assertThat(new String(reason.value(), StandardCharsets.UTF_8)).as("reason of " + r.key()).isNotBlank();
        }
        // Records too large to copy whole are cut, with their original size in a header.
        long cut = dead.stream().filter(r -> r.headers().lastHeader(BadRecordHandlers.ORIGINAL_VALUE_BYTES_HEADER) != null)
                .count();
        assertThat(cut).isEqualTo(corpus.stream().filter(b -> b.size() > BadRecordHandlers.MAX_COPIED_BYTES).count());
    }

    private static Set<String> threadNames(StreamsApp app) {
        return app.streams().metadataForLocalThreads().stream().map(ThreadMetadata::threadName)
                .collect(Collectors.toSet());
    }
}
