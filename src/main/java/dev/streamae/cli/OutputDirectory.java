package dev.streamae.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/** The {@code --output} directory of the commands that write files. */
final class OutputDirectory {

    private OutputDirectory() {
    }

    /**
     * Creates {@code dir} (and its parents) before any work is done, so that a bad path fails at once.
     *
     * @throws CommandLine.ParameterException naming the directory and the reason
     */
    static Path create(CommandLine commandLine, Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException | SecurityException e) {
            throw new CommandLine.ParameterException(commandLine, "cannot create --output directory " + dir + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
        if (!Files.isWritable(dir)) {
            throw new CommandLine.ParameterException(commandLine, "--output directory " + dir + " is not writable");
        }
        return dir;
    }
}
