package dev.streamae.broker;

import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Formats a KRaft log directory with Kafka's own {@code StorageTool format}, as {@code kafka-storage.sh}
 * would, unless it is formatted already (a restart, or a data directory reused across runs).
 */
final class KafkaStorage {

    private static final Logger log = LoggerFactory.getLogger(KafkaStorage.class);

    private KafkaStorage() {
    }

    /**
     * Writes {@code props} to {@code dataDir/server.properties} (StorageTool reads a file; it is also
     * handy for running {@code kafka.Kafka} on the same directory) and formats {@code logDir}.
     */
    static void format(Path dataDir, Path logDir, Properties props) {
        Path config = dataDir.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(config)) {
            props.store(out, "written by StreamAE's LocalKafka for StorageTool format; rewritten on each start");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + config, e);
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int rc;
        try (PrintStream ps = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(new String[]{"format", "--config", config.toString(),
                    "--cluster-id", clusterId(logDir), "--ignore-formatted"}, ps);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot format Kafka storage in " + logDir + ": " + e.getMessage(), e);
        }
        String text = output.toString(StandardCharsets.UTF_8).trim();
        if (rc != 0) {
            throw new IllegalStateException("Kafka's StorageTool format failed (" + rc + ") in " + logDir + ": " + text);
        }
        log.debug("StorageTool format: {}", text);
    }

    /**
     * The cluster id to format with: {@code --ignore-formatted} still insists that it matches the one
     * an already formatted directory holds, so reuse that one.
     */
    private static String clusterId(Path logDir) {
        Path meta = logDir.resolve("meta.properties");
        if (Files.isRegularFile(meta)) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(meta)) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + meta, e);
            }
            String id = p.getProperty("cluster.id");
            if (id != null && !id.isBlank()) {
                return id;
            }
        }
        return Uuid.randomUuid().toString();
    }
}
