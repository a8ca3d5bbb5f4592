package org.tessera.fiji;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.fiji.plan.DatasetPlanning;
import org.tessera.fiji.plan.PlanDrawing;
import org.tessera.planner.DatasetFolder;
import org.tessera.planner.ExperimentPlanner;
import org.tessera.planner.Fingerprint;
import org.tessera.planner.FingerprintExtractor;
import org.tessera.planner.IntensityProperties;
import org.tessera.planner.PhantomDataset;
import org.tessera.planner.Plans;
import org.tessera.planner.PlansJson;

/**
 * Tessera Plan Dataset in a real ImageJ with a display (Xvfb), in a separate JVM with a hard timeout, installed
 * from plugins.config: run from a macro on a generated phantom data set, on a folder without dataset.json,
 * through the real dialog with the recorder on, and on a fingerprint file (MSD Lung numbers), of which a
 * screenshot is taken. With {@code -Dtessera.plan.screenshot=<file.png>} the screenshot is also copied there.
 */
class PlanDatasetXvfbTest {

    @TempDir
    Path dir;

    Path imagej;

    @BeforeEach
    void installPluginsConfig() throws IOException {
        imagej = FijiTestSupport.imageJWithMenus(dir);
    }

    @Test
    void plansFromAMacroRefusesABadFolderRecordsAndShows() throws Exception {
        Path raw = dir.resolve("Dataset900_Phantom");
        PhantomDataset.write(raw, 3, 7, true);
        Path out = Files.createDirectories(dir.resolve("out"));
        Path plansFile = out.resolve("plans.json");
        Path badFolder = Files.createDirectories(dir.resolve("not_a_dataset"));
        Path badPlans = out.resolve("bad_plans.json");
        Path recordedPlans = out.resolve("recorded_plans.json");
        Path lung = lungFingerprintFolder();
        Path shot = dir.resolve("shot.png");

        Path good = macro("good.ijm", "run(\"Tessera Plan Dataset\", \"dataset=[" + raw + "] gpu=8 plans=[" + plansFile + "]\");\n"
                + "print(\"ACTIVE=\" + getTitle() + \" \" + nSlices);");
        Path bad = macro("bad.ijm", "close(\"*\");\n"
                + "run(\"Tessera Plan Dataset\", \"dataset=[" + badFolder + "] gpu=8 plans=[" + badPlans + "]\");\n"
                + "print(\"WENT_ON\");");
        Path fromFingerprint = macro("lung.ijm", "close(\"*\");\n"
                + "run(\"Tessera Plan Dataset\", \"dataset=[" + lung.resolve("dataset_fingerprint.json") + "] gpu=8\");");
        String report = harness("macro=" + good, "macro=" + bad, "record=" + raw + "|" + recordedPlans,
                "macro=" + fromFingerprint, "shot=" + shot);
        List<List<String>> states = states(report);
        assertEquals(4, states.size(), report);

        // the good macro: plans.json parses and equals the planner's own plan; the report and the drawing show it
        Plans expected = expectedPlans(raw, 8);
        Plans written = PlansJson.read(plansFile);
        assertEquals(PlansJson.toJson(expected), PlansJson.toJson(written));
        Plans.Configuration fullres = written.resolved("3d_fullres");
        String patch = PlanTimes.times(fullres.patchSize());
        List<String> goodState = states.get(0);
        assertTrue(goodState.stream().anyMatch(l -> l.startsWith("REPORT_LINE\tpatch size (z, y, x)\t" + patch)),
                "no patch size " + patch + " in the report window:\n" + report);
        assertTrue(goodState.stream().anyMatch(l -> l.startsWith("REPORT_LINE\tbatch size\t" + fullres.batchSize())), report);
        assertTrue(goodState.stream().anyMatch(l -> l.equals("REPORT_LINE\t== 2d\t")), report);
        assertTrue(goodState.contains("IMAGE\tDataset900_Phantom plan\t" + PlanDrawing.WIDTH + "\t" + PlanDrawing.HEIGHT + "\t"
                + written.configurations().size() + "\t3d_fullres"), report);
        assertTrue(report.contains("ACTIVE=Dataset900_Phantom plan " + written.configurations().size()), report);
        assertTrue(report.contains("Tessera Plan Dataset: 3d_fullres patch " + patch), report);

        // the bad folder: an error dialog, a message saying what to choose, no plans file, no temporary file
        List<String> dialogs = report.lines().filter(l -> l.startsWith("DIALOG\t")).toList();
        assertEquals(1, dialogs.size(), report);
        assertTrue(report.contains("not_a_dataset") && report.contains("dataset.json"), report);
        assertFalse(report.contains("WENT_ON"), "the macro went on after the error:\n" + report);
        assertFalse(Files.exists(badPlans), "a plans file for a bad folder");
        try (Stream<Path> files = Files.list(out)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("plans.json", "recorded_plans.json"), names, "only whole plans files in " + out);
        }
        assertFalse(report.contains("Exception"), "a stack trace for a user mistake:\n" + report);
        assertTrue(states.get(1).contains("IMAGES\t0"), report);

