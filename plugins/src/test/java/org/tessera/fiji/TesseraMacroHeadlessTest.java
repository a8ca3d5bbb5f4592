package org.tessera.fiji;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import ij.ImagePlus;
import ij.measure.Calibration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.unet.SegmentOptions;
import org.tessera.volume.ij.ImagePlusVolumes;
import org.tessera.volume.metrics.Overlap;

/**
 * The Ext.tessera* macro functions in plain ImageJ run headless ({@code java -Djava.awt.headless=true ij.ImageJ
 * -batch macro.ijm}), in a separate JVM: the results are checked in the files the macro writes, not by exit code.
 */
class TesseraMacroHeadlessTest {

    @TempDir
    Path dir;

    private FijiTestSupport.Run batch(String macro) throws Exception {
        return FijiTestSupport.batchMacro(dir, macro);
    }

    @Test
    void segmentsTheActiveImageListsModelsAndEvaluates() throws Exception {
        Path labelsFile = dir.resolve("labels.tif"), instancesFile = dir.resolve("instances.tif");
        String model = FijiTestSupport.MODEL_2D;
        FijiTestSupport.Run r = batch(String.join("\n",
                "call(\"org.tessera.fiji.TesseraMacro.install\");",
                "Ext.tesseraModels(ids);",
                "print(\"MODELS=\" + ids);",
                "Ext.tesseraOpen(" + FijiTestSupport.q(FijiTestSupport.SAMPLE_2D) + ");",
                "source = getTitle();",
                "Ext.tesseraSegment(\"" + model + "\", \"tile=auto tiling=gaussian device=cpu instances "
                        + "instance_parameters=[minArea=5]\");",
                "print(\"ACTIVE=\" + getTitle());",
                "print(\"OBJECTS=\" + nResults);",
                "labels = getTitle();",
                "selectImage(\"nuclei-2d-phantom_instances\");",
                "saveAs(\"Tiff\", " + FijiTestSupport.q(instancesFile) + ");",
                "selectImage(labels);",
                "saveAs(\"Tiff\", " + FijiTestSupport.q(labelsFile) + ");",
                "rename(labels);",
                "Ext.tesseraOpen(" + FijiTestSupport.q(FijiTestSupport.TRUTH_2D) + ");",
                "Ext.tesseraEvaluate(labels, getTitle(), dice);",
                "print(\"DICE=\" + d2s(dice, 6));",
                "Ext.tesseraModelCard(\"" + model + "\", card);",
                "print(\"CARD=\" + card);"));
        String out = r.output();
        assertTrue(out.contains("MODELS=") && out.lines().anyMatch(l -> l.startsWith("MODELS=")
                && l.contains("tiny-unet-2d") && l.contains("tiny-unet-3d")), out);
        assertTrue(out.contains("ACTIVE=nuclei-2d-phantom_labels"), out);
        assertTrue(out.contains("CARD=Model " + model), out);
        assertTrue(Files.exists(labelsFile), "the macro did not save the label image:\n" + out);

        ImagePlus input = FijiTestSupport.open(FijiTestSupport.SAMPLE_2D);
        ImagePlus labels = FijiTestSupport.open(labelsFile);
        FijiTestSupport.assertSamePixels(FijiTestSupport.expectedLabels(input, model,
                SegmentOptions.defaults().withMode(org.tessera.volume.tiling.TileMode.GAUSSIAN)), labels); // tiling=gaussian
        // the instance image beside the labels, and a row of the objects table (the Results table, headless) per id
        ImagePlus instances = FijiTestSupport.open(instancesFile);
        assertEquals(input.getWidth(), instances.getWidth());
        assertEquals(16, instances.getBitDepth());
        java.util.Set<Integer> ids = new java.util.TreeSet<>();
        for (int i = 0; i < instances.getProcessor().getPixelCount(); i++)
            if (instances.getProcessor().get(i) > 0)
                ids.add(instances.getProcessor().get(i));
        assertTrue(out.contains("OBJECTS=" + ids.size()) && !ids.isEmpty(), ids.size() + " ids:\n" + out);
        assertEquals(ids.size(), ids.stream().mapToInt(Integer::intValue).max().orElse(0), "ids 1..n");
        if (FijiTestSupport.TRAINED_2D)
            assertTrue(ids.size() >= 5, "the trained model finds the phantom's nuclei: " + ids.size());
        Calibration a = input.getCalibration(), b = labels.getCalibration();
        assertEquals(a.pixelWidth, b.pixelWidth, 1e-9);
        assertEquals(a.pixelHeight, b.pixelHeight, 1e-9);
        assertEquals(a.getUnit(), b.getUnit());

        double dice = Overlap.of(ImagePlusVolumes.wrap(labels).image(),
                ImagePlusVolumes.wrap(FijiTestSupport.open(FijiTestSupport.TRUTH_2D)).image(), 0).meanForegroundDice();
        String line = out.lines().filter(l -> l.startsWith("DICE=")).findFirst().orElseThrow(() -> new AssertionError(out));
        assertEquals(dice, Double.parseDouble(line.substring(5)), 1e-5);
        if (FijiTestSupport.TRAINED_2D)
            assertTrue(dice > 0.7, "trained nuclei model, Dice " + dice);
    }

