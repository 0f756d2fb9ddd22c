package dev.streamae.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One section of the project's README.md and its fenced code blocks, read from the file itself so
 * that tests check what users read and run the examples users copy, not copies of them that could
 * drift apart.
 */
public final class ReadmeSection {

    /** A fenced block: its language tag ({@code bash}, {@code java}, ...) and its text. */
    public record Block(String language, String code) {
    }

    private static final Pattern FENCED = Pattern.compile("(?ms)^```(\\w*)\\n(.*?)^```$");

    private final String heading;
    private final String text;
    private final List<Block> blocks;

    private ReadmeSection(String heading, String text, List<Block> blocks) {
        this.heading = heading;
        this.text = text;
        this.blocks = blocks;
    }

    /** The section under {@code heading} (a whole line such as {@code ## Producing and consuming}), up to the next heading of its level. */
    public static ReadmeSection read(String heading) {
        String readme;
        try {
            readme = Files.readString(Path.of("README.md"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int start = readme.indexOf("\n" + heading + "\n");
        if (start < 0) {
            throw new AssertionError("README.md has no section " + heading);
        }
        String level = heading.substring(0, heading.indexOf(' ') + 1);
        int end = readme.indexOf("\n" + level, start + heading.length() + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        List<Block> blocks = new ArrayList<>();
        Matcher m = FENCED.matcher(section);
        while (m.find()) {
            blocks.add(new Block(m.group(1), m.group(2)));
        }
        return new ReadmeSection(heading, section, blocks);
    }

    /** The section's text, its heading and any subsections included. */
    public String text() {
        return text;
    }

    /** The one block of {@code language} that contains {@code marker}; fails if there is none or more than one. */
    public Block block(String language, String marker) {
        List<Block> found = blocks.stream()
                .filter(b -> b.language().equals(language) && b.code().contains(marker)).toList();
        if (found.size() != 1) {
            throw new AssertionError("README section " + heading + " has " + found.size() + " " + language
                    + " blocks containing '" + marker + "', expected one");
        }
        return found.get(0);
    }
}
