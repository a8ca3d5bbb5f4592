package org.tessera.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.planner.Fingerprint;
import org.tessera.planner.PhantomDataset;
import org.tessera.planner.Plans;
import org.tessera.planner.PlansJson;

/** 'tessera fingerprint' and 'tessera plan' on a phantom data set: outputs, summaries, exit codes. */
class PlannerCliTest {

    @TempDir
    Path dir;

    private Path phantoms() {
        Path raw = dir.resolve("Dataset901_Phantoms");
        PhantomDataset.write(raw, 3, 11, true);
        return raw;
    }

    @Test
    void fingerprintThenPlanWritesFilesAndSummaries() throws IOException {
        Path raw = phantoms();
        Path fp = dir.resolve("out/dataset_fingerprint.json");
        CliTest.Run r = CliTest.run("fingerprint", raw.toString(), "-o", fp.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("3 cases") && r.out().contains("channel 0 (fluorescence)"), r.out());
        assertEquals(3, Fingerprint.read(fp).numCases());

        Path plansFile = dir.resolve("out/nnUNetPlans.json");
        CliTest.Run p = CliTest.run("plan", "--fingerprint", fp.toString(), "--dataset-json",
                raw.resolve("dataset.json").toString(), "-o", plansFile.toString());
        assertEquals(0, p.status(), p.err());
        List<String> lines = p.out().lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("2d ") && l.contains("patch [") && l.contains("batch ")
                && l.contains("stages")), p.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("3d_fullres ") && l.contains("spacing [")), p.out());
        Plans plans = PlansJson.read(plansFile);
        assertEquals("Dataset901_Phantoms", plans.datasetName(), "default name: the folder holding dataset.json");
        assertTrue(plans.configurations().keySet().containsAll(List.of("2d", "3d_fullres")), plans.configurations().keySet().toString());
        try (Stream<Path> s = Files.list(dir.resolve("out"))) {
            assertEquals(List.of("dataset_fingerprint.json", "nnUNetPlans.json"),
                    s.map(f -> f.getFileName().toString()).sorted().toList(), "no temporary files left behind");
        }
    }

    @Test
    void planNameAndGpuMemoryOptions() {
        Path raw = phantoms();
        Path fp = dir.resolve("fp.json");
        assertEquals(0, CliTest.run("fingerprint", raw.toString(), "-o", fp.toString(), "--single-thread").status());
        Path small = dir.resolve("small.json");
        Path big = dir.resolve("big.json");
        CliTest.Run a = CliTest.run("plan", "--fingerprint", fp.toString(), "--dataset-json", raw.resolve("dataset.json").toString(),
                "--name", "Dataset777_Other", "--gpu-memory", "8", "-o", small.toString());
        CliTest.Run b = CliTest.run("plan", "--fingerprint", fp.toString(), "--dataset-json", raw.resolve("dataset.json").toString(),
                "--gpu-memory", "40", "-o", big.toString());
        assertEquals(0, a.status(), a.err());
        assertEquals(0, b.status(), b.err());
        assertEquals("Dataset777_Other", PlansJson.read(small).datasetName());
        int batchSmall = PlansJson.read(small).resolved("2d").batchSize();
        int batchBig = PlansJson.read(big).resolved("2d").batchSize();
        assertTrue(batchBig >= batchSmall, batchSmall + " vs " + batchBig);
    }

    @Test
    void badDatasetExitsTwoNamingTheCase() throws IOException {
        Path raw = phantoms();
        Files.delete(raw.resolve("labelsTr/" + PhantomDataset.caseId(1) + ".nii.gz"));
        Path fp = dir.resolve("fp.json");
        CliTest.Run r = CliTest.run("fingerprint", raw.toString(), "-o", fp.toString());
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains(PhantomDataset.caseId(1)) && r.err().contains("labelsTr"), r.err());
        assertFalse(r.err().contains("Exception"), "a message, not a stack trace: " + r.err());
        assertFalse(Files.exists(fp));
    }

    @Test
    void badPlanInputsExitTwo() throws IOException {
        Path raw = phantoms();
        Path fp = dir.resolve("fp.json");
        assertEquals(0, CliTest.run("fingerprint", raw.toString(), "-o", fp.toString()).status());
        String ds = raw.resolve("dataset.json").toString();
        Path out = dir.resolve("plans.json");

        CliTest.Run missing = CliTest.run("plan", "--fingerprint", dir.resolve("nope.json").toString(), "--dataset-json", ds,
                "-o", out.toString());
        assertEquals(2, missing.status());
        assertTrue(missing.err().contains("nope.json"), missing.err());

        CliTest.Run gpu = CliTest.run("plan", "--fingerprint", fp.toString(), "--dataset-json", ds, "--gpu-memory", "0",
                "-o", out.toString());
        assertEquals(2, gpu.status());
        assertTrue(gpu.err().contains("GPU memory"), gpu.err());

        Path twoChannels = dir.resolve("two/dataset.json");
        Files.createDirectories(twoChannels.getParent());
        Files.writeString(twoChannels, Files.readString(raw.resolve("dataset.json"))
                .replace("\"fluorescence\"", "\"fluorescence\", \"1\": \"dapi\""));
        CliTest.Run mismatch = CliTest.run("plan", "--fingerprint", fp.toString(), "--dataset-json", twoChannels.toString(),
                "-o", out.toString());
        assertEquals(2, mismatch.status(), mismatch.err());
        assertTrue(mismatch.err().contains("1 channel(s)") && mismatch.err().contains("names 2"), mismatch.err());
        assertFalse(Files.exists(out));

        assertEquals(2, CliTest.run("fingerprint", raw.toString()).status(), "-o is required");
        assertEquals(2, CliTest.run("fingerprint", dir.resolve("absent").toString(), "-o", fp.toString()).status());
    }

    @Test
    void residualEncoderPlannerOption() {
        Path raw = phantoms();
        Path fp = dir.resolve("fp.json");
        assertEquals(0, CliTest.run("fingerprint", raw.toString(), "-o", fp.toString(), "--single-thread").status());
        String ds = raw.resolve("dataset.json").toString();
        Path out = dir.resolve("nnUNetResEncUNetLPlans.json");
        CliTest.Run r = CliTest.run("plan", "--fingerprint", fp.toString(), "--dataset-json", ds, "--planner",
                "nnUNetPlannerResEncL", "-o", out.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("nnUNetPlannerResEncL, nnUNetResEncUNetLPlans"), r.out());
        Plans plans = PlansJson.read(out);
        assertEquals("nnUNetResEncUNetLPlans", plans.plansName());
        assertEquals("nnUNetPlannerResEncL", plans.experimentPlannerUsed());
        Plans.Architecture a = plans.resolved("3d_fullres").architecture();
        assertEquals(Plans.Architecture.RESIDUAL_ENCODER_UNET, a.networkClassName());
        assertEquals(1, a.nConvPerStage()[0], "n_blocks_per_stage starts 1, 3, ...");

        Path plain = dir.resolve("nnUNetPlans.json");
        assertEquals(0, CliTest.run("plan", "--fingerprint", fp.toString(), "--dataset-json", ds, "-o", plain.toString()).status());
        assertEquals("ExperimentPlanner", PlansJson.read(plain).experimentPlannerUsed(), "the default planner stays");

        Path bad = dir.resolve("bad.json");
        CliTest.Run b = CliTest.run("plan", "--fingerprint", fp.toString(), "--dataset-json", ds, "--planner", "ResEncS",
                "-o", bad.toString());
        assertEquals(2, b.status(), b.err());
        assertTrue(b.err().contains("ResEncS") && b.err().contains("ExperimentPlanner, nnUNetPlannerResEncM, "
                + "nnUNetPlannerResEncL, nnUNetPlannerResEncXL"), b.err());
        assertFalse(b.err().contains("Exception"), b.err());
        assertFalse(Files.exists(bad));

        CliTest.Run help = CliTest.run("plan", "--help");
        assertEquals(0, help.status(), help.err());
        assertTrue(help.out().contains("--planner") && help.out().contains("nnUNetPlannerResEncXL"), help.out());
    }
}
