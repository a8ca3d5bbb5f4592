package org.tessera.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.planner.PlansJson;
import org.tessera.volume.Volume;
import org.tessera.volume.io.VolumeIO;
import org.tessera.volume.metrics.Overlap;

/**
 * The whole nnU-Net-style loop on a generated data set: fingerprint, plan (Java), train briefly (PyTorch,
 * scripts/nnunet/train.py), predict the held-out case with the bundle (Java), and score it.
 */
class NnUnetLoopTest {

    static final Path ROOT = Path.of(System.getProperty("tessera.root", ".."));
    static final String PYTHON = "/usr/bin/python3";

    @Test
    void fingerprintPlanTrainPredictOnAPhantomDataset(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(pythonHas("torch", "onnx", "scipy", "nibabel"),
                "skipped: " + PYTHON + " with torch, onnx, scipy and nibabel (Debian: python3-torch python3-onnx "
                        + "python3-scipy python3-nibabel) is needed to train");
        Path raw = dir.resolve("raw");
        assertEquals(0, CliTest.run("phantom", "--dataset", raw.toString(), "--cases", "6", "--held-out", "2", "--3d")
                .status());
        assertEquals(0, CliTest.run("fingerprint", raw.toString(), "-o", raw.resolve("fp.json").toString()).status());
        CliTest.Run plan = CliTest.run("plan", "--fingerprint", raw.resolve("fp.json").toString(), "--dataset-json",
                raw.resolve("dataset.json").toString(), "-o", raw.resolve("plans.json").toString());
        assertEquals(0, plan.status(), plan.err());
        assertTrue(PlansJson.read(raw.resolve("plans.json")).configurations().containsKey("3d_fullres"));

        Path models = dir.resolve("models");
        Process train = new ProcessBuilder(PYTHON, "scripts/nnunet/train.py", "--raw", raw.toString(), "--plans",
                raw.resolve("plans.json").toString(), "--configuration", "3d_fullres", "--id", "phantom-loop", "--out",
                models.toString(), "--features-base", "4", "--features-max", "16", "--iters", "150", "--threads", "2",
                "--work", dir.resolve("work").toString(), "--no-mirror-eval", "--seed", "0")
                .directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("train.log").toFile())
                .start();
        assertTrue(train.waitFor(10, TimeUnit.MINUTES), "training finishes");
        String log = Files.readString(dir.resolve("train.log"), StandardCharsets.UTF_8);
        assertEquals(0, train.exitValue(), log);
        assertTrue(Files.exists(models.resolve("phantom-loop/card.json")), log);

        Path image = raw.resolve("imagesTs/phantom_005_0000.nii.gz");
        CliTest.Run seg = CliTest.run("segment", "-m", "phantom-loop", "--models", models.toString(), "-i",
                image.toString(), "-o", dir.resolve("out").toString(), "--device", "cpu", "--no-mirroring");
        assertEquals(0, seg.status(), seg.err());
        Volume in = VolumeIO.read(image);
        Volume labels = VolumeIO.read(dir.resolve("out/phantom_005_labels.nii.gz"));
        assertArrayEquals(in.spatialShape(), labels.spatialShape());
        assertArrayEquals(in.spacing(), labels.spacing(), 1e-6);
        Overlap o = Overlap.of(labels.image(), VolumeIO.read(raw.resolve("labelsTs/phantom_005.nii.gz")).image(), 3);
        System.out.printf("nnU-Net loop on phantoms: held-out nucleus Dice %.3f%n", o.dice(1));
        assertTrue(o.dice(1) > 0.7, "held-out nucleus Dice " + o.dice(1) + "\n" + log);
    }

    static boolean pythonHas(String... modules) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(PYTHON)))
            return false;
        Process p = new ProcessBuilder(PYTHON, "-c", "import " + String.join(", ", List.of(modules)))
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
}
