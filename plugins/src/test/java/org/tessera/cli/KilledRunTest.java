package org.tessera.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.volume.io.VolumeIO;

/**
 * A folder run killed (SIGKILL) in the middle, then run again, ends with the same files, byte for byte, as a run
 * that was never interrupted: nothing half-written survives, and nothing is skipped that was not finished.
 */
class KilledRunTest {

    @TempDir
    Path dir;

    @Test
    void aKilledFolderRunResumesToTheSameBytes() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        var sample = VolumeIO.read(Path.of(System.getProperty("tessera.root", ".."), "sample-volumes",
                "nuclei-2d-phantom.tif"));
        for (String name : List.of("a", "b", "c", "d"))
            VolumeIO.write(sample, in.resolve(name + ".tif"));
        String[] args = { "segment", "-m", "nuclei-2d-unet", "-i", in.toString(), "--device", "cpu", "--threads", "1",
                "--probabilities", "--overlay", "-o" };
        assertEquals(0, CliTest.run(append(args, dir.resolve("whole").toString())).status());

        Path out = dir.resolve("killed");
        for (int kill = 0; kill < 2; kill++)
            killWhenFilesAppear(append(args, out.toString()), out, 3 + 4 * kill);
        CliTest.Run resumed = CliTest.run(append(args, out.toString()));
        assertEquals(0, resumed.status(), resumed.err());
        assertTrue(resumed.err().contains("skipped"), "the finished inputs are skipped:\n" + resumed.err());

        List<String> expected = names(dir.resolve("whole")), actual = names(out);
        assertEquals(expected, actual, "no temporary or extra file is left");
        for (String name : expected)
            assertArrayEquals(Files.readAllBytes(dir.resolve("whole").resolve(name)),
                    Files.readAllBytes(out.resolve(name)), name);
    }

    /** Starts the command in its own JVM and kills it once {@code files} files exist in {@code out}. */
    private static void killWhenFilesAppear(String[] args, Path out, int files) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", classPath(), TesseraCli.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (p.isAlive() && System.nanoTime() < deadline && count(out) < files)
            Thread.sleep(20);
        p.destroyForcibly(); // SIGKILL: no shutdown hooks, no finally blocks
        p.waitFor(10, TimeUnit.SECONDS);
    }

    private static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    private static int count(Path folder) throws IOException {
        return Files.isDirectory(folder) ? names(folder).size() : 0;
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    private static String[] append(String[] args, String last) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = last;
        return all;
    }
}
