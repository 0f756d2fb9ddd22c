package dev.streamae.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The PyTorch reference the project carries ({@code src/bench/torch_reference.py}, on the
 * classpath as {@code /bench/torch_reference.py}): the seed's network in PyTorch, trained on the
 * same 8,000-image split with batch 64 and timed the same way as the DL4J model, run as a
 * subprocess on the IDX files shipped in the jar.
 */
public final class TorchReference {

    static final String SCRIPT = "/bench/torch_reference.py";
    private static final List<String> DATA = List.of("mnist-images-idx3-ubyte.gz", "fashion-images-idx3-ubyte.gz");

    /**
     * One run's summary: training and batch-inference throughput.
     *
     * @param blas the BLAS library the script's process loaded (see the script), or "unknown"
     */
    public record Result(double trainImagesPerSecond, double inferImagesPerSecond, String blas) {
    }

    private final String python;
    private final Path workDir;

    private TorchReference(String python, Path workDir) {
        this.python = python;
        this.workDir = workDir;
    }

    /**
     * The first of {@code candidates} that can import torch and numpy, with the script and the
     * datasets extracted to {@code workDir}; null if none can.
     */
    public static TorchReference find(List<String> candidates, Path workDir) {
        for (String python : candidates) {
            if (canImportTorch(python)) {
                extract(workDir);
                return new TorchReference(python, workDir);
            }
        }
        return null;
    }

    public String python() {
        return python;
    }

    static boolean canImportTorch(String python) {
        try {
            Process p = new ProcessBuilder(python, "-c", "import torch, numpy")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void extract(Path dir) {
        try {
            Files.createDirectories(dir);
            copy(SCRIPT, dir.resolve("torch_reference.py"));
            for (String file : DATA) {
                copy("/datasets/" + file, dir.resolve(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the PyTorch reference to " + dir, e);
        }
    }

    private static void copy(String resource, Path target) throws IOException {
        try (InputStream in = TorchReference.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is missing from the classpath");
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Trains for {@code epochs} epochs with {@code threads} PyTorch threads and returns its summary.
     *
     * @throws IllegalStateException if the script fails, times out or prints no summary
     */
    public Result run(int epochs, int threads, long seed, Duration timeout) {
        List<String> command = new ArrayList<>(List.of(python, workDir.resolve("torch_reference.py").toString(),
                workDir.resolve(DATA.get(0)).toString(), workDir.resolve(DATA.get(1)).toString(),
                "--epochs", Integer.toString(epochs), "--threads", Integer.toString(threads),
                "--seed", Long.toString(seed), "--speed-only"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        // Intra-op threads are set by the script; OpenMP's pool must agree or it oversubscribes.
        builder.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
        List<String> output = new ArrayList<>();
        try {
            Process p = builder.start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.add(line);
                }
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("the PyTorch reference did not finish within " + timeout.toSeconds() + " s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("the PyTorch reference failed (exit " + p.exitValue() + "): "
                        + String.join(" | ", output.subList(Math.max(0, output.size() - 5), output.size())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + python, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running the PyTorch reference", e);
        }
        for (int i = output.size() - 1; i >= 0; i--) {
            Map<String, String> summary = parseSummary(output.get(i));
            if (summary.containsKey("train_img_per_s") && summary.containsKey("infer_img_per_s")) {
                return new Result(Double.parseDouble(summary.get("train_img_per_s")),
                        Double.parseDouble(summary.get("infer_img_per_s")), summary.getOrDefault("blas", "unknown"));
            }
        }
        throw new IllegalStateException("the PyTorch reference printed no summary line: " + String.join(" | ", output));
    }

    /** The {@code key=value} pairs of a summary line (other words are ignored). */
    static Map<String, String> parseSummary(String line) {
        Map<String, String> m = new HashMap<>();
        for (String word : line.trim().split("\\s+")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                m.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return m;
    }
}
