package org.tessera.bioimageio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.unet.Engine;
import org.tessera.unet.Model;
import org.tessera.unet.ModelZoo;
import org.tessera.unet.OrtEngine;
import org.tessera.unet.SegmentOptions;
import org.tessera.unet.Segmenter;
import org.tessera.volume.Progress;
import org.tessera.volume.Volume;
import org.tessera.volume.phantom.Phantoms;
import org.tessera.volume.tiling.TileMode;

/**
 * A 0.4 package written by hand the way 0.4 packages are (axes letters, shape {min, step}, output shape by
 * reference with scale and offset, halo per axis, test_inputs / test_outputs), around a real network: the
 * tiny U-Net fixture's model.onnx. Its test output comes from ONNX Runtime on the bare network.
 */
class Format04Test {

    @TempDir
    Path dir;

    private Path package04(Path folder) throws Exception {
        Files.createDirectories(folder);
        Path onnx = Packages.FIXTURES.resolve("tiny-unet-2d/model.onnx");
        Files.copy(onnx, folder.resolve("weights.onnx"));
        int w = 40, h = 32;
        double[] raw = new double[w * h];
        Random r = new Random(2);
        for (int i = 0; i < raw.length; i++)
            raw[i] = 100 + 20 * Math.sin(i / 7.0) + 5 * r.nextGaussian();
        Packages.npy(folder.resolve("test_input.npy"), raw, 1, 1, h, w);
        // direct: zero mean, unit variance per sample (eps 1e-6 added to the std), then the bare network
        double mean = java.util.Arrays.stream(raw).average().orElseThrow(), var = 0;
        for (double v : raw)
            var += (v - mean) * (v - mean);
        double std = Math.sqrt(var / raw.length);
        FloatBuffer in = Engine.allocate(raw.length);
        for (double v : raw)
            in.put((float) ((v - mean) / (std + 1e-6)));
        in.flip();
        float[] out;
        try (OrtEngine engine = OrtEngine.open(onnx, "bare", OrtEngine.Options.cpu(1))) {
            out = engine.run(in, new long[] { 1, 1, h, w }).data();
        }
        double[] expected = new double[out.length];
        for (int i = 0; i < out.length; i++)
            expected[i] = out[i];
        Packages.npy(folder.resolve("test_output.npy"), expected, 1, 2, h, w);
        Packages.write(folder.resolve("rdf.yaml"), """
                format_version: 0.4.10
                type: model
                name: tiny unet 0.4
                description: hand-written 0.4 description
                authors:
                  - name: Tester
                cite:
                  - text: none
                    url: https://example.org
                license: CC0-1.0
                documentation: README.md
                timestamp: 2023-01-01T00:00:00
                inputs:
                  - name: input0
                    axes: bcyx
                    data_type: float32
                    data_range: [-.inf, .inf]
                    shape:
                      min: [1, 1, 16, 16]
                      step: [0, 0, 8, 8]
                    preprocessing:
                      - name: zero_mean_unit_variance
                        kwargs:
                          mode: per_sample
                          axes: yx
                outputs:
                  - name: output0
                    axes: bcyx
                    data_type: float32
                    data_range: [-.inf, .inf]
                    shape:
                      reference_tensor: input0
                      scale: [1, 0, 1, 1]
                      offset: [0, 1, 0, 0]
                    halo: [0, 0, 4, 4]
                test_inputs: [test_input.npy]
                test_outputs: [test_output.npy]
                weights:
                  onnx:
                    source: weights.onnx
                    sha256: %s
                    opset_version: 17
                """.formatted(Packages.sha(folder.resolve("weights.onnx"))));
        return folder;
    }

    @Test
    void a04PackageImportsAndSegmentsAsTheBareNetworkDoes() throws Exception {
        ModelZoo zoo = Packages.zoo(dir.resolve("models"));
        List<String> log = new ArrayList<>();
        Model m = Packages.importPackage(package04(dir.resolve("pkg")), null, zoo, log::add);
        System.out.println("0.4 package: " + log);
        assertEquals("tiny-unet-0.4", m.id());
        // parameterized sizes: 16 + n * 8 along x and y, halo 4, tile chosen from the allowed sizes
        assertArrayEquals(new int[] { 8, 8 }, m.card().divisibility());
        assertArrayEquals(new int[] { 4, 4 }, m.card().halo());
        assertNull(m.card().fixedInputSize());
        for (int t : m.card().patchSize())
            assertTrue(t >= 16 && (t - 16) % 8 == 0 && t > 2 * 4, "tile " + t);
        assertEquals(List.of("output0_0", "output0_1"), m.card().output().classes());

        // the same network in the fixture's own card: identical labels for the same tiles, blended and cropped
        Model fixture = zoo.get("tiny-unet-2d");
        Volume image = Phantoms.nuclei2D(70, 50, 4, false, 9).image();
        for (TileMode mode : TileMode.values()) {
            SegmentOptions options = SegmentOptions.defaults().withTile(new int[] { 32, 24 }).withMode(mode);
            assertArrayEquals(labels(fixture, image, options), labels(m, image, options), mode.toString());
        }
    }

    static int[] labels(Model model, Volume image, SegmentOptions options) {
        try (OrtEngine engine = model.open(OrtEngine.Options.cpu(1))) {
            Volume labels = new Segmenter(model, engine, null).segment(image, options, Progress.NONE).labels();
            List<Integer> v = new ArrayList<>();
            var c = net.imglib2.view.Views.flatIterable(labels.image()).cursor();
            while (c.hasNext())
                v.add((int) c.next().getRealDouble());
            return v.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    @Test
    void axesInAnotherOrderGiveTheSameLabels() throws Exception {
        ModelZoo zoo = Packages.zoo(dir.resolve("models"));
        Model[] models = new Model[2];
        String[] orders = { "bcyx", "byxc" };
        for (int k = 0; k < 2; k++) {
            Handmade h = new Handmade(dir.resolve(orders[k]));
            h.axes = orders[k];
            h.pre = "      - id: scale_linear\n        kwargs: {gain: [1.0, -1.0], offset: [0.0, 120.0], axis: channel}\n";
            double[] x = h.input();
            models[k] = Packages.importPackage(h.write(x, h.map(x, (v, c) -> c == 0 ? v : 120 - v)), orders[k], zoo, s -> { });
        }
        Volume one = Phantoms.nuclei2D(40, 30, 3, false, 1).image();
        @SuppressWarnings({ "unchecked", "rawtypes" })
        net.imglib2.RandomAccessibleInterval<net.imglib2.type.numeric.real.DoubleType> c = (net.imglib2.RandomAccessibleInterval) one.image();
        Volume two = Volume.withChannels(net.imglib2.view.Views.stack(c,
                net.imglib2.view.Views.zeroMin(net.imglib2.view.Views.invertAxis(c, 0))), one.spacing());
        int[] a = labels(models[0], two, SegmentOptions.defaults()), b = labels(models[1], two, SegmentOptions.defaults());
        assertArrayEquals(a, b);
        assertTrue(java.util.Arrays.stream(a).distinct().count() == 2, "both classes occur");
    }
}
