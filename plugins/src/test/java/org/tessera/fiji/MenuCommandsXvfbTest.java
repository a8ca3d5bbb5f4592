package org.tessera.fiji;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import ij.ImagePlus;
import ij.measure.Calibration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.unet.SegmentOptions;
import org.tessera.volume.io.VolumeIO;
import org.tessera.volume.phantom.Phantoms;
import org.tessera.volume.tiling.TileMode;

/**
 * The ImageJ1 menu commands in a real ImageJ with a display (Xvfb), in a separate JVM with a hard timeout:
 * installed from plugins.config as ImageJ installs a jar in its plugins folder, driven by macros with
 * {@code run("Tessera Segment", ...)}, and through the real dialog with the macro recorder on.
 */
class MenuCommandsXvfbTest {

    @TempDir
    Path dir;

    Path imagej;

    @BeforeEach
    void installPluginsConfig() throws IOException {
        imagej = FijiTestSupport.imageJWithMenus(dir);
    }

    private String harness(String... args) throws Exception {
        List<String> mainAndArgs = new ArrayList<>(List.of(DisplayHarness.class.getName()));
        mainAndArgs.addAll(List.of(args));
        return FijiTestSupport.harnessUnderXvfb(dir, imagej, "1280x1024x24", Path.of(args[args.length - 1]),
                mainAndArgs.toArray(String[]::new));
    }

