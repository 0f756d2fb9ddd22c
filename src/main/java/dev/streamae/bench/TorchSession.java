package dev.streamae.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One long-lived PyTorch reference process ({@code torch_reference.py --serve}), warmed up when it
 * starts and told over a pipe to make a measured pass whenever the bench wants one, so that it is
 * measured warm (as the Java side is, after its warm-up) and right beside the runs it is compared
 * with. A fresh process per measurement would pay the import of torch and its first, slower epoch
 * each time, or need a warm-up epoch each time; one process keeps what a long-running PyTorch
 * service would have, as the trainer's and scorer's JVMs keep their compiled code between runs.
 *
 * <p>The process's output is read on a thread of its own, so that every wait has a deadline (a
 * stuck process fails the bench instead of hanging it); lines that are not the awaited JSON reply
 * (warnings) are kept for the error message.
 */
final class TorchSession implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EOF = "\u0000eof";
    private static final int TAIL = 10;

    private final Process process;
    private final Writer commands;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Deque<String> tail = new ArrayDeque<>();
    private final int threads;
    private final TorchSetup setup;
    private final JsonNode ready;

    /** Starts {@code command} and waits for its ready line. */
    TorchSession(ProcessBuilder command, int threads, Duration readyTimeout) {
        this.threads = threads;
        try {
            process = command.redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.command(), e);
        }
        commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readLines, "torch-reference-" + threads + "t");
        reader.setDaemon(true);
        reader.start();
        JsonNode reply;
        try {
            reply = await("ready", readyTimeout);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        ready = reply;
        try {
            setup = JSON.treeToValue(reply.get("ready"), TorchSetup.class);
        } catch (JsonProcessingException e) {
            close();
            throw new IllegalStateException("the PyTorch reference's ready line is unreadable: " + reply, e);
        }
    }

    TorchSetup setup() {
        return setup;
    }

    int threads() {
        return threads;
    }

    /** The warm-up's rate, images/s ({@code warmup_train_img_per_s} or {@code warmup_infer_img_per_s}), NaN if none. */
    double warmUp(String key) {
        JsonNode v = ready.get(key);
        return v == null || !v.isNumber() ? Double.NaN : v.asDouble();
    }

    /** One measured pass: {@code command} ("train" or "infer") answered with {@code replyKey}, images/s. */
    double measure(String command, String replyKey, Duration timeout) {
        try {
            commands.write(command + "\n");
            commands.flush();
        } catch (IOException e) {
            throw new IllegalStateException("the PyTorch reference (" + threads + " thread(s)) stopped" + tail(), e);
        }
        return await(replyKey, timeout).get(replyKey).asDouble();
    }

    private JsonNode await(String key, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new IllegalStateException("the PyTorch reference (" + threads + " thread(s)) gave no " + key
                            + " within " + timeout.toSeconds() + " s" + tail());
                }
                if (line.equals(EOF)) {
                    throw new IllegalStateException("the PyTorch reference (" + threads + " thread(s)) ended" + tail());
                }
                JsonNode reply = parse(line);
                if (reply != null && reply.has("error")) {
                    throw new IllegalStateException("the PyTorch reference: " + reply.get("error").asText());
                }
                if (reply != null && reply.has(key)) {
                    return reply;
                }
                remember(line);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the PyTorch reference", e);
        }
    }

    private static JsonNode parse(String line) {
        if (!line.startsWith("{")) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(line);
            return node.isObject() ? node : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private void readLines() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(line);
            }
        } catch (IOException e) {
            // the process ended or was stopped: the EOF marker below tells the waiting side
        }
        lines.add(EOF);
    }

    private synchronized void remember(String line) {
        tail.addLast(line);
        if (tail.size() > TAIL) {
            tail.removeFirst();
        }
    }

    private synchronized String tail() {
        return tail.isEmpty() ? "" : ": " + String.join(" | ", tail);
    }

    /** Ends the process: the end of its input ends its loop; it is killed if it does not go within 10 s. */
    @Override
    public void close() {
        try {
            commands.close();
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
