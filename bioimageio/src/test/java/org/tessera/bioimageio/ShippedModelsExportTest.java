package org.tessera.bioimageio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.unet.Model;
import org.tessera.unet.ModelZoo;

/** Every shipped model but the nnU-Net bundles exports as a package that imports again, its test passing. */
class ShippedModelsExportTest {

    @TempDir
    Path dir;

    @Test
    void everyPlainShippedModelExportsAndImports() throws Exception {
        ModelZoo zoo = Packages.zoo(dir.resolve("models"));
        List<String> done = new ArrayList<>();
        for (String id : zoo.shippedIds()) {
            Model m = zoo.shipped(id);
            if (m.card().nnunet() != null)
                continue;
            Path zip = dir.resolve(id + ".zip");
            long start = System.nanoTime();
            try {
                BioimageioExporter.export(m, zip, BioimageioExporter.Options.defaults());
            } catch (org.tessera.volume.InvalidInputException e) {
                // the EM membranes data come with challenge terms, not an SPDX licence: the export asks for one
                assertTrue(id.equals("em-membranes-2d-unet") && e.getMessage().contains("--license"), e.getMessage());
                continue;
            }
            RoundTripTest.assertRequiredFields(zip);
            List<String> log = new ArrayList<>();
            Model imported = Packages.importPackage(zip, id + "-package", zoo, log::add);
            assertEquals(m.card().output().classes(), imported.card().output().classes(), id);
            assertEquals(m.card().inputChannels(), imported.card().inputChannels(), id);
            assertEquals(m.card().instances(), imported.card().instances(), id + ": the instance rule travels in config.tessera");
            String test = log.stream().filter(l -> l.startsWith("package test passed")).findFirst().orElseThrow();
            done.add(id + ": " + test.substring("package test passed: ".length(), test.indexOf(',')) + " ("
                    + (System.nanoTime() - start) / 1_000_000 + " ms)");
        }
        done.forEach(System.out::println);
        assertTrue(done.size() >= 20, done.toString());
    }
}
