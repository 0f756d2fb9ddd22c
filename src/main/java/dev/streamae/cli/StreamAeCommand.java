package dev.streamae.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code streamae} command line; each capability is a subcommand. */
@Command(name = "streamae",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Online anomaly detection on images inside Kafka: an autoencoder trained and served by Kafka Streams.",
        subcommands = {
                CommandLine.HelpCommand.class,
                DemoCommand.class,
                BrokerCommand.class,
                TopicsCommand.class,
                ModelsCommand.class,
                ProduceCommand.class,
                TrainerCommand.class,
                ScorerCommand.class,
                DashboardCommand.class,
                TrainCommand.class,
                EvaluateCommand.class,
                PlotCommand.class,
                BenchCommand.class,
        })
public final class StreamAeCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static CommandLine commandLine() {
        return new CommandLine(new StreamAeCommand())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(StreamAeCommand::reportUserError);
    }

    /**
     * Bad input discovered while running (an unknown dataset, a bad config value, an unreachable
     * broker) is the user's to fix: print the message, not a stack trace, and exit 1.
     */
    private static int reportUserError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) throws Exception {
        if (e instanceof IllegalArgumentException || e instanceof IllegalStateException
                || e instanceof java.io.UncheckedIOException) {
            cmd.getErr().println("streamae " + cmd.getCommandName() + ": " + e.getMessage());
            return 1;
        }
        throw e;
    }

    public static void main(String[] args) {
        LogConfig.chooseFor(args);
        // Before anything touches AWT: figures render off-screen, and a stale DISPLAY must not matter.
        System.setProperty("java.awt.headless", "true");
        System.exit(commandLine().execute(args));
    }
}
