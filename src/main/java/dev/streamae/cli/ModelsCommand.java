package dev.streamae.cli;

import dev.streamae.model.SnapshotCodec;
import dev.streamae.streams.ModelEvent;
import dev.streamae.streams.ModelRouting;
import dev.streamae.streams.StreamAeSettings;
import dev.streamae.streams.TrainingMetrics;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code streamae models}: the models a deployment has, and the operator's hand on which version
 * scorers serve. Everything goes through the topics, with Kafka clients only ({@code read_committed}
 * reads to the topics' end, no consumer group; writes in a transaction, see {@link ModelPinWriter}),
 * so it works from anywhere that reaches the brokers and keeps no state of its own. A pin is a
 * copy of a {@code model-history} record on {@code model-control}; scorers check it like any
 * snapshot and serve it until an unpin.
 */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = {"Lists the models, shows one with the versions kept for rollback, and pins, unpins or rolls "
                + "back the version scorers serve.",
                "Reads training-metrics, model-history and model-control; pin, unpin and rollback write "
                        + "model-control and an event on model-events in one transaction. Every scorer serves a pin "
                        + "within moments, without a restart."},
        subcommands = {ModelsCommand.ListModels.class, ModelsCommand.Show.class, ModelsCommand.Pin.class,
                ModelsCommand.Unpin.class, ModelsCommand.Rollback.class})
final class ModelsCommand implements Runnable {

    static final int REFUSED = 1;
    static final int UNKNOWN = 2;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** A request the command cannot carry out, with the exit code it ends with. */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int exitCode;

        Refused(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    /** What every subcommand shares: the configuration layers, a timeout and the exit codes. */
    abstract static class Action implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ConfigOptions options;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
                description = "Give up reading or writing a topic after this many seconds. Default: ${DEFAULT-VALUE}.")
        int timeoutSeconds;

        Map<String, Object> clients;
        SnapshotCodec codec;
        Duration timeout;
        PrintWriter out;

        @Override
        public Integer call() {
            out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try {
                Map<String, String> config = options.load("models.properties");
                ConfigOptions.bootstrap(config);
                StreamAeSettings settings = StreamAeSettings.from(config);
                clients = TopicSetup.clientConfig(config);
                codec = SnapshotCodec.withOptionalKey(settings.signingKey());
                timeout = Duration.ofSeconds(Math.max(1, timeoutSeconds));
                run();
                out.flush();
                return 0;
            } catch (Refused e) {
                err.println("streamae models " + spec.name() + ": " + e.getMessage());
                err.flush();
                return e.exitCode;
            } catch (IllegalStateException | IllegalArgumentException | KafkaException e) {
                err.println("streamae models " + spec.name() + ": " + e.getMessage());
                err.flush();
                return REFUSED;
            }
        }

        abstract void run();

        /** The catalog with {@code model}'s history, which must be known. */
        ModelCatalog known(String model) {
            String problem = ModelRouting.problem(model);
            if (problem != null) {
                throw new Refused(UNKNOWN, problem);
            }
            ModelCatalog catalog = ModelCatalog.read(clients, codec, timeout, model);
            if (!catalog.knows(model)) {
                throw new Refused(UNKNOWN, "unknown model '" + model + "': no training-metrics, model-history or "
                        + "model-control record names it" + (catalog.names().isEmpty() ? ""
                        : " (known: " + String.join(", ", catalog.names()) + ")"));
            }
            return catalog;
        }

