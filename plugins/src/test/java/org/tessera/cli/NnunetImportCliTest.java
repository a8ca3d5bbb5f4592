package org.tessera.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.unet.ModelCard;
import org.tessera.volume.Volume;
import org.tessera.volume.io.VolumeIO;

/**
 * Residual-encoder training and import, end to end on a generated data set: plan with the ResEnc M preset,
 * a few iterations of scripts/nnunet/train.py (which builds the ResidualEncoderUNet the plans name and writes
 * nnU-Net's results layout), then {@code tessera import nnunet} (strict loading) and {@code tessera segment}.
 */
class NnunetImportCliTest {

    @Test
    void resEncPlansTrainImportAndSegment(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(NnUnetLoopTest.pythonHas("torch", "onnx", "scipy", "nibabel"),
                "skipped: " + NnUnetLoopTest.PYTHON + " with torch, onnx, scipy and nibabel (Debian: python3-torch "
                        + "python3-onnx python3-scipy python3-nibabel) is needed to train");
        Path raw = dir.resolve("raw");
        assertEquals(0, CliTest.run("phantom", "--dataset", raw.toString(), "--cases", "4", "--held-out", "1", "--3d")
                .status());
        assertEquals(0, CliTest.run("fingerprint", raw.toString(), "-o", raw.resolve("fp.json").toString()).status());
        CliTest.Run plan = CliTest.run("plan", "--fingerprint", raw.resolve("fp.json").toString(), "--dataset-json",
                raw.resolve("dataset.json").toString(), "--planner", "nnUNetPlannerResEncM", "-o",
                raw.resolve("plans.json").toString());
        assertEquals(0, plan.status(), plan.err());

        Path results = dir.resolve("results");
        long start = System.nanoTime();
        Process train = new ProcessBuilder(NnUnetLoopTest.PYTHON, "scripts/nnunet/train.py", "--raw", raw.toString(),
                "--plans", raw.resolve("plans.json").toString(), "--configuration", "3d_fullres", "--id", "resenc-smoke",
                "--out", dir.resolve("bundles").toString(), "--features-base", "4", "--features-max", "8",
                "--iters", "6", "--threads", "2", "--work", dir.resolve("work").toString(), "--no-mirror-eval",
                "--seed", "0", "--results-out", results.toString(), "--fingerprint", raw.resolve("fp.json").toString())
                .directory(NnUnetLoopTest.ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("train.log").toFile()).start();
        assertTrue(train.waitFor(10, TimeUnit.MINUTES), "training finishes");
        String log = Files.readString(dir.resolve("train.log"), StandardCharsets.UTF_8);
        assertEquals(0, train.exitValue(), log);
        assertTrue(log.contains("ResidualEncoderUNet: features"), log);
        System.out.printf("ResEnc smoke training (6 iterations) and export: %.1f s%n", (System.nanoTime() - start) / 1e9);
        Path folder;
        try (Stream<Path> s = Files.list(results.resolve(single(results)))) {
            folder = s.findFirst().orElseThrow();
        }
        assertTrue(folder.getFileName().toString().startsWith("nnUNetTrainer__nnUNetResEncUNetMPlans"), folder.toString());
        assertTrue(Files.isRegularFile(folder.resolve("fold_0/checkpoint_final.pth")));
        assertTrue(Files.isRegularFile(folder.resolve("dataset_fingerprint.json")));

        Path models = Files.createDirectories(dir.resolve("models"));
        CliTest.Run imported = CliTest.run("import", "nnunet", folder.toString(), "--id", "phantom-resenc", "--models",
                models.toString());
        assertEquals(0, imported.status(), imported.err());
        ModelCard card = ModelCard.read(models.resolve("phantom-resenc/card.json"));
        assertEquals("nnunet-residualencoderunet", card.architecture());
        assertArrayEquals(new int[] {0, 1, 2}, card.nnunet().mirrorAxes());

        Path image = raw.resolve("imagesTs/phantom_003_0000.nii.gz");
        CliTest.Run seg = CliTest.run("segment", "-m", "phantom-resenc", "--models", models.toString(), "-i",
                image.toString(), "-o", dir.resolve("out").toString(), "--device", "cpu");
        assertEquals(0, seg.status(), seg.err());
        Volume labels = VolumeIO.read(dir.resolve("out/phantom_003_labels.nii.gz"));
        assertArrayEquals(VolumeIO.read(image).spatialShape(), labels.spatialShape());

        // a refused folder: exit 2, a message naming the file, nothing installed
        Files.delete(folder.resolve("plans.json"));
        CliTest.Run refused = CliTest.run("import", "nnunet", folder.toString(), "--id", "broken", "--models",
                models.toString());
        assertEquals(ExitCodes.INVALID_INPUT, refused.status(), refused.err());
        assertTrue(refused.err().contains("has no plans.json"), refused.err());
        assertFalse(refused.err().contains("Exception"), refused.err());
        assertFalse(Files.exists(models.resolve("broken")));
    }

    private static String single(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findFirst().orElseThrow().getFileName().toString();
        }
    }
}
