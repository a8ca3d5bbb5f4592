package org.tessera.unet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Progress;
import org.tessera.volume.Volume;
import org.tessera.volume.phantom.Phantoms;
import org.tessera.volume.tiling.TileMode;
import org.tessera.volume.tiling.TileSizes;

/** Attention maps of the shipped Attention U-Nets: real ONNX Runtime, the real tiler and stitcher. */
class AttentionMapsTest {

    static final ModelZoo ZOO = new ModelZoo(AttentionMapsTest.class.getClassLoader(), List.of());

    /** Every shipped model whose card lists attention outputs (the 2D and the 3D Attention U-Net). */
    static Stream<Model> attentionModels() {
        List<Model> models = ZOO.shippedIds().stream().map(ZOO::shipped)
                .filter(m -> !m.card().attentionOutputNames().isEmpty()).toList();
        assertEquals(2, models.size(), "the shipped 2D and 3D Attention U-Nets declare attention outputs");
        return models.stream();
    }

    /** A nuclei phantom that needs several halo tiles and that no tile divides, in the model's training unit. */
    static Volume image(Model model) {
        if (model.card().dimensionality() == 2)
            return Phantoms.nuclei2D(421, 301, 16, false, 7).image();
        return Phantoms.nuclei3D(69, 61, 135, 6, false, 3).image().withSpacing(0.8, 0.8, 1.75).withUnit("um");
    }

    /**
     * Halo tiles: the automatic size in 2D (20 tiles); in 3D, where the halo is 64 x 64 x 32 and a core is the
     * tile less twice the halo, x and y held whole and z cut in two, which keeps the run to 2 tiles on a CPU.
     */
    static SegmentOptions haloOptions(Model model) {
        SegmentOptions halo = SegmentOptions.defaults().withMode(TileMode.HALO);
        return model.card().dimensionality() == 2 ? halo : halo.withTile(new int[] { 72, 64, 132 });
    }

    @ParameterizedTest
    @MethodSource("attentionModels")
    void haloTiledAttentionMapsEqualAWholeImageRun(Model model) {
        ModelCard card = model.card();
        List<String> gates = card.attentionOutputNames();
        Volume image = image(model);
        try (OrtEngine engine = model.open(OrtEngine.Options.cpu(2))) {
            Segmenter segmenter = new Segmenter(model, engine, null);
            SegmentOptions halo = haloOptions(model);
            segmenter.segment(image, halo, Progress.NONE); // warm-up, so that the two timed runs compare
            long t0 = System.nanoTime();
            SegmentResult plain = segmenter.segment(image, halo, Progress.NONE);
            long t1 = System.nanoTime();
            SegmentResult tiled = segmenter.segment(image, halo.withAttentionMaps(true), Progress.NONE);
            long t2 = System.nanoTime();
            assertTrue(tiled.tiles() > 1, "the image must need several tiles, not " + tiled.tiles());
            assertTrue(plain.attention().isEmpty(), "no maps unless asked for");
            assertEquals(gates, tiled.attention().stream().map(AttentionMap::name).toList());
            assertLabelsEqual(plain.labels(), tiled.labels());

            float[][] whole = wholeImageAttention(model, engine,
                    Segmenter.normalization(card).apply(image.channel(0)));
            StringBuilder summary = new StringBuilder();
            for (int k = 0; k < gates.size(); k++) {
                Volume map = tiled.attention().get(k).map();
                assertArrayEquals(image.spatialShape(), map.spatialShape(), gates.get(k) + " shape");
                assertFalse(map.hasChannelAxis());
                assertArrayEquals(image.spacing(), map.spacing(), 0, gates.get(k) + " spacing");
                assertEquals(image.unit(), map.unit());
                float[] values = floats(map.image());
                double maxDiff = 0, min = 1, max = 0;
                for (int i = 0; i < values.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(values[i] - whole[k][i]));
                    min = Math.min(min, values[i]);
                    max = Math.max(max, values[i]);
                }
                assertTrue(min >= 0 && max <= 1, gates.get(k) + " values in [" + min + ", " + max + "]");
                assertTrue(max - min > 0.1, gates.get(k) + " is nearly constant (" + min + " .. " + max + ")");
                assertTrue(maxDiff <= 1e-5, model.id() + " " + gates.get(k) + ": halo tiles differ from the whole "
                        + "image by " + maxDiff);
                summary.append(String.format(Locale.ROOT, " %s %.1e (range %.3f..%.3f);", gates.get(k), maxDiff, min, max));
            }
            System.out.printf(Locale.ROOT, "%s: %s image, %d halo tiles of %s; attention maps, halo tiles vs whole "
                    + "image max |diff|:%s segmentation %.2f s without maps, %.2f s with them%n", model.id(),
                    java.util.Arrays.toString(image.spatialShape()), tiled.tiles(), TileSizes.format(tiled.tile()),
                    summary, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
        }
    }

