package dev.streamae.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher {@code src/bin/streamae} drops the JVM's incubator-module warning from stderr and
 * nothing else: other lines, stdout and the exit code pass through. It runs here on a stand-in
 * jar whose main class writes to both streams and exits with the code it is given, in a copy of
 * the repository's layout (the launcher finds the jar relative to itself), so the test needs no
 * build of the real jar.
 */
class LauncherTest {

    /** What the JVM prints to stderr at every start with {@code --add-modules jdk.incubator.vector}. */
    static final String INCUBATOR_WARNING = "WARNING: Using incubator modules: jdk.incubator.vector";
    private static final String LOOKALIKE = INCUBATOR_WARNING + " (a line that only starts like it)";

    /** The stand-in for the application. */
    public static final class Probe {
        public static void main(String[] args) {
            System.out.println("to stdout");
            System.err.println("to stderr");
            System.err.println(LOOKALIKE);
            System.exit(Integer.parseInt(args[0]));
        }
    }

    private record Run(int exitCode, List<String> out, List<String> err) {
    }

    private static Run run(Path dir, List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectOutput(dir.resolve("out").toFile())
                .redirectError(dir.resolve("err").toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("ended").isTrue();
        return new Run(p.exitValue(), Files.readAllLines(dir.resolve("out")), Files.readAllLines(dir.resolve("err")));
    }

    private static Path probeJar(Path root) throws IOException {
        Path jar = Files.createDirectories(root.resolve("target")).resolve("streamae.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Probe.class.getName());
        String entry = Probe.class.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar);
             JarOutputStream out = new JarOutputStream(file, manifest);
             InputStream classFile = Probe.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            classFile.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }

    @Test
    void dropsOnlyTheIncubatorWarningAndKeepsOutputAndExitCode(@TempDir Path root) throws Exception {
        Path launcher = Files.createDirectories(root.resolve("src/bin")).resolve("streamae");
        Files.copy(Path.of("src/bin/streamae"), launcher);
        Path jar = probeJar(root);

        // Without the launcher's filter the JVM does print the warning: the check below can fail.
        Run direct = run(root, List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-jar", jar.toString(), "0"));
        assertThat(direct.err()).contains(INCUBATOR_WARNING);

        for (int code : new int[] {0, 3}) {
            Run r = run(root, List.of("bash", launcher.toString(), Integer.toString(code)));
            assertThat(r.exitCode()).isEqualTo(code);
            assertThat(r.out()).containsExactly("to stdout");
            assertThat(r.err()).containsExactly("to stderr", LOOKALIKE);
        }
    }
}
