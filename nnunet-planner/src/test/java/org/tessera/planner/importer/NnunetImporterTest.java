package org.tessera.planner.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.planner.predict.Bundle;
import org.tessera.planner.predict.PlanPredictor;
import org.tessera.service.ImportRequest;
import org.tessera.service.ModelImports;
import org.tessera.unet.Model;
import org.tessera.unet.ModelZoo;
import org.tessera.unet.OrtEngine;
import org.tessera.unet.SegmentOptions;
import org.tessera.unet.SegmentResult;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Progress;
import org.tessera.volume.Volume;
import org.tessera.volume.io.Npy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * nnU-Net results folders written in nnU-Net's checkpoint format (two folds, random weights) by
 * scripts/nnunet/make_results_folder.py, imported through {@link ModelImports} and predicted by
 * {@link PlanPredictor}: the probabilities equal those of the PyTorch networks under nnU-Net's prediction
 * rules, computed by the same script (one sliding window per fold, logits averaged, mirroring over the
 * checkpoint's axes). Broken folders are refused with a message and leave nothing installed.
 */
class NnunetImporterTest {

    static final Path ROOT = Path.of(System.getProperty("tessera.root", ".."));
    static final String PYTHON = "/usr/bin/python3";
    static final String GENERATOR = "scripts/nnunet/make_results_folder.py";
    static final double TOLERANCE = 1e-3;

    @TempDir
    Path dir;

    @BeforeAll
    static void needsPyTorch() throws Exception {
        Assumptions.assumeTrue(pythonHas("torch", "onnx", "scipy", "nibabel"),
                "skipped: " + PYTHON + " with torch, onnx, scipy and nibabel (Debian: python3-torch python3-onnx "
                        + "python3-scipy python3-nibabel) writes the nnU-Net folders and runs the import");
    }

    @Test
    void plainConvUNet3dMatchesNnunetsPrediction() throws Exception {
        assertMatches("plain", "3d_fullres", "plain-3d", new int[] {0, 1, 2});
    }

    @Test
    void residualEncoderUNet3dMatchesNnunetsPrediction() throws Exception {
        assertMatches("residual", "3d_fullres", "resenc-3d", new int[] {1, 2});
    }

    @Test
    void twoDimensionalConfigurationPredictsSliceBySlice() throws Exception {
        assertMatches("plain", "2d", "plain-2d", new int[] {0, 1});
    }

    @Test
    void aCheckpointThatAllowsNoMirroringIsNotMirrored() throws Exception {
        assertMatches("residual", "3d_fullres", "resenc-3d-unmirrored", new int[0], "--mirror-axes", "none");
    }

    private void assertMatches(String network, String configuration, String id, int[] expectedAxes, String... extra)
            throws Exception {
        Path results = dir.resolve("results");
        Path cases = dir.resolve("cases");
        Path folder = generate(results, network, configuration, cases, extra);
        ModelZoo zoo = zoo();
        long start = System.nanoTime();
        Model model = ModelImports.run(new NnunetImporter(), folder, new ImportRequest(id, Map.of(), false), zoo,
                line -> { });
        double importSeconds = (System.nanoTime() - start) / 1e9;
        assertEquals(id, model.id());
        assertEquals(List.of("background", "cell", "nucleus"), model.card().output().classes());
        Bundle bundle = Bundle.read(model);
        assertArrayEquals(expectedAxes, bundle.mirrorAxes(), "the checkpoint's inference_allowed_mirroring_axes");
        StringBuilder report = new StringBuilder(String.format("%s %s, mirror axes %s: imported in %.1f s;", network,
                configuration, java.util.Arrays.toString(expectedAxes), importSeconds));
        try (OrtEngine engine = model.open(OrtEngine.Options.cpu(1))) {
            PlanPredictor predictor = new PlanPredictor(bundle, engine, true, null);
            for (String c : new String[] {"one-tile", "several-tiles", "resampled"}) {
                float[] image = (float[]) Npy.read(cases.resolve(c + ".npy")).data();
                long[] shape = Npy.read(cases.resolve(c + ".npy")).shape(); // z, y, x
                double[] spacing = new ObjectMapper().readValue(cases.resolve(c + ".json").toFile(), Spacing.class).spacing;
                Volume in = Volume.of(ArrayImgs.floats(image, shape[2], shape[1], shape[0]), spacing[2], spacing[1], spacing[0]);
                SegmentResult r = predictor.segment(in, SegmentOptions.defaults().withProbabilities(true), Progress.NONE);
                Npy.Array expected = Npy.read(cases.resolve(c + "_probabilities.npy"));
                assertArrayEquals(new long[] {3, shape[0], shape[1], shape[2]}, expected.shape());
                double diff = maxAbsDiff(r.probabilities(), expected);
                report.append(String.format(" %s (%d tiles) max |diff| %.2e;", c, r.tiles(), diff));
                if (c.equals("one-tile"))
                    assertEquals(configuration.equals("2d") ? shape[0] : 1, r.tiles(), "one tile (per slice)");
                else if (c.equals("several-tiles"))
                    assertTrue(r.tiles() > (configuration.equals("2d") ? shape[0] : 1), "several tiles: " + r.tiles());
                assertTrue(diff <= TOLERANCE, c + ": Tessera's probabilities differ from nnU-Net's rules by " + diff);
            }
        }
        System.out.println(report);
    }

    record Spacing(double[] spacing) {}

    static double maxAbsDiff(Volume probabilities, Npy.Array expected) {
        assertEquals(expected.size(), Views.flatIterable(probabilities.image()).size());
        double max = 0;
        int i = 0;
        for (RealType<?> v : Views.flatIterable(probabilities.image()))
            max = Math.max(max, Math.abs(v.getRealDouble() - expected.getDouble(i++)));
        return max;
    }

    @Test
    void strictLoadingRefusesAnUnexpectedAndAMissingKey() throws Exception {
        String unexpected = refusal(generate(dir.resolve("a"), "plain", "3d_fullres", null, "--break", "unexpected-key"),
                Map.of());
        assertTrue(unexpected.contains("fold_1") && unexpected.contains("unexpected 1 key(s)")
                && unexpected.contains("decoder.seg_layers.9.weight"), unexpected);
        String missing = refusal(generate(dir.resolve("b"), "residual", "3d_fullres", null, "--break", "missing-key"),
                Map.of());
        assertTrue(missing.contains("fold_1") && missing.contains("missing 1 key(s)")
                && missing.contains("decoder.seg_layers.0.bias"), missing);
        // the intact fold alone imports
        Path folder = generate(dir.resolve("c"), "plain", "3d_fullres", null, "--break", "missing-key");
        assertEquals("fold0", ModelImports.run(new NnunetImporter(), folder,
                new ImportRequest("fold0", Map.of("folds", "0"), false), zoo(), line -> { }).id());
    }

    @Test
    void foldAllIsTakenWhenThereAreNoNumberedFolds() throws Exception {
        Path folder = generate(dir.resolve("all"), "residual", "3d_fullres", null, "--folds", "all");
        assertEquals(List.of("fold_all"), NnunetImporter.foldFolders(folder));
        List<String> log = new ArrayList<>();
        Model model = ModelImports.run(new NnunetImporter(), folder, ImportRequest.of(null), zoo(), log::add);
        assertEquals("dataset990_tinycells-3d_fullres", model.id(), "the default id");
        assertTrue(log.stream().anyMatch(l -> l.startsWith("converting fold_all of")), String.join("\n", log));
        assertTrue(model.card().name().contains("folds all"), model.card().name());
    }

    @Test
    void brokenFoldersAreRefusedAndNothingIsInstalled() throws Exception {
        Path good = generate(dir.resolve("good"), "plain", "3d_fullres", null);

        Path noPlans = copy(good, "no-plans");
        Files.delete(noPlans.resolve("plans.json"));
        assertTrue(refusal(noPlans, Map.of()).contains("has no plans.json"));

        String absentFold = refusal(good, Map.of("folds", "0,3"));
        assertTrue(absentFold.contains("fold_3") && absentFold.contains("[fold_0, fold_1]"), absentFold);

        Path noFolds = copy(good, "no-folds");
        deleteTree(noFolds.resolve("fold_0"));
        deleteTree(noFolds.resolve("fold_1"));
        assertTrue(refusal(noFolds, Map.of()).contains("has no fold folders"));

        String checkpoint = refusal(good, Map.of("checkpoint", "checkpoint_best.pth"));
        assertTrue(checkpoint.contains("checkpoint_best.pth") && checkpoint.contains("checkpoint_final.pth"), checkpoint);

        Path regions = copy(good, "regions");
        edit(regions.resolve("dataset.json"), root -> {
            ObjectNode labels = root.putObject("labels");
            labels.put("background", 0);
            labels.putArray("cell").add(1).add(2);
            labels.putArray("nucleus").add(2);
            root.putArray("regions_class_order").add(1).add(2);
        });
        assertTrue(refusal(regions, Map.of()).contains("regions"));

        Path gap = copy(good, "label-gap");
        edit(gap.resolve("dataset.json"), root -> ((ObjectNode) root.path("labels")).put("nucleus", 3));
        assertTrue(refusal(gap, Map.of()).contains("[0, 1, 3] are not 0, 1, ..., 2"));

        Path unknownClass = copy(good, "unknown-class");
        edit(unknownClass.resolve("plans.json"), root -> ((ObjectNode) root.path("configurations").path("3d_fullres")
                .path("architecture")).put("network_class_name", "my_networks.SwinUNETR"));
        String cls = refusal(unknownClass, Map.of());
        assertTrue(cls.contains("my_networks.SwinUNETR") && cls.contains("ResidualEncoderUNet"), cls);

        Path variant = copy(good, "variant");
        edit(variant.resolve("plans.json"), root -> ((ObjectNode) root.path("configurations").path("3d_fullres")
                .path("architecture").path("arch_kwargs")).put("nonlin_first", true));
        assertTrue(refusal(variant, Map.of()).contains("nonlin_first = True is not supported"));

        String configuration = refusal(good, Map.of("configuration", "3d_lowres"));
        assertTrue(configuration.contains("3d_lowres") && configuration.contains("[3d_fullres]"), configuration);

        // a folder whose name does not say the configuration, with plans of two: --configuration decides
        Path renamed = copy(good, "renamed", "my-model");
        edit(renamed.resolve("plans.json"), root -> ((ObjectNode) root.path("configurations"))
                .set("3d_lowres", root.path("configurations").path("3d_fullres").deepCopy()));
        assertTrue(refusal(renamed, Map.of()).contains("give --configuration"));
        assertEquals("renamed", ModelImports.run(new NnunetImporter(), renamed, new ImportRequest("renamed",
                Map.of("configuration", "3d_fullres"), false), zoo(), line -> { }).id());

        String unknownOption = refusal(good, Map.of("tile", "64"));
        assertTrue(unknownOption.contains("--tile"), unknownOption);
    }

    /** Imports {@code folder}; asserts the refusal and that nothing was installed; returns the message. */
    private String refusal(Path folder, Map<String, String> options) throws IOException {
        Path models = dir.resolve("refused-models");
        ModelZoo zoo = new ModelZoo(getClass().getClassLoader(), List.of(models));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ModelImports.run(new NnunetImporter(),
                folder, new ImportRequest("refused", options, false), zoo, line -> { }));
        assertTrue(!Files.exists(models) || list(models).isEmpty(), "nothing installed: " + (Files.exists(models) ? list(models) : ""));
        System.out.println("refused: " + e.getMessage());
        return e.getMessage();
    }

    private ModelZoo zoo() {
        return new ModelZoo(getClass().getClassLoader(), List.of(dir.resolve("models")));
    }

    private Path generate(Path results, String network, String configuration, Path cases, String... extra)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, GENERATOR, "--out", results.toString(), "--network", network,
                "--configuration", configuration));
        if (cases != null)
            cmd.addAll(List.of("--cases", cases.toString()));
        cmd.addAll(List.of(extra));
        Path log = Files.createTempFile(dir, "generate", ".log");
        Process p = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the generator finishes");
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        String plans = network.equals("residual") ? "nnUNetResEncUNetMPlans" : "nnUNetPlans";
        Path folder = results.resolve("Dataset990_TinyCells").resolve("nnUNetTrainer__" + plans + "__" + configuration);
        assertTrue(Files.isRegularFile(folder.resolve("plans.json")), out);
        return folder;
    }

    private Path copy(Path folder, String name) throws IOException {
        return copy(folder, name, folder.getFileName().toString());
    }

    private Path copy(Path folder, String name, String folderName) throws IOException {
        Path target = dir.resolve(name).resolve(folderName);
        try (Stream<Path> s = Files.walk(folder)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = target.resolve(folder.relativize(p).toString());
                if (Files.isDirectory(p))
                    Files.createDirectories(t);
                else
                    Files.copy(p, t);
            }
        }
        return target;
    }

    private static void edit(Path json, java.util.function.Consumer<ObjectNode> change) throws IOException {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = (ObjectNode) m.readTree(json.toFile());
        change.accept(root);
        m.writeValue(json.toFile(), root);
    }

    private static List<Path> list(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.toList();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator)
                Files.delete(p);
        }
    }

    static boolean pythonHas(String... modules) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(PYTHON)))
            return false;
        Process p = new ProcessBuilder(PYTHON, "-c", "import " + String.join(", ", modules)).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
}
