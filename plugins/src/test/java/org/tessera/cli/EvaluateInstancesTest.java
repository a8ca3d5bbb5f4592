package org.tessera.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import net.imglib2.img.array.ArrayImgs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.cli.CliTest.Run;
import org.tessera.volume.Volume;
import org.tessera.volume.io.VolumeIO;

/** {@code tessera evaluate --instances}: files and folders in, the pooled scores out, bad input refused. */
class EvaluateInstancesTest {

    // 4 x 3: objects 3, 7 and 100, and the same objects numbered 1, 2, 5
    private static final short[] THREE = { 3, 3, 0, 7, 0, 0, 0, 7, 100, 0, 0, 0 };
    private static final short[] THREE_RENUMBERED = { 1, 1, 0, 2, 0, 0, 0, 2, 5, 0, 0, 0 };
    // objects 1 and 2, and a prediction of object 1 alone
    private static final short[] TWO = { 1, 1, 0, 2, 2, 0, 0, 0, 0, 0, 0, 0 };
    private static final short[] FIRST_OF_TWO = { 9, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };

    @TempDir
    Path dir;

    private Path write(String name, short[] values, long... dims) {
        Path file = dir.resolve(name);
        VolumeIO.write(Volume.of(ArrayImgs.unsignedShorts(values, dims), 1, 1), file);
        return file;
    }

    private static String last(Run r) {
        return r.out().lines().reduce((a, b) -> b).orElseThrow();
    }

    private static void assertRefused(Run r, String... named) {
        assertEquals(ExitCodes.INVALID_INPUT, r.status(), r.out() + r.err());
        for (String n : named)
            assertTrue(r.err().contains(n), "expected '" + n + "' in: " + r.err());
        assertTrue(r.err().lines().noneMatch(l -> l.startsWith("\tat ")), "no stack trace: " + r.err());
    }

    @Test
    void perfectMatchPrintsTenThresholdsAndMeanApLast() {
        Path truth = write("cells.tif", THREE, 4, 3), prediction = write("cells_instances.tif", THREE_RENUMBERED, 4, 3);
        Run r = CliTest.run("evaluate", "--instances", "-p", prediction.toString(), "-t", truth.toString());
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(1).startsWith("cells ") && lines.get(1).contains("1.0000"), r.out());
        assertEquals(10, lines.stream().filter(l -> l.matches("0\\.\\d\\d .*")).count(), r.out());
        assertTrue(lines.contains("DSB score: 1.0000"), r.out());
        assertTrue(lines.contains("foreground dice: 1.0000"), r.out());
        assertEquals("mean AP@0.5: 1.0000", last(r));
    }

    @Test
    void foldersArePairedByNameAndObjectsPooled() throws IOException {
        Path truths = Files.createDirectories(dir.resolve("truth")), predictions = Files.createDirectories(dir.resolve("pred"));
        write("truth/a_truth.tif", THREE, 4, 3);
        write("truth/a.tif", TWO, 4, 3); // the image beside its truth: not truth itself
        write("truth/b_truth.tif", TWO, 4, 3);
        write("pred/a_instances.tif", THREE_RENUMBERED, 4, 3);
        write("pred/b.tif", FIRST_OF_TWO, 4, 3);
        Run r = CliTest.run("evaluate", "--instances", "-p", predictions.toString(), "-t", truths.toString());
        assertEquals(0, r.status(), r.err());
        // a: TP 3; b: TP 1, FN 1 (AP 0.5). Pooled at 0.5: TP 4, FP 0, FN 1 -> AP 4/5
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("b ") && l.contains("0.5000")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("0\\.50 +4 +0 +1 .*")), r.out());
        assertEquals("mean AP@0.5: 0.8000", last(r));

        write("truth/c_truth.tif", TWO, 4, 3);
        assertRefused(CliTest.run("evaluate", "--instances", "-p", predictions.toString(), "-t", truths.toString()),
                "c_truth.tif", "c_instances");
    }

    @Test
    void binaryTruthIsLabelledByComponentsWithAWarning() {
        short[] mask = { 255, 255, 0, 255, 0, 0, 0, 255, 255, 0, 0, 0 };
        Path truth = write("mask.tif", mask, 4, 3), prediction = write("objects.tif", THREE_RENUMBERED, 4, 3);
        Run r = CliTest.run("evaluate", "--instances", "-p", prediction.toString(), "-t", truth.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("warning") && r.err().contains("mask.tif"), r.err());
        assertEquals("mean AP@0.5: 1.0000", last(r));
    }

    @Test
    void shapeMismatchNonIntegersAndMissingFilesAreRefusedNamingTheFile() {
        Path truth = write("truth.tif", THREE, 4, 3);
        Path small = write("small.tif", new short[6], 3, 2);
        assertRefused(CliTest.run("evaluate", "--instances", "-p", small.toString(), "-t", truth.toString()),
                "small.tif", "truth.tif");

        Path fractional = dir.resolve("fractional.tif");
        VolumeIO.write(Volume.of(ArrayImgs.floats(new float[] { 0, 1.5f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 4, 3), 1, 1),
                fractional);
        assertRefused(CliTest.run("evaluate", "--instances", "-p", fractional.toString(), "-t", truth.toString()),
                "fractional.tif", "1.5");

        assertRefused(CliTest.run("evaluate", "--instances", "-p", dir.resolve("absent.tif").toString(), "-t",
                truth.toString()), "absent.tif");
        assertRefused(CliTest.run("evaluate", "--instances", "-p", dir.toString(), "-t", truth.toString()), "-p", "-t");
    }
}
