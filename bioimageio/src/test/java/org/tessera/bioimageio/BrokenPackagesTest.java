package org.tessera.bioimageio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.unet.ModelZoo;
import org.tessera.volume.InvalidInputException;

/** Hand-made broken packages: each refused with a message naming what is wrong, and nothing installed. */
class BrokenPackagesTest {

    @TempDir
    Path dir;

    Path models;
    ModelZoo zoo;
    List<String> before;

    @BeforeEach
    void zoo() throws Exception {
        models = dir.resolve("models");
        Files.createDirectories(models.resolve("existing"));
        Files.writeString(models.resolve("existing/notes.txt"), "a user's file");
        zoo = Packages.zoo(models);
        before = Packages.tree(models);
    }

    /** A valid package (scale_linear then Identity): the broken ones change one thing of it. */
    private Path good(String name) throws Exception {
        Handmade h = new Handmade(dir.resolve(name));
        h.pre = "      - id: scale_linear\n        kwargs: {gain: 2.0}\n";
        return h.write(h.input(), h.map(h.input(), v -> 2 * v));
    }

    private String refused(Path source, String... words) throws Exception {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Packages.importPackage(source, "broken", zoo, s -> { }));
        for (String w : words)
            assertTrue(e.getMessage().contains(w), "'" + w + "' missing from: " + e.getMessage());
        assertEquals(before, Packages.tree(models), "the user model folder changed");
        return e.getMessage();
    }

    private static void edit(Path rdf, String from, String to) throws Exception {
        String text = Files.readString(rdf);
        assertTrue(text.contains(from), from);
        Files.writeString(rdf, text.replace(from, to));
    }

    @Test
    void theGoodPackageImports() throws Exception {
        Packages.importPackage(good("ok"), "ok", zoo, s -> { });
        assertTrue(Files.isRegularFile(models.resolve("ok/card.json")));
    }

    @Test
    void badSha256() throws Exception {
        Path p = good("sha");
        edit(p.resolve("rdf.yaml"), "sha256: " + Packages.sha(p.resolve("net.onnx")), "sha256: " + "0".repeat(64));
        refused(p, "weights.onnx.sha256", "net.onnx has sha256 " + Packages.sha(p.resolve("net.onnx")));
    }

    @Test
    void missingFile() throws Exception {
        Path p = good("missing");
        Files.delete(p.resolve("out.npy"));
        refused(p, "out.npy", "is missing from the package");
    }

    @Test
    void fileOutsideThePackage() throws Exception {
        Path p = good("outside");
        Files.copy(p.resolve("net.onnx"), dir.resolve("net.onnx"));
        edit(p.resolve("rdf.yaml"), "source: net.onnx", "source: ../net.onnx");
        refused(p, "../net.onnx", "lies outside the package");
    }

    @Test
    void unknownOp() throws Exception {
        Path p = good("op");
        edit(p.resolve("rdf.yaml"), "id: scale_linear", "id: scale_lineer");
        refused(p, "'scale_lineer' is not a bioimage.io processing step");
    }

    @Test
    void axesThatDoNotMatchTheNetwork() throws Exception {
        Handmade h = new Handmade(dir.resolve("axes"));
        h.write(h.input(), h.input());
        // the description says five axes; the network takes four
        Files.write(h.dir.resolve("net.onnx"), Packages.onePartNetwork("Identity", 5));
        edit(h.dir.resolve("rdf.yaml"), "sha256: " + Packages.sha(h.dir.resolve("net.onnx")).substring(0, 0), "sha256: ");
        String rdf = Files.readString(h.dir.resolve("rdf.yaml")).replaceAll("(source: net.onnx\n    sha256: )[0-9a-f]+",
                "$1" + Packages.sha(h.dir.resolve("net.onnx")));
        Files.writeString(h.dir.resolve("rdf.yaml"), rdf);
        refused(h.dir, "do not match the ONNX tensor", "rank 5");
    }

    @Test
    void testTensorWithOtherAxes() throws Exception {
        Handmade h = new Handmade(dir.resolve("tensor"));
        h.write(h.input(), h.input());
        Packages.npy(h.dir.resolve("in.npy"), h.input(), 1, 2, 384);
        edit(h.dir.resolve("rdf.yaml"), "{source: in.npy, sha256: ", "{source: in.npy, sha256x: ");
        refused(h.dir, "test input in.npy has 3 axes", "[b, c, y, x]".replace("b", "B").replace("c", "C"));
    }

    @Test
    void wrongTestOutput() throws Exception {
        Handmade h = new Handmade(dir.resolve("wrong"));
        h.pre = "      - id: scale_linear\n        kwargs: {gain: 2.0}\n";
        h.write(h.input(), h.map(h.input(), v -> 2 * v + 1));
        refused(h.dir, "own test fails", "max |difference| 1.00");
    }

    @Test
    void onlyTorchWeights() throws Exception {
        Path p = good("torch");
        Files.writeString(p.resolve("weights.pt"), "not really torchscript");
        String rdf = Files.readString(p.resolve("rdf.yaml"));
        rdf = rdf.substring(0, rdf.indexOf("weights:")) + "weights:\n  torchscript:\n    source: weights.pt\n"
                + "    pytorch_version: 1.13\n  pytorch_state_dict:\n    source: weights.pt\n";
        Files.writeString(p.resolve("rdf.yaml"), rdf);
        refused(p, "torchscript, pytorch_state_dict weights and no onnx", "scripts/bioimageio_to_onnx.py");
    }

    @Test
    void zipSlip() throws Exception {
        Path p = good("slip");
        Path zip = dir.resolve("slip.zip");
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
            for (String name : List.of("rdf.yaml", "net.onnx", "in.npy", "out.npy")) {
                z.putNextEntry(new ZipEntry(name));
                z.write(Files.readAllBytes(p.resolve(name)));
                z.closeEntry();
            }
            z.putNextEntry(new ZipEntry("../../escaped.txt"));
            z.write("outside".getBytes());
            z.closeEntry();
        }
        refused(zip, "'../../escaped.txt'", "outside the package");
        assertTrue(Files.notExists(dir.resolve("escaped.txt")) && Files.notExists(dir.getParent().resolve("escaped.txt")));
        Path absolute = dir.resolve("absolute.zip");
        try (OutputStream out = Files.newOutputStream(absolute); ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry("/tmp/absolute.txt"));
            z.write("x".getBytes());
            z.closeEntry();
        }
        refused(absolute, "'/tmp/absolute.txt'");
    }

    @Test
    void aGoodZipImports() throws Exception {
        Path zip = Packages.zip(good("zipped"), dir.resolve("zipped.zip"));
        Packages.importPackage(zip, "zipped", zoo, s -> { });
        assertTrue(Files.isRegularFile(models.resolve("zipped/model.onnx")));
    }

    @Test
    void yamlAnchorBomb() throws Exception {
        Path p = dir.resolve("bomb");
        StringBuilder y = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (char c = 'b'; c <= 'k'; c++)
            y.append(c).append(": &").append(c).append(" [").append(("*" + (char) (c - 1) + ", ").repeat(9)).append("]\n");
        Packages.write(p.resolve("rdf.yaml"), y.toString());
        refused(p, "not a YAML document Tessera accepts", "aliases");
        // under the alias limit but 3^16 leaves deep: read in well under a second, as aliases are walked once
        Path wide = good("wide");
        StringBuilder w = new StringBuilder("x0: &x0 [1, 1, 1]\n");
        for (int k = 1; k <= 16; k++)
            w.append("x").append(k).append(": &x").append(k).append(" [*x").append(k - 1).append(", *x").append(k - 1)
                    .append(", *x").append(k - 1).append("]\n");
        Files.writeString(wide.resolve("rdf.yaml"), Files.readString(wide.resolve("rdf.yaml")) + "config:\n  notes:\n"
                + w.toString().indent(4));
        long start = System.nanoTime();
        Packages.importPackage(wide, "wide", zoo, s -> { });
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "the aliases took " + (System.nanoTime() - start) / 1e9 + " s");
        before = Packages.tree(models);
        Path big = dir.resolve("big");
        Packages.write(big.resolve("rdf.yaml"), "format_version: 0.5.4\ndescription: '" + "x".repeat(Rdf.MAX_BYTES) + "'\n");
        refused(big, "bytes");
    }

    @Test
    void notAModelAndUnknownVersion() throws Exception {
        Path p = good("dataset");
        edit(p.resolve("rdf.yaml"), "type: model", "type: dataset");
        refused(p, "only bioimage.io model descriptions");
        Path q = good("version");
        edit(q.resolve("rdf.yaml"), "format_version: 0.5.4", "format_version: 0.3.2");
        refused(q, "0.3.2", "0.4.x and 0.5.x");
    }

    @Test
    void anIdTakenIsRefusedUnlessReplacing() throws Exception {
        Packages.importPackage(good("first"), "same", zoo, s -> { });
        before = Packages.tree(models);
        Path second = good("second");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Packages.importPackage(second, "same", zoo, s -> { }));
        assertTrue(e.getMessage().contains("already installed"), e.getMessage());
        assertEquals(before, Packages.tree(models));
    }
}
