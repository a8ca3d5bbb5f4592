package org.tessera.bioimageio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;

import net.imglib2.Cursor;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.unet.Model;
import org.tessera.unet.ModelZoo;
import org.tessera.unet.OrtEngine;
import org.tessera.unet.SegmentOptions;
import org.tessera.unet.Segmenter;
import org.tessera.volume.Progress;
import org.tessera.volume.Volume;
import org.tessera.volume.phantom.Phantoms;

/** Export a Tessera model as a bioimage.io package, import it under another id, and segment with both. */
class RoundTripTest {

    @TempDir
    Path dir;

    static int[] labels(Model model, Volume image) {
        try (OrtEngine engine = model.open(OrtEngine.Options.cpu(2))) {
            Volume labels = new Segmenter(model, engine, null).segment(image, SegmentOptions.defaults(), Progress.NONE).labels();
            List<Integer> values = new ArrayList<>();
            Cursor<? extends RealType<?>> c = Views.flatIterable(labels.image()).cursor();
            while (c.hasNext())
                values.add((int) c.next().getRealDouble());
            return values.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    private void roundTrip(String id, Volume image) throws Exception {
        roundTrip(id, image, BioimageioExporter.Options.defaults());
    }

    private void roundTrip(String id, Volume image, BioimageioExporter.Options options) throws Exception {
        ModelZoo zoo = Packages.zoo(dir.resolve("models"));
        Model original = zoo.get(id);
        Path zip = dir.resolve(id + ".zip");
        BioimageioExporter.export(original, zip, options);
        List<String> log = new ArrayList<>();
        Model imported = Packages.importPackage(zip, id + "-bioimageio", zoo, log::add);
        System.out.println(id + ": " + log);
        assertEquals(original.card().output().classes(), imported.card().output().classes());
        assertEquals(original.card().output().kind(), imported.card().output().kind());
        int[] a = labels(original, image), b = labels(imported, image);
        int same = 0, foreground = 0;
        for (int i = 0; i < a.length; i++) {
            same += a[i] == b[i] ? 1 : 0;
            foreground += a[i] > 0 ? 1 : 0;
        }
        System.out.println(id + ": labels identical in " + same + " of " + a.length + " voxels (" + foreground
                + " foreground)");
        assertEquals(a.length, same, "labels differ after export and import");
        assertTrue(foreground > 0 || id.startsWith("tiny"), "the phantom has nuclei the model should find");
        assertRequiredFields(zip);
    }

    @Test
    void shipped2dModelReimportsToIdenticalLabels() throws Exception {
        roundTrip("nuclei-2d-unet", Phantoms.nuclei2D(300, 260, 12, false, 3).image());
    }

    @Test
    void shipped3dModelReimportsToIdenticalLabels() throws Exception {
        roundTrip("nuclei-3d-unet", Phantoms.nuclei3D(140, 130, 40, 8, false, 4).image());
    }

    @Test
    void twoChannelSigmoid3dModelReimportsToIdenticalLabels() throws Exception {
        Volume one = Phantoms.nuclei3D(30, 26, 18, 3, false, 5).image();
        @SuppressWarnings({ "unchecked", "rawtypes" })
        net.imglib2.RandomAccessibleInterval<net.imglib2.type.numeric.real.DoubleType> channel = (net.imglib2.RandomAccessibleInterval) one.image();
        Volume image = Volume.withChannels(Views.stack(channel, channel), one.spacing());
        roundTrip("tiny-unet-3d", image, new BioimageioExporter.Options(null, List.of("A. Tester"), "https://example.org/tiny-unet-3d"));
    }

    /**
     * The fields a 0.5 model description must have (bioimage.io spec, model_descr_latest.md: fields without a
     * default), read back from the package.
     */
    @SuppressWarnings("unchecked")
    static void assertRequiredFields(Path zip) throws Exception {
        Map<String, Object> rdf;
        List<String> entries = new ArrayList<>();
        try (ZipFile z = new ZipFile(zip.toFile())) {
            z.stream().forEach(e -> entries.add(e.getName()));
            rdf = Rdf.parse(new String(z.getInputStream(z.getEntry("rdf.yaml")).readAllBytes()), "rdf.yaml");
        }
        for (String key : List.of("format_version", "type", "name", "description", "authors", "cite", "license",
                "documentation", "inputs", "outputs", "weights", "timestamp"))
            assertTrue(rdf.containsKey(key), "rdf.yaml lacks " + key);
        assertTrue(((String) rdf.get("format_version")).startsWith("0.5."));
        assertEquals("model", rdf.get("type"));
        String name = (String) rdf.get("name");
        assertTrue(name.matches("[A-Za-z0-9_+\\- ()]{5,128}"), name);
        for (Object a : (List<Object>) rdf.get("authors"))
            assertTrue(((Map<String, Object>) a).get("name") instanceof String);
        for (Object c : (List<Object>) rdf.get("cite")) {
            Map<String, Object> cite = (Map<String, Object>) c;
            assertTrue(cite.get("text") instanceof String && (cite.containsKey("doi") || cite.containsKey("url")), "cite " + cite);
        }
        assertTrue(((String) rdf.get("license")).matches("[A-Za-z0-9.+-]+"), "SPDX id: " + rdf.get("license"));
        assertTrue(entries.contains(rdf.get("documentation")));
        for (String io : List.of("inputs", "outputs"))
            for (Object t : (List<Object>) rdf.get(io)) {
                Map<String, Object> tensor = (Map<String, Object>) t;
                assertTrue(tensor.get("id") instanceof String && tensor.get("axes") instanceof List);
                for (Object a : (List<Object>) tensor.get("axes"))
                    assertTrue(((Map<String, Object>) a).containsKey("type"), "axis without type: " + a);
                Map<String, Object> test = (Map<String, Object>) tensor.get("test_tensor");
                assertTrue(entries.contains(test.get("source")) && ((String) test.get("sha256")).matches("[0-9a-f]{64}"));
            }
        Map<String, Object> onnx = (Map<String, Object>) ((Map<String, Object>) rdf.get("weights")).get("onnx");
        assertTrue(entries.contains(onnx.get("source")) && onnx.get("opset_version") instanceof Integer);
        assertTrue(((String) onnx.get("sha256")).matches("[0-9a-f]{64}"));
        for (Object cover : (List<Object>) rdf.get("covers"))
            assertTrue(entries.contains(cover));
        // the package's files match their hashes: what an importer checks first
        Path unpacked = Files.createTempDirectory("tessera-check-");
        PackageFiles pkg = PackageFiles.open(zip, unpacked);
        pkg.checkHashes(Rdf.read(pkg.rdf()));
    }
}
