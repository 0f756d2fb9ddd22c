package dev.streamae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamae.it.ReadmeSection;
import dev.streamae.streams.StreamAeSettings;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README is documentation users act on: its configuration table and command list must match the code. */
class ReadmeTest {

    private static final Pattern KEY_ROW = Pattern.compile("^\\| `([a-z.]+)` \\| ([^|]+) \\|", Pattern.MULTILINE);
    private static final Pattern COMMAND_ROW = Pattern.compile("^\\| `([a-z]+)` \\| ", Pattern.MULTILINE);

    @Test
    void configurationTableListsEveryKeyWithItsDefault() throws Exception {
        String section = ReadmeSection.read("## Configuration").text();
        Map<String, String> documented = new LinkedHashMap<>();
        Matcher m = KEY_ROW.matcher(section);
        while (m.find()) {
            documented.put(m.group(1), m.group(2).trim());
        }
        assertThat(documented.keySet()).containsExactlyElementsOf(StreamAeSettings.DEFAULTS.keySet());
        StreamAeSettings.DEFAULTS.forEach((key, value) -> {
            String def = value[0];
            if (!def.isEmpty()) {
                assertThat(documented.get(key)).as(key).isEqualTo("`" + def + "`");
            }
        });
    }

    @Test
    void everyDocumentedCommandExistsAndEveryCommandIsDocumented() throws Exception {
        String section = ReadmeSection.read("## Commands").text();
        Matcher m = COMMAND_ROW.matcher(section);
        java.util.Set<String> documented = new java.util.TreeSet<>();
        while (m.find()) {
            documented.add(m.group(1));
        }
        java.util.Set<String> actual = new java.util.TreeSet<>(StreamAeCommand.commandLine().getSubcommands().keySet());
        actual.remove("help");
        assertThat(documented).isEqualTo(actual);
    }
}