    private static String value(String report, String key) {
        return report.lines().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + key + " in:\n" + report));
    }

    @Test
    void menuCommandsRunFromMacrosAndRejectBadParameters() throws Exception {
        Path stack = dir.resolve("stack.tif");
        VolumeIO.write(VolumeIO.read(FijiTestSupport.SAMPLE_3D), stack);
        Path labels2d = dir.resolve("labels2d.tif"), labels3d = dir.resolve("labels3d.tif");
        String model = FijiTestSupport.MODEL_2D;
        Path macro = dir.resolve("menu.ijm");
        Files.writeString(macro, String.join("\n",
                "open(" + FijiTestSupport.q(FijiTestSupport.SAMPLE_2D) + ");",
                "sample = getImageID();",
                "run(\"Tessera Segment\", \"model=" + model + " tile=auto tiling=gaussian device=cpu\");",
                "print(\"TITLE2D=\" + getTitle());",
                "print(\"ROWS=\" + Table.size(\"Tessera classes\"));",
                "saveAs(\"Tiff\", " + FijiTestSupport.q(labels2d) + ");",
                "open(" + FijiTestSupport.q(FijiTestSupport.TRUTH_2D) + ");",
                "run(\"Tessera Evaluate\", \"prediction=labels2d.tif truth=nuclei-2d-phantom_truth.tif\");",
                "print(\"DICE=\" + Table.get(\"Dice\", Table.size(\"Tessera evaluation\") - 1, \"Tessera evaluation\"));",
                "open(" + FijiTestSupport.q(stack) + ");",
                "run(\"Tessera Segment\", \"model=tiny-unet-2d tile=32,24 tiling=halo device=cpu\");",
                "print(\"TITLE3D=\" + getTitle());",
                "print(\"SLICES=\" + nSlices);",
                "saveAs(\"Tiff\", " + FijiTestSupport.q(labels3d) + ");",
                "run(\"Tessera Models\", \"action=list model=tiny-unet-2d folder=\");",
                "print(\"MODELS=\" + Table.size(\"Tessera models\") + \" \" + Table.getString(\"Id\", 0, \"Tessera models\"));",
                "print(\"DONE=\" + nImages);"));
        // Each bad call in its own macro: ImageJ aborts a macro when a command it runs reports an error.
        String open = "open(" + FijiTestSupport.q(FijiTestSupport.SAMPLE_2D) + ");\nprint(\"BEFORE=\" + nImages);\n";
        Path unknown = dir.resolve("unknown.ijm"), tile = dir.resolve("tile.ijm"), none = dir.resolve("none.ijm");
        Files.writeString(unknown, "close(\"*\");\n" + open
                + "run(\"Tessera Segment\", \"model=no-such-model tile=auto tiling=gaussian device=cpu\");\nprint(\"WENT_ON\");");
        Files.writeString(tile, "close(\"*\");\n" + open
                + "run(\"Tessera Segment\", \"model=tiny-unet-2d tile=33,24 tiling=gaussian device=cpu\");\nprint(\"WENT_ON\");");
        Files.writeString(none, "close(\"*\");\n"
                + "run(\"Tessera Segment\", \"model=tiny-unet-2d tile=auto tiling=gaussian device=cpu\");\nprint(\"WENT_ON\");");
        String report = harness("macro", macro.toString(), unknown.toString(), tile.toString(), none.toString(),
                dir.resolve("report.txt").toString());

        // 2D: the core's labels, title, calibration, class table
        assertEquals("nuclei-2d-phantom_labels", value(report, "TITLE2D"));
        ImagePlus input = FijiTestSupport.open(FijiTestSupport.SAMPLE_2D);
        ImagePlus labels = FijiTestSupport.open(labels2d);
        FijiTestSupport.assertSamePixels(FijiTestSupport.expectedLabels(input, model,
                SegmentOptions.defaults().withMode(org.tessera.volume.tiling.TileMode.GAUSSIAN)), labels); // tiling=gaussian
        assertCalibration(input.getCalibration(), labels.getCalibration());
        assertEquals("2", value(report, "ROWS"));
        double dice = Double.parseDouble(value(report, "DICE"));
        assertTrue(dice >= 0 && dice <= 1, report);
        // 3D stack with a 2D model, halo tiling
        assertEquals("stack_labels", value(report, "TITLE3D"));
        ImagePlus stackImage = FijiTestSupport.open(stack);
        assertEquals(String.valueOf(stackImage.getNSlices()), value(report, "SLICES"));
        ImagePlus labelStack = FijiTestSupport.open(labels3d);
        FijiTestSupport.assertSamePixels(FijiTestSupport.expectedLabels(stackImage, "tiny-unet-2d",
                SegmentOptions.defaults().withTile(new int[] { 32, 24 }).withMode(TileMode.HALO)), labelStack);
        assertCalibration(stackImage.getCalibration(), labelStack.getCalibration());
        assertTrue(value(report, "MODELS").startsWith("2 tiny-unet-2d") || FijiTestSupport.TRAINED_2D, report);

        // bad parameters: an error dialog each (ImageJ's macro error dialog, as the macro is aborted), the message
        // in the Log, no new image
        List<String> counts = report.lines().filter(l -> l.startsWith("IMAGES\t")).map(l -> l.substring(7)).toList();
        assertEquals(List.of("1", "1", "0"), counts.subList(1, counts.size()),
                "open images after each bad macro (each opened one image, the last none):\n" + report);
        assertEquals(List.of("1", "1"), report.lines().filter(l -> l.startsWith("BEFORE=")).map(l -> l.substring(7)).toList());
        assertFalse(report.contains("WENT_ON"), "a macro went on after an error:\n" + report);
        assertEquals(3, report.lines().filter(l -> l.startsWith("DIALOG\t")).count(), report);
        assertTrue(report.contains("Unknown model 'no-such-model'"), report);
        assertTrue(report.contains("33") && report.contains("32 or 34"), report);
        assertTrue(report.contains("No image is open"), report);
        assertFalse(report.contains("Exception"), "a stack trace for a user mistake:\n" + report);
    }

    @Test
    void aMacroRecordedFromTheDialogReplaysToTheSameLabels() throws Exception {
        String report = harness("record", FijiTestSupport.SAMPLE_2D.toString(), "tiny-unet-2d", "32,24", dir.toString(),
                dir.resolve("report.txt").toString());
        String recorded = report.lines().filter(l -> l.startsWith("RECORDED\t")).findFirst().orElseThrow().substring(9);
        // the dialog's Parameters field (for classic methods) is recorded even when empty
        assertEquals("run(\"Tessera Segment\", \"model=tiny-unet-2d tile=32,24 tiling=halo device=cpu parameters=[] "
                + "instance_parameters=[]\");", recorded.strip(), report);
        ImagePlus first = FijiTestSupport.open(dir.resolve("recorded.tif"));
        ImagePlus replayed = FijiTestSupport.open(dir.resolve("replayed.tif"));
        FijiTestSupport.assertSamePixels(first, replayed);
        ImagePlus input = FijiTestSupport.open(FijiTestSupport.SAMPLE_2D);
        FijiTestSupport.assertSamePixels(FijiTestSupport.expectedLabels(input, "tiny-unet-2d",
                SegmentOptions.defaults().withTile(new int[] { 32, 24 }).withMode(TileMode.HALO)), first);
    }

    @Test
    void tesseraSegmentShowsOneCalibratedAttentionMapPerGate() throws Exception {
        Path stack = dir.resolve("embryo.tif");
        VolumeIO.write(Phantoms.nuclei3D(72, 64, 16, 4, false, 2).image().withSpacing(0.8, 0.8, 1.75).withUnit("um"), stack);
        Path macro = dir.resolve("attention.ijm");
        StringBuilder m = new StringBuilder(String.join("\n",
                "open(" + FijiTestSupport.q(FijiTestSupport.SAMPLE_2D) + ");",
                "run(\"Tessera Segment\", \"model=nuclei-2d-attention-unet tile=auto tiling=halo device=cpu show_attention_maps\");",
                "print(\"ACTIVE=\" + getTitle());",
                "for (i = 1; i <= nImages; i++) { selectImage(i); print(\"IMAGE=\" + getTitle()); }",
                "for (k = 1; k <= 3; k++) { selectImage(\"nuclei-2d-phantom_attention_\" + k); "
                        + "saveAs(\"Tiff\", " + FijiTestSupport.q(dir) + " + \"/map2d_\" + k + \".tif\"); }",
                "open(" + FijiTestSupport.q(stack) + ");",
                "run(\"Tessera Segment\", \"model=nuclei-3d-attention-unet tile=auto tiling=gaussian device=cpu show_attention_maps\");",
                "selectImage(\"embryo_attention_2\");",
                "print(\"SLICES=\" + nSlices);",
                "saveAs(\"Tiff\", " + FijiTestSupport.q(dir.resolve("map3d_2.tif")) + ");"));
        Path bad = dir.resolve("bad.ijm");
        Files.writeString(bad, "close(\"*\");\nopen(" + FijiTestSupport.q(FijiTestSupport.SAMPLE_2D) + ");\n"
                + "run(\"Tessera Segment\", \"model=nuclei-2d-unet tile=auto tiling=gaussian device=cpu show_attention_maps\");\n"
                + "print(\"WENT_ON\");");
        Files.writeString(macro, m);
        String report = harness("macro", macro.toString(), bad.toString(), dir.resolve("report.txt").toString());

        // 2D: labels active, one image per gate titled with the gate, the core's values, the input's calibration
        assertEquals("nuclei-2d-phantom_labels", value(report, "ACTIVE"));
        List<String> titles = report.lines().filter(l -> l.startsWith("IMAGE=")).map(l -> l.substring(6)).toList();
        assertEquals(List.of("nuclei-2d-phantom.tif", "nuclei-2d-phantom_attention_1", "nuclei-2d-phantom_attention_2",
                "nuclei-2d-phantom_attention_3", "nuclei-2d-phantom_labels"), titles.stream().sorted().toList(), report);
        ImagePlus input = FijiTestSupport.open(FijiTestSupport.SAMPLE_2D);
        List<ImagePlus> expected = FijiTestSupport.expectedAttention(input, "nuclei-2d-attention-unet",
                SegmentOptions.defaults().withMode(TileMode.HALO));
        for (int k = 1; k <= 3; k++) {
            ImagePlus map = FijiTestSupport.open(dir.resolve("map2d_" + k + ".tif"));
            assertEquals(32, map.getBitDepth(), "float maps");
            FijiTestSupport.assertSameValues(expected.get(k - 1), map, 1e-6);
            assertCalibration(input.getCalibration(), map.getCalibration());
        }
        // 3D input, 3D model: 3D maps with the stack's planes and z spacing
        assertEquals("16", value(report, "SLICES"));
        ImagePlus stackImage = FijiTestSupport.open(stack);
        ImagePlus map3d = FijiTestSupport.open(dir.resolve("map3d_2.tif"));
        FijiTestSupport.assertSameValues(FijiTestSupport.expectedAttention(stackImage, "nuclei-3d-attention-unet",
                SegmentOptions.defaults()).get(1), map3d, 1e-6);
        assertCalibration(stackImage.getCalibration(), map3d.getCalibration());

        // a model without attention maps: an error dialog naming it, the macro stops, no new image
        assertFalse(report.contains("WENT_ON"), report);
        assertTrue(report.contains("nuclei-2d-unet") && report.contains("attention maps"), report);
        List<String> counts = report.lines().filter(l -> l.startsWith("IMAGES\t")).map(l -> l.substring(7)).toList();
        assertEquals("1", counts.get(counts.size() - 1), report);
        assertFalse(report.contains("Exception"), "a stack trace for a user mistake:\n" + report);
    }

    @Test
    void theInstancesCheckboxIsRecordedAndOutlinesEachObjectInTheRoiManager() throws Exception {
        String report = harness("record", FijiTestSupport.SAMPLE_2D.toString(), FijiTestSupport.MODEL_2D, "auto",
                dir.toString(), "instances", dir.resolve("report.txt").toString());
        String recorded = report.lines().filter(l -> l.startsWith("RECORDED\t")).findFirst().orElseThrow().substring(9);
        assertTrue(recorded.contains(" parameters=[] instances instance_parameters=[]"), report);
        String[] counts = report.lines().filter(l -> l.startsWith("OBJECTS\t")).findFirst().orElseThrow().split("\t");
        assertTrue(Integer.parseInt(counts[1]) > 0, report);
        assertEquals(counts[1], counts[3], "one outline per row of the objects table:\n" + report);
        List<String> titles = report.lines().filter(l -> l.startsWith("TITLE\t")).map(l -> l.substring(6)).toList();
        assertTrue(titles.contains("nuclei-2d-phantom_instances"), report);
    }

    @Test
    void theAttentionCheckboxIsRecordedAndReplays() throws Exception {
        String report = harness("record", FijiTestSupport.SAMPLE_2D.toString(), "nuclei-2d-attention-unet", "auto",
                dir.toString(), "attention", dir.resolve("report.txt").toString());
        String recorded = report.lines().filter(l -> l.startsWith("RECORDED\t")).findFirst().orElseThrow().substring(9);
        assertEquals("run(\"Tessera Segment\", \"model=nuclei-2d-attention-unet tile=auto tiling=halo device=cpu "
                + "show_attention_maps parameters=[] instance_parameters=[]\");", recorded.strip(), report);
        List<String> titles = report.lines().filter(l -> l.startsWith("TITLE\t")).map(l -> l.substring(6)).toList();
        for (int k = 1; k <= 3; k++)
            assertTrue(titles.contains("nuclei-2d-phantom_attention_" + k), "the replay shows gate " + k + ":\n" + report);
    }

    void classicMethodsRunFromTheMenuWithTheirParametersAndRejectBadOnes() throws Exception {
        Path labels = dir.resolve("classic.tif");
        Path macro = dir.resolve("classic.ijm"), bad = dir.resolve("bad.ijm");
        Files.writeString(macro, String.join("\n",
                "open(" + FijiTestSupport.q(FijiTestSupport.SAMPLE_2D) + ");",
                "run(\"Tessera Segment\", \"model=classic:kmeans tile=auto tiling=gaussian device=cpu "
                        + "parameters=[k=2 names=background,nucleus]\");",
                "print(\"TITLE=\" + getTitle());",
                "print(\"CLASS1=\" + Table.getString(\"Name\", 1, \"Tessera classes\"));",
                "saveAs(\"Tiff\", " + FijiTestSupport.q(labels) + ");"));
        Files.writeString(bad, "close(\"*\");\nopen(" + FijiTestSupport.q(FijiTestSupport.SAMPLE_2D) + ");\n"
                + "run(\"Tessera Segment\", \"model=classic:kmeans tile=auto tiling=gaussian device=cpu parameters=[k=40]\");\n"
                + "print(\"WENT_ON\");");
        String report = harness("macro", macro.toString(), bad.toString(), dir.resolve("report.txt").toString());
        assertEquals("nuclei-2d-phantom_labels", value(report, "TITLE"));
        assertEquals("nucleus", value(report, "CLASS1"));
        ImagePlus input = FijiTestSupport.open(FijiTestSupport.SAMPLE_2D);
        ImagePlus expected = org.tessera.volume.ij.ImagePlusVolumes.toImagePlus(org.tessera.volume.classic.ClassicSegmentation
                .configure("classic:kmeans", java.util.Map.of("k", "2")).segment(
                        org.tessera.volume.ij.ImagePlusVolumes.wrap(input)).labels(), "expected");
        FijiTestSupport.assertSamePixels(expected, FijiTestSupport.open(labels));
        assertFalse(report.contains("WENT_ON"), "the macro went on after a bad parameter:\n" + report);
        assertTrue(report.contains("k=40") && report.contains("classic:kmeans"), report);
        assertFalse(report.contains("Exception"), "a stack trace for a user mistake:\n" + report);
    }

    private static void assertCalibration(Calibration expected, Calibration actual) {
        assertEquals(expected.pixelWidth, actual.pixelWidth, 1e-9);
        assertEquals(expected.pixelHeight, actual.pixelHeight, 1e-9);
        assertEquals(expected.pixelDepth, actual.pixelDepth, 1e-9);
        assertEquals(expected.getUnit(), actual.getUnit());
    }
}
