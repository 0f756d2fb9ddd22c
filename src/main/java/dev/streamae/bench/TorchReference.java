package dev.streamae.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The PyTorch reference the project carries ({@code src/bench/torch_reference.py}, on the
 * classpath as {@code /bench/torch_reference.py}): the seed's network in PyTorch, trained on the
 * same 8,000-image split with batch 64 and timed the same way as the DL4J model, run as a
 * subprocess on the IDX files shipped in the jar. {@link #start} starts one such process, kept
 * warm and measured on demand ({@link TorchSession}).
 */
public final class TorchReference {

    static final String SCRIPT = "/bench/torch_reference.py";
    private static final List<String> DATA = List.of("mnist-images-idx3-ubyte.gz", "fashion-images-idx3-ubyte.gz");

    /** Import of torch, the data and the warm-up, on a machine that may be busy. */
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(5);

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
            if (canImport(python, "torch, numpy")) {
                extract(workDir);
                return new TorchReference(python, workDir);
            }
        }
        return null;
    }

    public String python() {
        return python;
    }

    /** Whether the interpreter {@code python} starts and imports {@code modules} ("a, b") within a minute. */
    public static boolean canImport(String python, String modules) {
        try {
            Process p = new ProcessBuilder(python, "-c", "import " + modules)
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
     * Starts a warmed-up reference process with {@code threads} PyTorch threads, in this process's
     * environment (the user's: {@code OPENBLAS_CORETYPE} and the like are passed on as they are,
     * and the process reports what they made it run on, {@link TorchSetup}).
     *
     * @param epochs training epochs of each measured training pass
     * @param inferencePasses passes over the 10,000 digits of each measured inference
     * @param warmupEpochs epochs (and then one inference pass) before the process is ready, not counted
     */
    TorchSession start(int threads, int epochs, int inferencePasses, int warmupEpochs, long seed) {
        return start(threads, epochs, inferencePasses, warmupEpochs, seed, Map.of());
    }

    /** As {@link #start(int, int, int, int, long)}, with {@code environment} over this process's (null values remove). */
    TorchSession start(int threads, int epochs, int inferencePasses, int warmupEpochs, long seed,
                       Map<String, String> environment) {
        List<String> command = List.of(python, workDir.resolve("torch_reference.py").toString(),
                workDir.resolve(DATA.get(0)).toString(), workDir.resolve(DATA.get(1)).toString(), "--serve",
                "--epochs", Integer.toString(epochs), "--threads", Integer.toString(threads),
                "--infer-passes", Integer.toString(inferencePasses), "--warmup-epochs", Integer.toString(warmupEpochs),
                "--seed", Long.toString(seed));
        ProcessBuilder builder = new ProcessBuilder(command);
        // Intra-op threads are set by the script; OpenMP's pool must agree or it oversubscribes, and
        // OpenBLAS takes its thread count from it too when OPENBLAS_NUM_THREADS is not set.
        builder.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
        environment.forEach((k, v) -> {
            if (v == null) {
                builder.environment().remove(k);
            } else {
                builder.environment().put(k, v);
            }
        });
        return new TorchSession(builder, threads, READY_TIMEOUT);
    }
}
