package org.tessera.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import net.imglib2.Cursor;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.volume.io.VolumeIO;

/** tessera export bioimageio / import bioimageio / segment, and refused packages, on the command line. */
class BioimageioCliTest {

    static final Path SAMPLE = Path.of(System.getProperty("tessera.root", ".."), "sample-volumes", "nuclei-2d-phantom.tif");

    @TempDir
    Path dir;

    private static List<Double> voxels(Path file) {
        List<Double> v = new ArrayList<>();
        Cursor<? extends RealType<?>> c = Views.flatIterable(VolumeIO.read(file).image()).cursor();
        while (c.hasNext())
            v.add(c.next().getRealDouble());
        return v;
    }

    private static List<String> tree(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void exportImportAndSegmentGiveTheOriginalsLabels() throws Exception {
        Path models = Files.createDirectories(dir.resolve("models"));
        Path zip = dir.resolve("nuclei.zip");
        CliTest.Run export = CliTest.run("export", "bioimageio", "-m", "nuclei-2d-unet", "-o", zip.toString());
        assertEquals(0, export.status(), export.err());
        assertTrue(Files.isRegularFile(zip) && export.out().contains("Wrote"), export.out());
        CliTest.Run imported = CliTest.run("import", "bioimageio", zip.toString(), "--id", "nuclei-copy", "--models", models.toString());
        assertEquals(0, imported.status(), imported.err());
        assertTrue(imported.err().contains("package test passed"), imported.err());
        assertTrue(imported.out().contains("Installed nuclei-copy"), imported.out());
        CliTest.Run listed = CliTest.run("models", "--models", models.toString());
        assertTrue(listed.out().lines().anyMatch(l -> l.startsWith("nuclei-copy")), listed.out());
        for (String id : List.of("nuclei-2d-unet", "nuclei-copy")) {
            CliTest.Run seg = CliTest.run("segment", "-m", id, "--models", models.toString(), "-i", SAMPLE.toString(),
                    "-o", dir.resolve(id).toString(), "--device", "cpu", "--mode", "gaussian"); // one window: a package has no tilingStep
            assertEquals(0, seg.status(), seg.err());
        }
        Path a = dir.resolve("nuclei-2d-unet/nuclei-2d-phantom_labels.tif"), b = dir.resolve("nuclei-copy/nuclei-2d-phantom_labels.tif");
        List<Double> la = voxels(a), lb = voxels(b);
        assertEquals(la, lb);
        assertTrue(la.stream().anyMatch(v -> v > 0));
        // auto recognizes the package
        CliTest.Run auto = CliTest.run("import", "auto", zip.toString(), "--id", "nuclei-auto", "--models", models.toString());
        assertEquals(0, auto.status(), auto.err());
    }

    @Test
    void brokenPackagesExitWith2AndInstallNothing() throws Exception {
        Path models = Files.createDirectories(dir.resolve("models"));
        Path slip = dir.resolve("slip.zip");
        try (OutputStream out = Files.newOutputStream(slip); ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry("rdf.yaml"));
            z.write("format_version: 0.5.4\ntype: model\n".getBytes());
            z.closeEntry();
            z.putNextEntry(new ZipEntry("../evil.txt"));
            z.write("x".getBytes());
            z.closeEntry();
        }
        Path bomb = dir.resolve("bomb/rdf.yaml");
        Files.createDirectories(bomb.getParent());
        StringBuilder y = new StringBuilder("a: &a [x, x, x, x, x, x, x, x]\n");
        for (char c = 'b'; c <= 'j'; c++)
            y.append(c).append(": &").append(c).append(" [").append(("*" + (char) (c - 1) + ", ").repeat(8)).append("]\n");
        Files.writeString(bomb, y);
        Path torch = dir.resolve("torch/rdf.yaml");
        Files.createDirectories(torch.getParent());
        Files.writeString(torch, "format_version: 0.5.4\ntype: model\nname: torch only\ninputs: []\noutputs: []\n"
                + "weights:\n  torchscript:\n    source: w.pt\n");
        String[][] cases = { { slip.toString(), "outside the package" }, { bomb.toString(), "aliases" },
                { torch.getParent().toString(), "torchscript weights and no onnx" } };
        List<String> before = tree(models);
        for (String[] c : cases) {
            CliTest.Run r = CliTest.run("import", "bioimageio", c[0], "--models", models.toString());
            assertEquals(2, r.status(), c[0] + ": " + r.err());
            assertTrue(r.err().contains(c[1]), r.err());
            assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "a stack trace: " + r.err());
            assertEquals(before, tree(models));
        }
        assertTrue(Files.notExists(dir.resolve("evil.txt")));
    }

    @Test
    void exportRefusesWhatAPackageCannotDescribe() {
        CliTest.Run bundle = CliTest.run("export", "bioimageio", "-m", "spleen-ct-nnunet", "-o", dir.resolve("s.zip").toString());
        assertEquals(2, bundle.status(), bundle.err());
        assertTrue(bundle.err().contains("nnU-Net bundle"), bundle.err());
        CliTest.Run name = CliTest.run("export", "bioimageio", "-m", "nuclei-2d-unet", "-o", dir.resolve("s.tar").toString());
        assertEquals(2, name.status());
        assertTrue(name.err().contains("must end in .zip"), name.err());
        CliTest.Run format = CliTest.run("export", "onnx-zoo", "-m", "nuclei-2d-unet", "-o", dir.resolve("s.zip").toString());
        assertEquals(2, format.status());
        assertTrue(Files.notExists(dir.resolve("s.zip")));
    }
}
