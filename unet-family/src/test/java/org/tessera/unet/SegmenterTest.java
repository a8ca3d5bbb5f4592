package org.tessera.unet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.node.ObjectNode;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Progress;
import org.tessera.volume.Volume;
import org.tessera.volume.phantom.Phantoms;
import org.tessera.volume.tiling.Tile;
import org.tessera.volume.tiling.TileGrid;
import org.tessera.volume.tiling.TileMode;
import org.tessera.volume.tiling.TileSizes;

class SegmenterTest {

    @TempDir
    static Path tmp;

    /** The fixture with a halo that covers its receptive field, every shipped 2D model and the comparison's others. */
    static Stream<Model> models2d() throws Exception {
        List<Model> models = new ArrayList<>();
        Path folder = Fixtures.copy(Fixtures.TINY_2D, tmp.resolve(Fixtures.TINY_2D));
        ObjectNode card = Fixtures.card(Fixtures.TINY_2D);
        card.putArray("halo").add(8).add(8);
        java.nio.file.Files.write(folder.resolve("card.json"), Fixtures.JSON.writeValueAsBytes(card));
        models.add(Model.fromFolder(folder, Model.Source.USER));
        ModelZoo zoo = new ModelZoo(SegmenterTest.class.getClassLoader(), List.of());
        for (String id : zoo.shippedIds())
            if (zoo.shipped(id).card().dimensionality() == 2 && zoo.shipped(id).card().inputChannels() == 1
                    && zoo.shipped(id).card().fixedInputSize() == null)
                models.add(zoo.shipped(id));
        Fixtures.comparisonOnlyModels().stream().filter(m -> m.card().dimensionality() == 2).forEach(models::add);
        return models.stream();
    }

    /** Shipped networks that accept one tile size only (PSPNet's pyramid pooling spans the whole tile). */
    static Stream<Model> fixedSizeModels() {
        ModelZoo zoo = new ModelZoo(SegmenterTest.class.getClassLoader(), List.of());
        return zoo.shippedIds().stream().map(zoo::shipped)
                .filter(m -> m.card().fixedInputSize() != null && m.card().inputChannels() == 1);
    }

    /**
     * A fixed-size network has no whole-image output to equal: its output depends on the whole tile. What halo
     * tiling must still get right is the bookkeeping: every written core holds exactly the network's output on
     * the tile that the grid says it read (zero beyond the image, as whole-image inference pads).
     */
    @ParameterizedTest
    @MethodSource("fixedSizeModels")
    void fixedSizeNetworkWritesEachTilesOwnOutputInHaloMode(Model model) {
        ModelCard card = model.card();
        int[] tile = card.fixedInputSize();
        int n = tile.length;
        long[] shape = new long[n];
        for (int d = 0; d < n; d++)
            shape[d] = d == 0 ? 2L * tile[d] + 37 : tile[d] + 29;
        Volume image = n == 2 ? Phantoms.nuclei2D((int) shape[0], (int) shape[1], 12, false, 7).image()
                : Phantoms.nuclei3D((int) shape[0], (int) shape[1], (int) shape[2], 6, false, 11).image();
        try (OrtEngine engine = model.open(OrtEngine.Options.cpu(2))) {
            var halo = new Segmenter(model, engine, null).segment(image, SegmentOptions.defaults()
                    .withMode(TileMode.HALO).withProbabilities(true), Progress.NONE);
            @SuppressWarnings("unchecked")
            float[] stitched = toArray((RandomAccessibleInterval<FloatType>) halo.probabilities().image());
            TileGrid grid = TileGrid.halo(shape, tile, TileSizes.alignHalo(card.halo(), card.divisibility()),
                    card.divisibility());
            assertEquals(grid.size(), halo.tiles(), "the segmenter tiles as TileGrid.halo says");
            RandomAccessibleInterval<FloatType> norm = Segmenter.normalization(card).apply(image.channel(0));
            long voxels = 1;
            for (long s : shape)
                voxels *= s;
            double maxDiff = 0;
            int checked = 0;
            for (Tile t : grid) {
                float[] own = windowProbabilities(engine, norm, t.min(), tile);
                int c = own.length / t.voxels();
                long[] pos = new long[n];
                for (int i = 0; i < t.voxels(); i++) {
                    long rest = i, inTile = 0, inImage = 0, stride = 1, imageStride = 1;
                    boolean inCore = true;
                    for (int d = 0; d < n; d++) {
                        pos[d] = rest % tile[d];
                        rest /= tile[d];
                        long p = t.min(d) + pos[d];
                        inCore &= p >= t.writeMin(d) && p < t.writeMin(d) + t.writeSize(d);
                        inTile += pos[d] * stride;
                        stride *= tile[d];
                        inImage += p * imageStride;
                        imageStride *= shape[d];
                    }
                    if (!inCore)
                        continue;
                    checked++;
                    for (int k = 0; k < c; k++)
                        maxDiff = Math.max(maxDiff, Math.abs(own[(int) (k * t.voxels() + inTile)]
                                - stitched[(int) (k * voxels + inImage)]));
                }
            }
            System.out.printf(java.util.Locale.ROOT, "%s: %s image, %d halo tiles of %s, cores vs each tile's own "
                    + "output max |p diff| %.2e%n", model.id(), java.util.Arrays.toString(shape), grid.size(),
                    java.util.Arrays.toString(tile), maxDiff);
            assertTrue(grid.size() > 2, "the image must need several tiles");
            assertEquals(voxels, checked, "the cores cover the image once");
            assertTrue(maxDiff <= 1e-4, model.id() + ": a stitched core differs from its tile's output by " + maxDiff);
        }
    }