    /**
     * The reference: one engine call on the whole normalized image, zero-padded up to the divisibility at the
     * far side, maps cropped back; per gate in x-fastest order, like a flat iteration of the stitched map.
     */
    static float[][] wholeImageAttention(Model model, Engine engine, RandomAccessibleInterval<FloatType> norm) {
        ModelCard card = model.card();
        long[] shape = norm.dimensionsAsLongArray();
        int nd = shape.length;
        int[] padded = new int[nd];
        for (int d = 0; d < nd; d++)
            padded[d] = (int) ((shape[d] + card.divisibility()[d] - 1) / card.divisibility()[d] * card.divisibility()[d]);
        int px = padded[0], py = padded[1], pz = nd == 3 ? padded[2] : 1;
        int w = (int) shape[0], h = (int) shape[1], depth = nd == 3 ? (int) shape[2] : 1;
        RandomAccess<FloatType> ra = norm.randomAccess();
        FloatBuffer in = Engine.allocate((long) px * py * pz);
        for (int z = 0; z < depth; z++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    ra.setPosition(nd == 3 ? new long[] { x, y, z } : new long[] { x, y });
                    in.put((z * py + y) * px + x, ra.get().get());
                }
        long[] tensor = nd == 3 ? new long[] { 1, 1, pz, py, px } : new long[] { 1, 1, py, px };
        Engine.Result out = engine.run(in, tensor, card.attentionOutputNames());
        int classes = card.outputChannels(), gates = card.attentionOutputNames().size();
        assertEquals(classes + gates, out.shape()[1], "logits then one channel per gate");
        int planeVoxels = px * py * pz;
        float[][] maps = new float[gates][w * h * depth];
        for (int k = 0; k < gates; k++)
            for (int z = 0; z < depth; z++)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        maps[k][(z * h + y) * w + x] = out.data()[(classes + k) * planeVoxels + (z * py + y) * px + x];
        return maps;
    }

    @Test
    void aTwoDimensionalModelGivesAStackOfMapsPlaneByPlane() {
        Model model = ZOO.shipped("nuclei-2d-attention-unet");
        Volume stack = Phantoms.nuclei3D(120, 90, 8, 4, false, 5).image();
        try (OrtEngine engine = model.open(OrtEngine.Options.cpu(2))) {
            Segmenter segmenter = new Segmenter(model, engine, null);
            SegmentOptions options = SegmentOptions.defaults().withMode(TileMode.HALO).withAttentionMaps(true);
            SegmentResult result = segmenter.segment(stack, options, Progress.NONE);
            // the reference plane, normalized with the whole stack's statistics as the pipeline does
            float[][] plane = wholeImageAttention(model, engine,
                    Views.hyperSlice(Segmenter.normalization(model.card()).apply(stack.channel(0)), 2, 5));
            for (int k = 0; k < result.attention().size(); k++) {
                Volume map = result.attention().get(k).map();
                assertArrayEquals(stack.spatialShape(), map.spatialShape());
                assertArrayEquals(plane[k], floats(Views.hyperSlice(map.image(), 2, 5)), 1e-5f,
                        "plane 5 of " + result.attention().get(k).name());
            }
        }
    }