        void publish(String model, ModelCatalog.Version pin, String type, ModelCatalog catalog) {
            long now = System.currentTimeMillis();
            if (pin != null) {
                ModelPinWriter.write(clients, model, pin.bytes(),
                        ModelEvent.lifecycle(model, type, pin.version(), pin.examplesSeen(), now), timeout);
            } else {
                TrainingMetrics newest = catalog.metrics.get(model);
                ModelPinWriter.write(clients, model, null, ModelEvent.lifecycle(model, type, catalog.published(model),
                        newest == null ? 0 : newest.examplesSeen(), now), timeout);
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "One row per model: versions published and served, age of the newest, examples learnt, "
                    + "threshold, estimated contamination and drift phase.",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:listed", "1:Kafka could not be read in time", "2:invalid command line"})
    static final class ListModels extends Action {
        @Override
        void run() {
            ModelCatalog catalog = ModelCatalog.read(clients, codec, timeout, null);
            if (catalog.names().isEmpty()) {
                out.println("no models yet: no training-metrics record (is a trainer running?)");
                return;
            }
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("MODEL", "PUBLISHED", "SERVED", "AGE", "EXAMPLES", "THRESHOLD", "CONTAMINATION", "DRIFT"));
            Instant now = Instant.now();
            for (String name : catalog.names()) {
                TrainingMetrics m = catalog.metrics.get(name);
                rows.add(List.of(name, m == null ? "-" : Long.toString(m.modelVersion()), served(catalog, name),
                        m == null ? "-" : age(Duration.between(Instant.ofEpochMilli(m.timestamp()), now)),
                        m == null ? "-" : Long.toString(m.examplesSeen()),
                        m == null || m.threshold() == null ? "-" : Format.decimals(m.threshold(), 4),
                        m == null || m.contamination() == null ? "-" : Format.percent(m.contamination()),
                        m == null || m.driftPhase() == null ? "-" : m.driftPhase()));
            }
            out.print(table(rows));
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "One model in detail, with the versions kept in model-history and its pin.",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:shown", "1:Kafka could not be read in time", "2:unknown model, or invalid command line"})
    static final class Show extends Action {
        @Parameters(index = "0", paramLabel = "NAME", description = "The model.")
        String model;

        @Override
        void run() {
            ModelCatalog catalog = known(model);
            TrainingMetrics m = catalog.metrics.get(model);
            List<List<String>> facts = new ArrayList<>();
            facts.add(List.of("model", model));
            facts.add(List.of("published", m == null ? "-" : "version " + m.modelVersion() + ", "
                    + age(Duration.between(Instant.ofEpochMilli(m.timestamp()), Instant.now())) + " ago ("
                    + Instant.ofEpochMilli(m.timestamp()) + ")"));
            facts.add(List.of("served", served(catalog, model)));
            if (m != null) {
                facts.add(List.of("examples learnt", Long.toString(m.examplesSeen())));
                facts.add(List.of("threshold", m.threshold() == null ? "- (no calibration yet)"
                        : Format.decimals(m.threshold(), 4) + " (" + m.metric() + ", false-alarm rate "
                        + m.falseAlarmRate() + ")"));
                facts.add(List.of("alerting", m.alerting() ? "yes" : "no (warming up)"));
                facts.add(List.of("contamination", m.contamination() == null ? "-" : Format.percent(m.contamination())));
                facts.add(List.of("drift", m.driftPhase() == null ? "-" : m.driftPhase() + " (policy " + m.driftPolicy()
                        + ", statistic " + Format.decimals(m.driftStatistic() == null ? Double.NaN : m.driftStatistic(), 1)
                        + ")"));
            }
            out.print(table(facts));
            ModelCatalog.Version pin = catalog.pins.get(model);
            out.println();
            out.println("kept versions (model-history): " + (catalog.history.isEmpty() ? "none" : catalog.history.size()));
            if (!catalog.history.isEmpty()) {
                List<List<String>> rows = new ArrayList<>();
                rows.add(List.of("VERSION", "CREATED", "EXAMPLES", ""));
                for (ModelCatalog.Version v : catalog.history.descendingMap().values()) {
                    rows.add(List.of(Long.toString(v.version()), v.createdAt().toString(), Long.toString(v.examplesSeen()),
                            pin != null && pin.version() == v.version() ? "pinned" : ""));
                }
                out.print(table(rows));
            }
            out.println("pin: " + (pin == null ? "none (scorers serve the newest)" : "version " + pin.version()));
            if (catalog.unreadable > 0) {
                out.println(catalog.unreadable + " records could not be read (bad snapshot or signature) and are left out");
            }
        }
    }

    @Command(name = "pin", mixinStandardHelpOptions = true,
            description = "Makes scorers serve VERSION of model NAME, a version kept in model-history, instead of the "
                    + "newest, until unpin. Writes a PINNED event.",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:pinned", "1:Kafka could not be read or written", "2:unknown model or version not kept, "
                    + "or invalid command line"})
    static final class Pin extends Action {
        @Parameters(index = "0", paramLabel = "NAME", description = "The model.")
        String model;

        @Parameters(index = "1", paramLabel = "VERSION", description = "A version kept in model-history.")
        long version;

        @Override
        void run() {
            ModelCatalog catalog = known(model);
            ModelCatalog.Version kept = catalog.history.get(version);
            if (kept == null) {
                throw new Refused(UNKNOWN, "version " + version + " of model " + model + " is not kept in model-history"
                        + " (kept: " + (catalog.history.isEmpty() ? "none" : catalog.history.descendingKeySet()) + ")");
            }
            long before = catalog.served(model);
            publish(model, kept, ModelEvent.PINNED, catalog);
            out.printf("model %s pinned to version %d (served before: version %d)%n", model, version, before);
        }
    }

    @Command(name = "unpin", mixinStandardHelpOptions = true,
            description = "Ends the pin of model NAME: scorers serve its newest version again. Writes an UNPINNED event.",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:unpinned, or was not pinned", "1:Kafka could not be read or written",
                    "2:unknown model, or invalid command line"})
    static final class Unpin extends Action {
        @Parameters(index = "0", paramLabel = "NAME", description = "The model.")
        String model;

        @Override
        void run() {
            ModelCatalog catalog = known(model);
            ModelCatalog.Version pin = catalog.pins.get(model);
            if (pin == null) {
                out.printf("model %s is not pinned: scorers serve its newest version (%d)%n", model,
                        catalog.published(model));
                return;
            }
            publish(model, null, ModelEvent.UNPINNED, catalog);
            out.printf("model %s unpinned (was version %d): scorers serve the newest, version %d%n", model,
                    pin.version(), catalog.published(model));
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Pins model NAME to the newest version kept in model-history that is older than the one "
                    + "served now (the pinned one, else the newest). Writes a ROLLED_BACK event; repeat to go further "
                    + "back, unpin to return to the newest.",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:rolled back", "1:no older version kept, or Kafka could not be read or written",
                    "2:unknown model, or invalid command line"})
    static final class Rollback extends Action {
        @Parameters(index = "0", paramLabel = "NAME", description = "The model.")
        String model;

        @Override
        void run() {
            ModelCatalog catalog = known(model);
            long served = catalog.served(model);
            var older = catalog.history.lowerEntry(served);
            if (older == null) {
                throw new Refused(REFUSED, "no version of model " + model + " older than the served version " + served
                        + " is kept in model-history (kept: " + (catalog.history.isEmpty() ? "none"
                        : catalog.history.descendingKeySet()) + ")");
            }
            publish(model, older.getValue(), ModelEvent.ROLLED_BACK, catalog);
            out.printf("model %s rolled back to version %d (served before: version %d)%n", model, older.getKey(), served);
        }
    }

    private static String served(ModelCatalog catalog, String model) {
        ModelCatalog.Version pin = catalog.pins.get(model);
        return pin != null ? pin.version() + " (pinned)" : Long.toString(catalog.published(model));
    }

    /** A duration as its largest whole unit: 45s, 12m, 5h, 3d. */
    static String age(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 90) {
            return s + "s";
        }
        if (s < 90 * 60) {
            return s / 60 + "m";
        }
        if (s < 36 * 3600) {
            return s / 3600 + "h";
        }
        return s / 86_400 + "d";
    }

    /** Rows as left-aligned columns two spaces apart, trailing blanks trimmed. */
    static String table(List<List<String>> rows) {
        int[] widths = new int[rows.get(0).size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(String.format("%-" + (widths[i] + 2) + "s", row.get(i)));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }
}
