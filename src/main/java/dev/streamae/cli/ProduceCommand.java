package dev.streamae.cli;

import dev.streamae.streams.ImageRecord;
import dev.streamae.streams.JsonSerde;
import dev.streamae.streams.Topics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code streamae produce}: streams a shipped dataset or a folder of PNGs to a topic at a given rate. */
@Command(name = "produce", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Streams images to a topic at a fixed rate: a shipped dataset (in a seeded shuffled order, "
                + "repeated as needed) or a folder of PNG files, optionally with images of the other dataset injected as anomalies (Fashion-MNIST into digits and PNG files, digits "
                + "into Fashion-MNIST).")
final class ProduceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions options;

    static final class Source {
        @Option(names = "--dataset", paramLabel = "NAME", defaultValue = "mnist-train",
                description = "mnist (10,000), mnist-train (8,000), mnist-heldout (2,000) or fashion (10,000). "
                        + "Default: ${DEFAULT-VALUE}.")
        String dataset = "mnist-train";

        @Option(names = "--folder", paramLabel = "DIR", description = "A folder of PNG files to send instead of a dataset.")
        Path folder;
    }

    @ArgGroup(exclusive = true)
    Source source = new Source();

    @Option(names = "--topic", defaultValue = Topics.IMAGES, description = "Topic to write to. Default: ${DEFAULT-VALUE}.")
    String topic;

    @Option(names = "--rate", paramLabel = "IMAGES_PER_SECOND", defaultValue = "500",
            description = "Images per second. Default: ${DEFAULT-VALUE}.")
    double rate;

    @Option(names = {"-n", "--count"}, paramLabel = "N", defaultValue = "-1",
            description = "Images to send (default: one pass over the dataset or folder; 0: until interrupted).")
    long count;

    @Option(names = "--anomaly-rate", paramLabel = "FRACTION", defaultValue = "0",
            description = "Fraction of images injected as anomalies (Fashion-MNIST; noise frames into --dataset fashion). "
                    + "Default: ${DEFAULT-VALUE}.")
    double anomalyRate;

    @Option(names = "--encoding", defaultValue = "u8",
            description = "Pixel encoding of dataset images: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    ImageStream.Encoding encoding;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the order and the anomalies. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--id-prefix", defaultValue = "", description = "Prefix of the image ids (keys).")
    String idPrefix;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (rate <= 0 || anomalyRate < 0 || anomalyRate >= 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--rate must be positive and --anomaly-rate in [0, 1)");
        }
        Map<String, String> config = options.load("producer.properties");
        ConfigOptions.bootstrap(config);
        ImageStream images = source.folder != null
                ? ImageStream.ofPngFolder(source.folder, anomalyRate, seed, idPrefix)
                : ImageStream.ofDataset(source.dataset, anomalyRate, encoding, seed, idPrefix);
        long total = count < 0 ? images.size() : count;
        Map<String, Object> props = new HashMap<>(DemoRun.clientProperties(config));
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        JsonSerde<ImageRecord> serde = JsonSerde.of(ImageRecord.class);
        AtomicLong sent = new AtomicLong();
        AtomicLong anomalies = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            RateLimiter limiter = new RateLimiter(rate);
            long nextStatus = System.nanoTime() + 1_000_000_000L;
            long n = 0;
            while ((total == 0 || n < total) && failure.get() == null) {
                for (long due = limiter.take(); due > 0 && (total == 0 || n < total); due--, n++) {
                    ImageStream.Next next = images.next();
                    if (next.injected()) {
                        anomalies.incrementAndGet();
                    }
                    producer.send(new ProducerRecord<>(topic, next.image().id(), serde.toBytes(next.image())), (md, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        } else {
                            sent.incrementAndGet();
                        }
                    });
                }
                if (System.nanoTime() >= nextStatus) {
                    out.printf("sent %,d images (%,d injected anomalies)%n", sent.get(), anomalies.get());
                    out.flush();
                    nextStatus += 1_000_000_000L;
                }
            }
            producer.flush();
        }
        if (failure.get() != null) {
            spec.commandLine().getErr().println("producing failed: " + failure.get().getMessage());
            return 1;
        }
        out.printf("sent %,d images (%,d injected anomalies) to %s%n", sent.get(), anomalies.get(), topic);
        return 0;
    }
}
