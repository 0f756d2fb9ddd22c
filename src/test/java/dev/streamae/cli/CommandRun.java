package dev.streamae.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine;

/**
 * One {@code streamae} command line, run the way {@code main} runs it (exit code, no
 * {@code System.exit}), with its output and error streams captured.
 */
final class CommandRun {

    final CommandLine commandLine = StreamAeCommand.commandLine();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    CommandRun() {
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
    }

    /** Runs {@code args} on this thread; returns the exit code. */
    static CommandRun run(String... args) {
        CommandRun run = new CommandRun();
        run.exitCode = run.commandLine.execute(args);
        return run;
    }

    /** Runs {@code args} on a new thread; the future completes with the exit code. */
    CompletableFuture<Integer> start(String... args) {
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                exit.complete(commandLine.execute(args));
            } catch (Throwable e) {
                exit.completeExceptionally(e);
            }
        }, "streamae-" + args[0]);
        t.setDaemon(true);
        t.start();
        return exit;
    }

    /** The instance picocli runs for subcommand {@code name}, e.g. to stop a long-running command. */
    <T> T subcommand(String name) {
        return commandLine.getSubcommands().get(name).getCommand();
    }

    int exitCode = -1;

    String out() {
        return out.toString();
    }

    String err() {
        return err.toString();
    }
}
