package org.tessera.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.volume.Volume;
import org.tessera.volume.io.VolumeIO;
import org.tessera.volume.metrics.Overlap;

/** The classic methods through the command line: listed, run on files and folders, evaluated, refused when wrong. */
class ClassicCliTest {

    static final Path SAMPLES = SampleVolumesTest.SAMPLES;

    @TempDir
    Path dir;

    private static CliTest.Run run(String... args) {
        return CliTest.run(args);
    }

    private CliTest.Run segment(String method, Path input, Path out, String... params) {
        List<String> args = new ArrayList<>(List.of("segment", "-m", method, "-i", input.toString(), "-o", out.toString()));
        for (String p : params)
            args.addAll(List.of("--param", p));
        return run(args.toArray(String[]::new));
    }

    private static double meanDice(CliTest.Run eval) {
        String last = eval.out().lines().reduce((a, b) -> b).orElseThrow();
        return Double.parseDouble(last.substring("mean dice: ".length()));
    }

    @Test
    void modelsListsTheClassicMethodsAndExplainsTheirParameters() {
        CliTest.Run r = run("models");
        assertEquals(0, r.status(), r.err());
        for (String id : List.of("classic:otsu", "classic:multi-otsu", "classic:kmeans", "classic:region-growing",
                "classic:watershed", "classic:edges"))
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(id + " ") && l.endsWith("classic")), id + ":\n" + r.out());
        CliTest.Run card = run("models", "--card", "classic:kmeans");
        assertEquals(0, card.status(), card.err());
        assertTrue(card.out().contains("k (default 2)") && card.out().contains("order (default dark-to-bright)"), card.out());
    }

    @Test
    void segmentsThe2dSampleAndEvaluateScoresIt() {
        for (String method : List.of("classic:otsu", "classic:kmeans", "classic:watershed", "classic:edges",
                "classic:region-growing")) {
            Path out = dir.resolve(method.substring("classic:".length()));
            CliTest.Run r = segment(method, SAMPLES.resolve("nuclei-2d-phantom.tif"), out, "names=background,nucleus");
            assertEquals(0, r.status(), method + ": " + r.err());
            assertTrue(r.out().contains(method + ", whole image"), r.out());
            Path labels = out.resolve("nuclei-2d-phantom_labels.tif");
            CliTest.Run eval = run("evaluate", "-p", labels.toString(), "-t",
                    SAMPLES.resolve("nuclei-2d-phantom_truth.tif").toString());
            assertEquals(0, eval.status(), eval.err());
            // the phantom's nuclei are bright on a dark background: every method finds most of them
            assertTrue(meanDice(eval) > 0.8, method + ": " + eval.out());
            Volume in = VolumeIO.read(SAMPLES.resolve("nuclei-2d-phantom.tif")), written = VolumeIO.read(labels);
            assertArrayEquals(in.spacing(), written.spacing(), 1e-9);
            assertEquals(in.unit(), written.unit());
        }
    }

    @Test
    void orderReversesTheLabelsAndTheWatershedWritesInstancesOfA3dVolume() {
        Path sample = SAMPLES.resolve("nuclei-3d-phantom.nii.gz");
        CliTest.Run r = segment("classic:watershed", sample, dir.resolve("a"), "instances=true");
        assertEquals(0, r.status(), r.err());
        CliTest.Run reversed = segment("classic:watershed", sample, dir.resolve("b"), "order=bright-to-dark");
        assertEquals(0, reversed.status(), reversed.err());
        Volume in = VolumeIO.read(sample);
        Volume a = VolumeIO.read(dir.resolve("a/nuclei-3d-phantom_labels.nii.gz"));
        Volume b = VolumeIO.read(dir.resolve("b/nuclei-3d-phantom_labels.nii.gz"));
        assertArrayEquals(in.spatialShape(), a.spatialShape());
        assertArrayEquals(in.spacing(), a.spacing(), 1e-6);
        assertEquals(in.orientation(), a.orientation());
        Overlap flipped = Overlap.of(a.image(), b.image(), 2);
        assertEquals(0, flipped.dice(0), 1e-12, "every label swapped");
        assertEquals(0, flipped.dice(1), 1e-12, "every label swapped");
        Volume instances = VolumeIO.read(dir.resolve("a/nuclei-3d-phantom_instances.nii.gz"));
        double max = 0;
        for (var t : net.imglib2.view.Views.flatIterable(instances.image()))
            max = Math.max(max, t.getRealDouble());
        assertTrue(max >= 5, "the phantom's nuclei as instances: " + max);
        assertFalse(Files.exists(dir.resolve("b/nuclei-3d-phantom_instances.nii.gz")), "instances only when asked");
        CliTest.Run eval = run("evaluate", "-p", dir.resolve("a/nuclei-3d-phantom_labels.nii.gz").toString(), "-t",
                SAMPLES.resolve("nuclei-3d-phantom_truth.nii.gz").toString());
        assertTrue(meanDice(eval) > 0.8, eval.out());
    }

    @Test
    void badParametersExitWith2NamingTheParameterAndWriteNothing() throws IOException {
        Path in = SAMPLES.resolve("nuclei-2d-phantom.tif");
        String[][] cases = {
                { "classic:kmeans", "k=40", "Parameter k=40 of classic:kmeans is out of range; give a whole number from 2 to 16" },
                { "classic:otsu", "level=2", "classic:otsu has no parameter 'level'; its parameters are sigma, order, names" },
                { "classic:otsu", "order=2,1,0", "has 3 labels but the method makes 2 classes" },
                { "classic:region-growing", "seeds=999,3", "lies outside the image" },
                { "classic:otsuu", "sigma=1", "Unknown classic method 'classic:otsuu'" },
                { "nuclei-2d-unet", "k=3", "are for the classic methods" },
                { "classic:kmeans", "k", "'k' is not of the form key=value" } };
        for (String[] c : cases) {
            Path out = dir.resolve("refused");
            CliTest.Run r = segment(c[0], in, out, c[1]);
            assertEquals(ExitCodes.INVALID_INPUT, r.status(), c[0] + " " + c[1] + ": " + r.out() + r.err());
            assertTrue(r.err().contains(c[2]), "expected '" + c[2] + "' in: " + r.err());
            assertTrue(r.err().lines().noneMatch(l -> l.startsWith("\tat ")), "no stack trace: " + r.err());
            if (Files.exists(out))
                try (Stream<Path> files = Files.list(out)) {
                    assertEquals(List.of(), files.toList(), "no output left behind");
                }
        }
        CliTest.Run probabilities = run("segment", "-m", "classic:otsu", "-i", in.toString(), "-o",
                dir.resolve("p").toString(), "--probabilities");
        assertEquals(ExitCodes.INVALID_INPUT, probabilities.status());
        assertTrue(probabilities.err().contains("no probabilities"), probabilities.err());
        CliTest.Run unknown = run("segment", "-m", "no-such-model", "-i", in.toString(), "-o", dir.resolve("u").toString());
        assertTrue(unknown.err().contains("Classic methods: classic:otsu"), unknown.err());
    }
}