    @Test
    void segmentShowsTheAttentionMapsOfAnAttentionUNet() throws Exception {
        FijiTestSupport.Run r = batch(String.join("\n",
                "call(\"org.tessera.fiji.TesseraMacro.install\");",
                "Ext.tesseraOpen(" + FijiTestSupport.q(FijiTestSupport.SAMPLE_2D) + ");",
                "Ext.tesseraSegment(\"nuclei-2d-attention-unet\", \"tiling=halo device=cpu show_attention_maps\");",
                "print(\"ACTIVE=\" + getTitle());",
                "print(\"IMAGES=\" + nImages);",
                "selectImage(\"nuclei-2d-phantom_attention_1\");",
                "saveAs(\"Tiff\", " + FijiTestSupport.q(dir.resolve("attention_1.tif")) + ");",
                "Ext.tesseraSegment(\"nuclei-2d-unet\", \"show_attention_maps\");",
                "print(\"WENT_ON\");"));
        String out = r.output();
        assertTrue(out.contains("ACTIVE=nuclei-2d-phantom_labels"), out);
        assertTrue(out.contains("IMAGES=5"), "the input, the labels and 3 maps:\n" + out);
        ImagePlus input = FijiTestSupport.open(FijiTestSupport.SAMPLE_2D);
        FijiTestSupport.assertSameValues(FijiTestSupport.expectedAttention(input, "nuclei-2d-attention-unet",
                SegmentOptions.defaults().withMode(org.tessera.volume.tiling.TileMode.HALO)).get(0),
                FijiTestSupport.open(dir.resolve("attention_1.tif")), 1e-6);
        assertTrue(out.contains("nuclei-2d-unet") && out.contains("attention maps"), out);
        assertFalse(out.contains("WENT_ON"), out);
    }

    @Test
    void badArgumentsStopTheMacroWithAClearMessageAndMakeNoImage() throws Exception {
        String[][] cases = {
                { "Ext.tesseraSegment(\"no-such-model\", \"\");", "Unknown model 'no-such-model'" },
                { "Ext.tesseraSegment(\"tiny-unet-2d\", \"tile=33,24\");", "is not a multiple of 2" },
                { "Ext.tesseraSegment(\"tiny-unet-2d\", \"tiles=32,24\");", "Option 'tiles=32,24' is not known" },
                { "close(\"*\"); Ext.tesseraSegment(\"tiny-unet-2d\", \"\");", "No image is open" },
                { "Ext.tesseraSegment(\"tiny-unet-3d\", \"\");", "expects 2 channels" } };
        FijiTestSupport.assertMacroStops(dir, cases);
    }
}