        // the dialog, recorded: the line names the three fields and the plan it wrote is the one for 12 GB
        String recorded = report.lines().filter(l -> l.startsWith("RECORDED\t")).findFirst().orElseThrow().substring(9).strip();
        assertEquals("run(\"Tessera Plan Dataset\", \"dataset=" + raw + " gpu=12 plans=" + recordedPlans + "\");", recorded);
        assertEquals(PlansJson.toJson(expectedPlans(raw, 12)), Files.readString(recordedPlans));

        // from a fingerprint file: the MSD Lung numbers of the spec
        List<String> lungState = states.get(3);
        assertTrue(lungState.contains("REPORT_LINE\tpatch size (z, y, x)\t80x192x160"), report);
        assertTrue(lungState.contains("IMAGE\tDataset006_Lung plan\t" + PlanDrawing.WIDTH + "\t" + PlanDrawing.HEIGHT
                + "\t4\t3d_fullres"), report);
        assertTrue(report.lines().anyMatch(l -> l.startsWith("SHOT\tshot.png\t")), report);
        var image = ImageIO.read(shot.toFile());
        assertTrue(image.getWidth() > 1000 && image.getHeight() > 500, image.getWidth() + " x " + image.getHeight());
        String copy = System.getProperty("tessera.plan.screenshot");
        if (copy != null && !copy.isBlank())
            Files.copy(shot, Path.of(copy), StandardCopyOption.REPLACE_EXISTING);
    }

    /** What the planner itself plans for the folder (the plugin must show and write exactly this). */
    private static Plans expectedPlans(Path raw, double gpu) {
        DatasetFolder folder = DatasetFolder.open(raw);
        Fingerprint fp = new FingerprintExtractor(folder).extract();
        return new ExperimentPlanner(fp, folder.datasetJson(), raw.getFileName().toString()).gpuMemoryGb(gpu).plan();
    }

    /** dataset.json and dataset_fingerprint.json with the MSD Lung numbers (63 CT cases). */
    private Path lungFingerprintFolder() throws IOException {
        Path f = Files.createDirectories(dir.resolve("Dataset006_Lung"));
        Fingerprint.builder()
                .addCases(63, new double[] { 1.244979977607727, 0.78515625, 0.78515625 }, new int[] { 252, 512, 512 })
                .channel(0, new IntensityProperties(2671.0, -273.46, -162.0, -1024.0, -1024.0, 311.0, 346.95))
                .medianRelativeSizeAfterCropping(1.0).build().write(f.resolve(DatasetPlanning.FINGERPRINT_FILE));
        Files.writeString(f.resolve("dataset.json"), "{\"channel_names\": {\"0\": \"CT\"}, \"labels\": {\"background\": 0, "
                + "\"cancer\": 1}, \"numTraining\": 63, \"file_ending\": \".nii.gz\", \"name\": \"Lung\"}");
        return f;
    }

    private Path macro(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private String harness(String... actions) throws Exception {
        Path reportFile = dir.resolve("report.txt");
        List<String> mainAndArgs = new ArrayList<>(List.of(PlanHarness.class.getName(), reportFile.toString()));
        mainAndArgs.addAll(List.of(actions));
        return FijiTestSupport.harnessUnderXvfb(dir, imagej, "1600x1000x24", reportFile, mainAndArgs.toArray(String[]::new));
    }

    /** The lines noted after each macro or recording: from one REPORT_WINDOW line to the next. */
    private static List<List<String>> states(String report) {
        List<List<String>> out = new ArrayList<>();
        for (String l : report.lines().toList()) {
            if (l.startsWith("REPORT_WINDOW\t"))
                out.add(new ArrayList<>());
            if (!out.isEmpty() && (l.startsWith("REPORT_") || l.startsWith("IMAGE")))
                out.get(out.size() - 1).add(l);
        }
        return out;
    }

    /** "80x192x160". */
    private static final class PlanTimes {
        static String times(int[] v) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < v.length; i++)
                b.append(i > 0 ? "x" : "").append(v[i]);
            return b.toString();
        }
    }
}
