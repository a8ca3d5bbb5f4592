package org.tessera.fiji;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import ij.ImagePlus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;
import org.tessera.fiji.scijava.SegmentImageCommand;
import org.tessera.service.SegmentationRequest;
import org.tessera.volume.classic.ClassicSegmentation;
import org.tessera.volume.ij.ImagePlusVolumes;
import org.tessera.volume.metrics.Overlap;

/**
 * The classic methods through the Fiji faces: macro extensions in headless plain ImageJ (a separate JVM, results
 * checked in the files the macro writes), the SciJava command, and the parsing of the options string.
 */
class ClassicFijiTest {

    @TempDir
    Path dir;

    /** The labels the core makes: what every face must reproduce. */
    private static ImagePlus expected(ImagePlus input, String id, Map<String, String> parameters) {
        return ImagePlusVolumes.toImagePlus(ClassicSegmentation.configure(id, parameters)
                .segment(ImagePlusVolumes.wrap(input)).labels(), "expected");
    }

    private FijiTestSupport.Run batch(String macro) throws Exception {
        return FijiTestSupport.batchMacro(dir, macro);
    }

    @Test
    void headlessMacroSegmentsWithAClassicMethodAndEvaluates() throws Exception {
        Path labelsFile = dir.resolve("labels.tif"), instancesFile = dir.resolve("instances.tif");
        FijiTestSupport.Run r = batch(String.join("\n",
                "call(\"org.tessera.fiji.TesseraMacro.install\");",
                "Ext.tesseraModels(ids);",
                "print(\"MODELS=\" + ids);",
                "Ext.tesseraModelCard(\"classic:watershed\", card);",
                "print(\"CARD=\" + card);",
                "Ext.tesseraOpen(" + FijiTestSupport.q(FijiTestSupport.SAMPLE_2D) + ");",
                "Ext.tesseraSegment(\"classic:watershed\", \"parameters=[instances=true names=background,nucleus]\");",
                "labels = getTitle();",
                "print(\"ACTIVE=\" + labels);",
                "saveAs(\"Tiff\", " + FijiTestSupport.q(labelsFile) + ");",
                "rename(labels);",
                "selectImage(\"nuclei-2d-phantom_instances\");",
                "saveAs(\"Tiff\", " + FijiTestSupport.q(instancesFile) + ");",
                "Ext.tesseraOpen(" + FijiTestSupport.q(FijiTestSupport.TRUTH_2D) + ");",
                "Ext.tesseraEvaluate(labels, getTitle(), dice);",
                "print(\"DICE=\" + d2s(dice, 6));"));
        String out = r.output();
        assertTrue(out.lines().anyMatch(l -> l.startsWith("MODELS=") && l.contains("classic:otsu")
                && l.contains("classic:edges")), out);
        assertTrue(out.contains("CARD=classic:watershed: Marker-controlled watershed"), out);
        assertTrue(out.contains("ACTIVE=nuclei-2d-phantom_labels"), out);
        assertTrue(Files.exists(labelsFile) && Files.exists(instancesFile), "the macro did not save its images:\n" + out);
        ImagePlus input = FijiTestSupport.open(FijiTestSupport.SAMPLE_2D);
        ImagePlus labels = FijiTestSupport.open(labelsFile);
        FijiTestSupport.assertSamePixels(expected(input, "classic:watershed", Map.of()), labels);
        assertTrue(FijiTestSupport.open(instancesFile).getStatistics().max >= 5, "instances 1..n, one per nucleus");
        double dice = Overlap.of(ImagePlusVolumes.wrap(labels).image(),
                ImagePlusVolumes.wrap(FijiTestSupport.open(FijiTestSupport.TRUTH_2D)).image(), 0).meanForegroundDice();
        String line = out.lines().filter(l -> l.startsWith("DICE=")).findFirst().orElseThrow(() -> new AssertionError(out));
        assertEquals(dice, Double.parseDouble(line.substring(5)), 1e-5);
        assertTrue(dice > 0.8, "the watershed on the phantom: Dice " + dice);
    }

    @Test
    void aBadParameterStopsTheMacroWithItsNameAndMakesNoImage() throws Exception {
        String[][] cases = {
                { "Ext.tesseraSegment(\"classic:kmeans\", \"parameters=[k=40]\");", "Parameter k=40 of classic:kmeans is out of range" },
                { "Ext.tesseraSegment(\"classic:otsu\", \"parameters=[levels=2]\");", "classic:otsu has no parameter 'levels'" },
                { "Ext.tesseraSegment(\"classic:otsu\", \"k=2\");", "Option 'k=2' is not known" },
                { "Ext.tesseraSegment(\"classic:otsux\", \"\");", "Unknown classic method 'classic:otsux'" } };
        FijiTestSupport.assertMacroStops(dir, cases);
    }

    @Test
    void optionsStringsKeepBracketedParametersTogether() {
        SegmentationRequest r = TesseraMacro.request("classic:kmeans", "tile=auto parameters=[k=3 order=bright-to-dark] device=cpu")
                .build();
        assertEquals(Map.of("k", "3", "order", "bright-to-dark"), r.parameters());
        assertEquals(List.of("a=1", "parameters=[k=3 order=0,1,0]", "b"), TesseraMacro.words("a=1  parameters=[k=3 order=0,1,0] b"));
        assertEquals(Map.of(), TesseraMacro.request("nuclei-2d-unet", "").build().parameters());
    }

    @Test
    void sciJavaCommandRunsAClassicMethodWithItsClassNames() throws Exception {
        Context context = new Context(CommandService.class);
        try {
            ImagePlus input = FijiTestSupport.open(FijiTestSupport.SAMPLE_2D);
            CommandModule m = context.service(CommandService.class).run(SegmentImageCommand.class, true, "image", input,
                    "model", "classic:multi-otsu", "parameters", "thresholds=2 order=0,1,1 names=background,nucleus",
                    "device", "cpu").get();
            assertFalse(m.isCanceled(), m.getCancelReason());
            FijiTestSupport.assertSamePixels(expected(input, "classic:multi-otsu",
                    Map.of("thresholds", "2", "order", "0,1,1")), (ImagePlus) m.getOutput("labels"));
            String table = (String) m.getOutput("classes");
            assertTrue(table.contains("background") && table.contains("nucleus"), table);
            CommandModule bad = context.service(CommandService.class).run(SegmentImageCommand.class, true, "image", input,
                    "model", "classic:multi-otsu", "parameters", "thresholds=99").get();
            assertTrue(bad.isCanceled() && bad.getCancelReason().contains("thresholds=99"), bad.getCancelReason());
        } finally {
            context.dispose();
        }
    }
}