    /** Softmax probabilities (class-major, x fastest) of one engine call on a zero-extended window of the image. */
    static float[] windowProbabilities(Engine engine, RandomAccessibleInterval<FloatType> norm, long[] min, int[] size) {
        int n = size.length;
        long[] max = new long[n];
        long voxels = 1;
        for (int d = 0; d < n; d++) {
            max[d] = min[d] + size[d] - 1;
            voxels *= size[d];
        }
        FloatBuffer in = Engine.allocate(voxels);
        for (FloatType v : Views.flatIterable(Views.interval(Views.extendZero(norm), min, max)))
            in.put(v.get());
        long[] engineShape = new long[n + 2];
        engineShape[0] = engineShape[1] = 1;
        for (int d = 0; d < n; d++)
            engineShape[2 + d] = size[n - 1 - d];
        float[] logits = engine.run(in.rewind(), engineShape).data();
        int c = (int) (logits.length / voxels);
        float[] probs = new float[logits.length];
        for (int i = 0; i < voxels; i++) {
            double top = Double.NEGATIVE_INFINITY, sum = 0;
            for (int k = 0; k < c; k++)
                top = Math.max(top, logits[(int) (k * voxels + i)]);
            for (int k = 0; k < c; k++)
                sum += Math.exp(logits[(int) (k * voxels + i)] - top);
            for (int k = 0; k < c; k++)
                probs[(int) (k * voxels + i)] = (float) (Math.exp(logits[(int) (k * voxels + i)] - top) / sum);
        }
        return probs;
    }