    @Test
    void gaussianTilesGiveMapsInRangeWithTheInputsGeometry() {
        Model model = ZOO.shipped("nuclei-2d-attention-unet");
        Volume image = image(model).withSpacing(0.5, 0.25).withUnit("um");
        try (OrtEngine engine = model.open(OrtEngine.Options.cpu(2))) {
            SegmentResult r = new Segmenter(model, engine, null).segment(image,
                    SegmentOptions.defaults().withMode(TileMode.GAUSSIAN).withAttentionMaps(true), Progress.NONE);
            assertTrue(r.tiles() > 1);
            assertEquals(3, r.attention().size());
            for (AttentionMap m : r.attention()) {
                assertArrayEquals(new double[] { 0.5, 0.25 }, m.map().spacing(), 0);
                assertEquals("um", m.map().unit());
                for (float v : floats(m.map().image()))
                    assertTrue(v >= 0 && v <= 1, m.name() + " value " + v);
            }
        }
    }

    @Test
    void aModelWithoutAttentionOutputsIsRefusedByName() {
        Model model = Model.fromFolder(Fixtures.folder(Fixtures.TINY_2D), Model.Source.USER);
        Volume image = Phantoms.nuclei2D(64, 48, 3, false, 1).image();
        try (OrtEngine engine = model.open(OrtEngine.Options.cpu(1))) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> new Segmenter(model, engine, null)
                    .segment(image, SegmentOptions.defaults().withAttentionMaps(true), Progress.NONE));
            assertTrue(e.getMessage().contains("tiny-unet-2d") && e.getMessage().contains("attention"), e.getMessage());
            assertTrue(e.getMessage().contains("nuclei-2d-attention-unet") && e.getMessage().contains("leave attention maps off"),
                    e.getMessage());
        }
    }

    @Test
    void theEngineAppendsExtraOutputsAfterTheMainOneAndComputesThemOnlyWhenAsked() {
        Model model = ZOO.shipped("nuclei-3d-attention-unet");
        long[] shape = { 2, 1, 8, 24, 16 };
        FloatBuffer in = Engine.allocate(Engine.product(shape));
        java.util.Random random = new java.util.Random(4);
        for (int i = 0; i < in.capacity(); i++)
            in.put(i, (float) random.nextGaussian());
        try (OrtEngine engine = model.open(OrtEngine.Options.cpu(2))) {
            Engine.Result logits = engine.run(in, shape);
            assertArrayEquals(new long[] { 2, 2, 8, 24, 16 }, logits.shape());
            Engine.Result all = engine.run(in, shape, List.of("attention_1", "attention_3"));
            assertArrayEquals(new long[] { 2, 4, 8, 24, 16 }, all.shape());
            int voxels = 8 * 24 * 16;
            for (int n = 0; n < 2; n++)
                for (int i = 0; i < 2 * voxels; i++) // per batch item: the logits first, bit for bit
                    assertEquals(logits.data()[n * 2 * voxels + i], all.data()[n * 4 * voxels + i], 0f);
            Engine.Result third = engine.run(in, shape, List.of("attention_3"));
            for (int n = 0; n < 2; n++)
                for (int i = 0; i < voxels; i++)
                    assertEquals(third.data()[(n * 3 + 2) * voxels + i], all.data()[(n * 4 + 3) * voxels + i], 0f);
            assertThrows(IllegalArgumentException.class, () -> engine.run(in, shape, List.of("attention_9")));
        }
    }

    private static void assertLabelsEqual(Volume a, Volume b) {
        var ca = Views.flatIterable(a.image()).cursor();
        var cb = Views.flatIterable(b.image()).cursor();
        while (ca.hasNext())
            assertEquals(ca.next().getRealDouble(), cb.next().getRealDouble(), "labels with and without maps");
    }

    private static float[] floats(RandomAccessibleInterval<? extends RealType<?>> img) {
        long n = 1;
        for (long d : img.dimensionsAsLongArray())
            n *= d;
        float[] out = new float[Math.toIntExact(n)];
        int i = 0;
        for (RealType<?> v : Views.flatIterable(img))
            out[i++] = v.getRealFloat();
        return out;
    }
}
