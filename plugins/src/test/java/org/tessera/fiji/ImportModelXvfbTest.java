package org.tessera.fiji;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import ij.ImagePlus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.bioimageio.BioimageioExporter;
import org.tessera.unet.ModelZoo;
import org.tessera.unet.SegmentOptions;

/**
 * Plugins > Tessera > Import model... in a real ImageJ under Xvfb, driven by macros as the recorder writes them:
 * a bioimage.io package is imported, then Tessera Segment runs it by its new id and gives the original model's
 * labels; a broken package and a missing path end in an error dialog, without a stack trace.
 */
class ImportModelXvfbTest {

    @TempDir
    Path dir;

    @Test
    void importedPackageAppearsInSegmentAndBrokenOnesAreReported() throws Exception {
        Path imagej = FijiTestSupport.imageJWithMenus(dir);
        Path models = Files.createDirectories(dir.resolve("models"));
        Path zip = dir.resolve("tiny.zip");
        ModelZoo zoo = new ModelZoo(getClass().getClassLoader(), List.of(FijiTestSupport.FIXTURES));
        BioimageioExporter.export(zoo.get("tiny-unet-2d"), zip,
                new BioimageioExporter.Options(null, List.of("Tester"), "https://example.org/tiny"));
        Path broken = dir.resolve("broken.zip");
        Files.write(broken, "not a zip".getBytes());
        Path labels = dir.resolve("labels.tif");
        Path macro = dir.resolve("import.ijm");
        Files.writeString(macro, String.join("\n",
                "run(\"Import model...\", \"source=auto package=" + zip + " id=tiny-from-package\");",
                "open(" + FijiTestSupport.q(FijiTestSupport.SAMPLE_2D) + ");",
                "run(\"Tessera Segment\", \"model=tiny-from-package tile=auto tiling=gaussian device=cpu\");",
                "print(\"TITLE=\" + getTitle());",
                "saveAs(\"Tiff\", " + FijiTestSupport.q(labels) + ");"));
        Path bad = dir.resolve("bad.ijm"), none = dir.resolve("none.ijm");
        Files.writeString(bad, "run(\"Import model...\", \"source=bioimageio package=" + broken + " id=x\");\nprint(\"WENT_ON\");");
        Files.writeString(none, "run(\"Import model...\", \"source=auto package=" + dir.resolve("nothing-here.zip")
                + " id=\");\nprint(\"WENT_ON\");");
        Path report = dir.resolve("report.txt");
        String text = FijiTestSupport.harnessUnderXvfb(dir, imagej, "1280x1024x24", report,
                List.of("-D" + Tessera.MODELS_PROPERTY + "=" + models + File.pathSeparator + FijiTestSupport.FIXTURES),
                DisplayHarness.class.getName(), "macro", macro.toString(), bad.toString(), none.toString(), report.toString());

        assertTrue(text.contains("installed 'tiny-from-package'"), text);
        assertTrue(text.contains("package test passed"), text);
        assertTrue(Files.isRegularFile(models.resolve("tiny-from-package/card.json")), text);
        assertTrue(text.contains("TITLE=nuclei-2d-phantom_labels"), text);
        ImagePlus input = FijiTestSupport.open(FijiTestSupport.SAMPLE_2D);
        FijiTestSupport.assertSamePixels(FijiTestSupport.expectedLabels(input, "tiny-unet-2d", SegmentOptions.defaults()),
                FijiTestSupport.open(labels));
        assertEquals(2, text.lines().filter(l -> l.startsWith("DIALOG\t")).count(), text);
        assertTrue(text.contains("not a readable zip file") || text.contains("is empty or not a zip file"), text);
        assertTrue(text.contains("does not exist"), text);
        assertFalse(text.contains("WENT_ON"), text);
        assertFalse(text.contains("Exception"), "a stack trace for a user mistake:\n" + text);
        assertEquals(List.of("tiny-from-package"), Files.list(models).map(p -> p.getFileName().toString()).toList());
    }
}