    @ParameterizedTest
    @MethodSource("models2d")
    void haloTilingEqualsWholeImageAndGaussianAgrees(Model model) {
        ModelCard card = model.card();
        // Larger than several tiles and divisible by no tile size.
        int[] tile = card.fixedInputSize() != null ? card.fixedInputSize() : card.patchSize();
        boolean wideReach = card.halo()[0] >= tile[0]; // CE-Net: tiles of the automatic size would be thousands wide
        int[][] layout = haloLayout(card);
        Volume image = wideReach ? inDomainImage(model, layout[0][0], layout[0][1])
                : inDomainImage(model, tile[0] * 2 + 37, tile[1] + 29);
        int w = (int) image.image().dimension(0), h = (int) image.image().dimension(1);
        try (OrtEngine engine = model.open(OrtEngine.Options.cpu(2))) {
            float[] whole = wholeImageProbabilities(model, engine, image);
            Segmenter segmenter = new Segmenter(model, engine, null);
            SegmentOptions haloOptions = SegmentOptions.defaults().withMode(TileMode.HALO).withProbabilities(true);
            var halo = segmenter.segment(image, wideReach ? haloOptions.withTile(layout[1]) : haloOptions, Progress.NONE);
            assertTrue(halo.tiles() > 1, "the image must need several tiles");
            @SuppressWarnings("unchecked")
            float[] tiled = toArray((RandomAccessibleInterval<FloatType>) halo.probabilities().image());
            double maxDiff = 0;
            int worst = 0;
            for (int i = 0; i < whole.length; i++)
                if (Math.abs(whole[i] - tiled[i]) > maxDiff) {
                    maxDiff = Math.abs(whole[i] - tiled[i]);
                    worst = i;
                }
            assertTrue(maxDiff <= 1e-4, model.id() + ": halo-tiled probabilities differ from whole-image by " + maxDiff
                    + " at x " + worst % w + ", y " + worst / w % h + ", class " + worst / w / h);

            var gauss = segmenter.segment(image, SegmentOptions.defaults().withMode(TileMode.GAUSSIAN), Progress.NONE);
            long same = 0, n = (long) w * h;
            var a = Views.flatIterable(halo.labels().image()).cursor();
            var b = Views.flatIterable(gauss.labels().image()).cursor();
            while (a.hasNext())
                if (a.next().getRealDouble() == b.next().getRealDouble())
                    same++;
            System.out.printf(java.util.Locale.ROOT, "%s: %dx%d image, halo tiles vs whole image max |p diff| %.2e; "
                    + "Gaussian vs halo labels agree on %.4f%%%n", model.id(), w, h, maxDiff, 100.0 * same / n);
            // nnU-Net's Gaussian tile starts ignore the pooling lattice; thin EM membranes near 0.5 flip with the
            // pooling phase (measured 98.0% here, 99.99% on the aligned 512 x 512 slice), nuclei do not.
            // A wide-reach network (CE-Net: radius 866 px, FCN-8s: 245 px) sees only part of its context in a
            // Gaussian tile of the patch size, and its stride-32 pooling phase follows the unaligned tile starts, so
            // labels differ near boundaries on this 37-pixel strip (measured 99.41% nuclei-2d-cenet, 98.47% FCN-8s).
            // The comparison's unshipped networks are weak or failed: FCN-16s upsamples stride-16 scores that sit near
            // 0.5 over wide bands (measured 95.54%); halo tiling must still equal the whole image exactly (above).
            double required = Fixtures.comparisonOnlyIds().contains(model.id()) ? 0.94 : model.id().startsWith("em-membranes") ? 0.97 : wideReach ? 0.98 : 0.999;
            assertTrue(same >= required * n, model.id() + ": Gaussian and whole-image labels agree on only " + same
                    + " of " + n);
        }
    }

    /**
     * An image of the model's own kind, so that label agreement is measured where the model is confident:
     * a held-out EM slice (when the data set beside the project is there) for EM models, a nuclei phantom
     * otherwise.
     */
    static Volume inDomainImage(Model model, int w, int h) {
        if (model.id().startsWith("em-membranes")) {
            Path slice = Path.of(System.getProperty("tessera.shared.data", "../shared/data"), "em-membranes-2d", "images",
                    "20.png");
            Assumptions.assumeTrue(java.nio.file.Files.exists(slice),
                    "skipped for " + model.id() + ": the EM data set beside the project is absent (" + slice + ")");
            Volume em = org.tessera.volume.io.VolumeIO.read(slice);
            // 512 x 512: mirror it out to the requested size so that several tiles are needed
            var extended = Views.interval(Views.extendMirrorSingle(em.image()), new long[] { 0, 0 },
                    new long[] { w - 1, h - 1 });
            return Volume.of(extended, em.spacing());
        }
        return Phantoms.nuclei2D(w, h, 12, false, 7).image();
    }

