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
                TrainerCommand.class,
                ScorerCommand.class,
                TopicsCommand.class,
                BrokerCommand.class,
        })
public final class StreamAeCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static CommandLine commandLine() {
        return new CommandLine(new StreamAeCommand()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
