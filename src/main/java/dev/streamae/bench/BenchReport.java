package dev.streamae.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The results of one {@code streamae bench} invocation, as written to its JSON file, with the
 * previous file's medians for comparison.
 *
 * @param format version of this layout
 * @param startedAt ISO-8601 start time
 * @param machine where it ran and how busy the machine was
 * @param settings the options of the run (repeats, images, epochs, ...)
 * @param measures every measure, medians and runs
 * @param checks targets and ratios evaluated from the medians
 * @param notes what was skipped and why, and anything a reader should know
 * @param torchSetups what the PyTorch reference's processes ran on, each distinct setup once
 *     (empty when it did not run)
 * @param previous the medians of the file this one replaced, or null
 */
public record BenchReport(int format, String startedAt, Machine machine, Map<String, String> settings,
                          List<Measure> measures, List<Check> checks, List<String> notes, List<TorchSetup> torchSetups,
                          Previous previous) {

    /** 2: PyTorch measured beside the trainer and the scorer, its setups recorded. */
    public static final int FORMAT = 2;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    /**
     * @param cores available processors
     * @param loadBefore 1-minute load average when the run started (-1 if unknown)
     * @param loadAfter 1-minute load average when it ended (-1 if unknown)
     */
    public record Machine(int cores, double loadBefore, double loadAfter, String java, String os) {
    }

    /** The previous run's medians by measure key. */
    public record Previous(String startedAt, Map<String, Double> medians) {
    }

    public BenchReport {
        settings = Map.copyOf(settings);
        measures = List.copyOf(measures);
        checks = List.copyOf(checks);
        notes = List.copyOf(notes);
        torchSetups = torchSetups == null ? List.of() : List.copyOf(torchSetups);
    }

    /** Median by measure key, in measure order. */
    public Map<String, Double> medians() {
        Map<String, Double> m = new LinkedHashMap<>();
        measures.forEach(x -> m.put(x.key(), x.median()));
        return m;
    }

    /** Relative change of {@code measure}'s median against the previous run (0.1 = 10% more), or null. */
    public Double delta(Measure measure) {
        if (previous == null) {
            return null;
        }
        Double before = previous.medians().get(measure.key());
        if (before == null || before == 0 || before.isNaN()) {
            return null;
        }
        return measure.median() / before - 1;
    }

    /** This report with {@code older}'s medians as its previous run. */
    public BenchReport comparedWith(BenchReport older) {
        Previous p = older == null ? null : new Previous(older.startedAt(), older.medians());
        return new BenchReport(format, startedAt, machine, settings, measures, checks, notes, torchSetups, p);
    }

    public String toJson() {
        try {
            return MAPPER.writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static BenchReport fromJson(String json) {
        try {
            return MAPPER.readValue(json, BenchReport.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a bench results file: " + e.getMessage(), e);
        }
    }

    public void write(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, toJson() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The report in {@code file}, or null if there is none or it cannot be read (it is then replaced). */
    public static BenchReport readIfPresent(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return fromJson(Files.readString(file));
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }
}