    /** The reference: one engine call on the whole image (2D or 3D), zero-padded up to the divisibility at the far side. */
    static float[] wholeImageProbabilities(Model model, Engine engine, Volume image) {
        ModelCard card = model.card();
        long[] shape = image.spatialShape();
        int n = shape.length;
        long[] padded = new long[n];
        for (int d = 0; d < n; d++)
            padded[d] = roundUp((int) shape[d], card.divisibility()[d]);
        RandomAccessibleInterval<FloatType> norm = Segmenter.normalization(card).apply(image.channel(0));
        long voxels = 1, paddedVoxels = 1;
        for (int d = 0; d < n; d++) {
            voxels *= shape[d];
            paddedVoxels *= padded[d];
        }
        FloatBuffer in = Engine.allocate(paddedVoxels);
        // flat iteration runs x fastest, the C order of the engine's [1, 1, (z,) y, x]
        for (FloatType v : Views.flatIterable(Views.interval(Views.extendZero(norm), new long[n], minusOne(padded))))
            in.put(v.get());
        long[] engineShape = new long[n + 2];
        engineShape[0] = engineShape[1] = 1;
        for (int d = 0; d < n; d++)
            engineShape[2 + d] = padded[n - 1 - d];
        Engine.Result out = engine.run(in.rewind(), engineShape);
        int c = (int) out.shape()[1];
        float[] probs = new float[(int) (c * voxels)]; // x, y(, z), c order as the stitcher's probabilities
        long[] pos = new long[n];
        for (int i = 0; i < voxels; i++) {
            long rest = i, p = 0, stride = 1;
            for (int d = 0; d < n; d++) {
                pos[d] = rest % shape[d];
                rest /= shape[d];
                p += pos[d] * stride;
                stride *= padded[d];
            }
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int k = 0; k < c; k++)
                max = Math.max(max, out.data()[(int) (k * paddedVoxels + p)]);
            for (int k = 0; k < c; k++)
                sum += Math.exp(out.data()[(int) (k * paddedVoxels + p)] - max);
            for (int k = 0; k < c; k++)
                probs[(int) (k * voxels + i)] = (float) (Math.exp(out.data()[(int) (k * paddedVoxels + p)] - max) / sum);
        }
        return probs;
    }

    /**
     * Every shipped single-channel 3D network (plan-driven bundles tile as their plans say; tested with the planner)
     * and the comparison's other 3D networks.
     */
    static Stream<Model> models3d() {
        ModelZoo zoo = new ModelZoo(SegmenterTest.class.getClassLoader(), List.of());
        return Stream.concat(zoo.shippedIds().stream().map(zoo::shipped), Fixtures.comparisonOnlyModels().stream())
                .filter(m -> m.card().dimensionality() == 3 && m.card().inputChannels() == 1 && m.card().nnunet() == null);
    }

    /**
     * A volume and a halo tile such that the volume needs about three tiles along every axis whose halo tile stays
     * within 400 voxels (4096 pixels in 2D); an axis with a longer reach (CE-Net's ~870-voxel in-plane receptive
     * radius in 3D) is kept short and covered by one tile, and tiling is exercised along the others. One axis is
     * always kept short (y in 2D, x in 3D): the other axes are enough and the test stays quick. Where no axis fits
     * (RefineNet in 3D: 1216 voxels in-plane, 160 along z) the one with the shortest halo tile is tiled alone.
     */
    static int[][] haloLayout(ModelCard card) {
        int n = card.dimensionality(), limit = n == 2 ? 4096 : 400, keptShort = n == 3 ? 0 : 1;
        int[] shape = new int[n], tile = new int[n], longTile = new int[n];
        int shortest = -1;
        for (int d = 0; d < n; d++) {
            int div = card.divisibility()[d], halo = card.halo()[d];
            int core = roundUp(Math.max(Math.max(card.patchSize()[d] / 2, div), (2 * halo + 5) / 2), div);
            longTile[d] = 2 * halo + core;
            if (d != keptShort && (shortest < 0 || longTile[d] < longTile[shortest]))
                shortest = d;
        }
        boolean noneFits = longTile[shortest] > limit;
        for (int d = 0; d < n; d++) {
            int div = card.divisibility()[d];
            if (d != keptShort && (longTile[d] <= limit || noneFits && d == shortest)) {
                tile[d] = longTile[d];
                shape[d] = tile[d] + 5;
            } else {
                shape[d] = Math.max(div, 8) + 5; // phantoms need 8 voxels or more
                tile[d] = roundUp(shape[d], div);
            }
        }
        return new int[][] { shape, tile };
    }

    @ParameterizedTest
    @MethodSource("models3d")
    void haloTilingEqualsWholeVolume3d(Model model) {
        int[][] layout = haloLayout(model.card());
        int[] shape = layout[0];
        Volume image = Phantoms.nuclei3D(shape[0], shape[1], shape[2], 6, false, 11).image();
        try (OrtEngine engine = model.open(OrtEngine.Options.cpu(2))) {
            float[] whole = wholeImageProbabilities(model, engine, image);
            var halo = new Segmenter(model, engine, null).segment(image, SegmentOptions.defaults()
                    .withMode(TileMode.HALO).withTile(layout[1]).withProbabilities(true), Progress.NONE);
            assertTrue(halo.tiles() > 2, model.id() + ": the volume must need several tiles, not " + halo.tiles());
            @SuppressWarnings("unchecked")
            float[] tiled = toArray((RandomAccessibleInterval<FloatType>) halo.probabilities().image());
            double maxDiff = 0;
            for (int i = 0; i < whole.length; i++)
                maxDiff = Math.max(maxDiff, Math.abs(whole[i] - tiled[i]));
            System.out.printf(java.util.Locale.ROOT, "%s: %s volume, %d halo tiles of %s vs whole volume max |p diff| %.2e%n",
                    model.id(), java.util.Arrays.toString(shape), halo.tiles(), java.util.Arrays.toString(layout[1]), maxDiff);
            assertTrue(maxDiff <= 1e-4, model.id() + ": halo-tiled probabilities differ from whole-volume by " + maxDiff);
        }
    }

    @Test
    void threeDimensionalVolumeNoTileDividesKeepsGeometry() {
        Model model = Model.fromFolder(Fixtures.folder(Fixtures.TINY_3D), Model.Source.USER);
        Volume image = Phantoms.nuclei3D(45, 37, 11, 4, false, 3).image();
        @SuppressWarnings("unchecked")
        var one = (RandomAccessibleInterval<net.imglib2.type.numeric.integer.UnsignedShortType>) image.image();
        // the 3D fixture takes two channels: give it the phantom twice
        Volume twoChannels = Volume.withChannels(Views.stack(one, one), image.spacing()).withUnit(image.unit());
        try (OrtEngine engine = model.open(OrtEngine.Options.cpu(2))) {
            var result = new Segmenter(model, engine, null).segment(twoChannels,
                    SegmentOptions.defaults().withTile(new int[] { 16, 16, 8 }), Progress.NONE);
            assertArrayEquals(image.spatialShape(), result.labels().spatialShape());
            assertArrayEquals(image.spacing(), result.labels().spacing());
            assertEquals("um", result.labels().unit());
            assertTrue(result.tiles() > 8);
        }
    }

    @Test
    void twoDimensionalModelSegmentsAStackPlaneByPlane() {
        Model model = Model.fromFolder(Fixtures.folder(Fixtures.TINY_2D), Model.Source.USER);
        Volume stack = Phantoms.nuclei3D(40, 30, 8, 3, false, 5).image();
        try (OrtEngine engine = model.open(OrtEngine.Options.cpu(1))) {
            Segmenter segmenter = new Segmenter(model, engine, null);
            var result = segmenter.segment(stack, SegmentOptions.defaults().withMode(TileMode.HALO), Progress.NONE);
            var plane = segmenter.segment(Volume.of(Views.hyperSlice(stack.image(), 2, 1), 0.5, 0.5),
                    SegmentOptions.defaults().withMode(TileMode.HALO), Progress.NONE);
            var a = Views.flatIterable(Views.hyperSlice(result.labels().image(), 2, 1)).cursor();
            var b = Views.flatIterable(plane.labels().image()).cursor();
            while (a.hasNext())
                assertEquals(b.next().getRealDouble(), a.next().getRealDouble());
        }
    }

    /** Reading and stitching on a worker while the engine runs changes nothing: same floats, same labels. */
    @Test
    void overlappedPipelineEqualsTheSequentialOneByteForByte() {
        Model model = new ModelZoo(SegmenterTest.class.getClassLoader(), List.of()).shipped("nuclei-2d-unet");
        Volume image = Phantoms.nuclei2D(421, 221, 12, false, 7).image();
        try (OrtEngine engine = model.open(OrtEngine.Options.cpu(2))) {
            for (TileMode mode : new TileMode[] { TileMode.GAUSSIAN, TileMode.HALO }) {
                // a batch of 3 leaves a partial last batch
                SegmentOptions options = SegmentOptions.defaults().withMode(mode).withBatch(3).withProbabilities(true);
                SegmentResult overlapped = new Segmenter(model, engine, null, true).segment(image, options, Progress.NONE);
                SegmentResult sequential = new Segmenter(model, engine, null, false).segment(image, options, Progress.NONE);
                assertTrue(overlapped.tiles() > 3, mode + ": several batches are needed, not " + overlapped.tiles());
                @SuppressWarnings("unchecked")
                float[] a = toArray((RandomAccessibleInterval<FloatType>) overlapped.probabilities().image());
                @SuppressWarnings("unchecked")
                float[] b = toArray((RandomAccessibleInterval<FloatType>) sequential.probabilities().image());
                assertArrayEquals(b, a, mode + ": probabilities");
                var la = Views.flatIterable(overlapped.labels().image()).cursor();
                var lb = Views.flatIterable(sequential.labels().image()).cursor();
                while (la.hasNext())
                    assertEquals(lb.next().getRealDouble(), la.next().getRealDouble(), mode + ": labels");
            }
        }
    }

    /** The default (auto) tiling is Gaussian at the patch size with the card's step, 0.75 where it gives none. */
    @Test
    void autoTilingIsGaussianAtTheCardsStep() throws Exception {
        Model shipped = new ModelZoo(SegmenterTest.class.getClassLoader(), List.of()).shipped("nuclei-2d-unet");
        Model plain = Model.fromFolder(Fixtures.folder(Fixtures.TINY_2D), Model.Source.USER);
        assertEquals(null, plain.card().tilingStep(), "the fixture's card gives no step");
        Volume image = Phantoms.nuclei2D(700, 500, 40, false, 5).image();
        for (Model model : List.of(shipped, plain))
            try (OrtEngine engine = model.open(OrtEngine.Options.cpu(1))) {
                Segmenter segmenter = new Segmenter(model, engine, null);
                double step = model == plain ? ModelCard.DEFAULT_TILING_STEP : shipped.card().tilingStep();
                TileGrid auto = segmenter.grid(image, SegmentOptions.defaults());
                TileGrid expected = TileGrid.gaussian(image.spatialShape(), model.card().patchSize(), step);
                assertEquals(TileMode.GAUSSIAN, auto.mode());
                assertArrayEquals(model.card().patchSize(), auto.tileSize());
                assertEquals(expected.size(), auto.size(), model.id() + ": tiles at step " + step);
                TileGrid nnunet = segmenter.grid(image, SegmentOptions.defaults().withMode(TileMode.GAUSSIAN));
                assertEquals(TileGrid.gaussian(image.spatialShape(), model.card().patchSize(), 0.5).size(), nnunet.size(),
                        "--mode gaussian is nnU-Net's step 0.5");
                assertTrue(auto.size() < nnunet.size(), "auto evaluates fewer tiles");
            }
    }

    @Test
    void outOfMemoryHalvesTheBatchThenTheTile() {
        Model model = Model.fromFolder(Fixtures.folder(Fixtures.TINY_2D), Model.Source.USER);
        Volume image = Phantoms.nuclei2D(64, 48, 3, false, 1).image();
        try (OrtEngine real = model.open(OrtEngine.Options.cpu(1))) {
            List<Long> batchVoxels = new ArrayList<>();
            Engine small = new Engine() {
                @Override
                public Result run(FloatBuffer input, long[] shape) {
                    long voxels = Engine.product(shape);
                    batchVoxels.add(voxels);
                    if (voxels > 16 * 12)
                        throw new EngineException("fake", new OutOfMemoryError("Failed to allocate"));
                    return real.run(input, shape);
                }

                @Override
                public String device() { return "fake device with little memory"; }

                @Override
                public void close() {}
            };
            List<String> log = new ArrayList<>();
            var result = new Segmenter(model, small, log::add).segment(image,
                    SegmentOptions.defaults().withTile(new int[] { 32, 24 }).withBatch(4), Progress.NONE);
            assertArrayEquals(new int[] { 16, 12 }, result.tile());
            assertTrue(log.stream().anyMatch(l -> l.contains("retrying with tile")), log.toString());
            assertArrayEquals(image.spatialShape(), result.labels().spatialShape());
            assertEquals(4L * 32 * 24, batchVoxels.get(0), "the first try is a batch of 4 full tiles");
        }
    }

    @Test
    void wrongChannelCountAndTileSizeAreExplained() {
        Model model = Model.fromFolder(Fixtures.folder(Fixtures.TINY_2D), Model.Source.USER);
        var rgb = Volume.withChannels(ArrayImgs.unsignedBytes(20, 20, 3), 1, 1);
        try (OrtEngine engine = model.open(OrtEngine.Options.cpu(1))) {
            Segmenter s = new Segmenter(model, engine, null);
            String m = assertThrows(InvalidInputException.class,
                    () -> s.segment(rgb, SegmentOptions.defaults(), Progress.NONE)).getMessage();
            assertTrue(m.contains("expects 1 channel") && m.contains("has 3"), m);
            Volume gray = Volume.of(ArrayImgs.unsignedBytes(20, 20), 1, 1);
            m = assertThrows(InvalidInputException.class,
                    () -> s.segment(gray, SegmentOptions.defaults().withTile(new int[] { 31, 24 }), Progress.NONE))
                    .getMessage();
            assertTrue(m.contains("not a multiple of 2"), m);
        }
    }

    @Test
    void cancellingStopsBetweenTiles() {
        Model model = Model.fromFolder(Fixtures.folder(Fixtures.TINY_2D), Model.Source.USER);
        Volume image = Phantoms.nuclei2D(128, 96, 3, false, 1).image();
        Progress cancelAfterStart = new Progress() {
            int polls;

            @Override
            public void status(String message) {}

            @Override
            public void fraction(double done) {}

            @Override
            public boolean cancelled() { return ++polls > 2; }
        };
        try (OrtEngine engine = model.open(OrtEngine.Options.cpu(1))) {
            assertThrows(Progress.CancelledException.class, () -> new Segmenter(model, engine, null).segment(image,
                    SegmentOptions.defaults().withMode(TileMode.GAUSSIAN).withBatch(1), cancelAfterStart));
        }
    }

    private static float[] toArray(RandomAccessibleInterval<FloatType> img) {
        List<Float> values = new ArrayList<>();
        for (FloatType v : Views.flatIterable(img))
            values.add(v.get());
        float[] a = new float[values.size()];
        for (int i = 0; i < a.length; i++)
            a[i] = values.get(i);
        return a;
    }

    private static long[] minusOne(long[] v) {
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++)
            out[i] = v[i] - 1;
        return out;
    }

    private static int roundUp(int v, int d) {
        return (v + d - 1) / d * d;
    }
}
