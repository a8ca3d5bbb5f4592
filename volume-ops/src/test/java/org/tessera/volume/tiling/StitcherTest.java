package org.tessera.volume.tiling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;

import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.IntegerType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

import org.junit.jupiter.api.Test;
import org.tessera.volume.InvalidInputException;

class StitcherTest {

    /** A network's output channel as a function of the global voxel position. */
    interface Field {
        float at(int c, long x, long y, long z);
    }

    /** Fake network: output = field at the tile voxel's global position; NaN outside the volume, which must never be used. */
    static float[] run(Tile t, long[] shape, int channels, Field f) {
        int nd = t.numDimensions();
        int sx = t.size(0), sy = t.size(1), sz = nd == 3 ? t.size(2) : 1;
        float[] out = new float[channels * t.voxels()];
        int i = 0;
        for (int c = 0; c < channels; c++)
            for (int z = 0; z < sz; z++)
                for (int y = 0; y < sy; y++)
                    for (int x = 0; x < sx; x++, i++) {
                        long gx = t.min(0) + x, gy = t.min(1) + y, gz = nd == 3 ? t.min(2) + z : 0;
                        boolean inside = gx >= 0 && gx < shape[0] && gy >= 0 && gy < shape[1]
                                && (nd == 2 || gz >= 0 && gz < shape[2]);
                        out[i] = inside ? f.at(c, gx, gy, gz) : Float.NaN;
                    }
        return out;
    }

    static Stitcher stitch(TileGrid grid, int channels, OutputKind kind, boolean probs, Field f) {
        Stitcher.Builder b = Stitcher.builder(grid, channels).kind(kind).labels();
        if (probs)
            b.probabilities();
        Stitcher s = b.build();
        for (Tile t : grid)
            s.add(t, run(t, grid.shape(), channels, f));
        assertTrue(s.isComplete());
        return s;
    }

    /** Integer scores with a margin of 1 between classes, so the argmax survives float averaging. */
    static final Field STEPS = (c, x, y, z) -> (float) ((x / 7 + 2 * (y / 5) + 3 * (z / 3) + 2 * c) % 5);
    static final Field SMOOTH = (c, x, y, z) -> (float) (Math.sin(0.11 * x + 0.7 * c) + Math.cos(0.07 * y - c) + 0.05 * z * (c - 1));

    static int argmax(Field f, int channels, long x, long y, long z) {
        int best = 0;
        for (int c = 1; c < channels; c++)
            if (f.at(c, x, y, z) > f.at(best, x, y, z))
                best = c;
        return best;
    }

    static void assertLabels(RandomAccessibleInterval<? extends IntegerType<?>> labels, Field f, int channels) {
        RandomAccess<? extends IntegerType<?>> ra = labels.randomAccess();
        long[] s = labels.dimensionsAsLongArray();
        long sz = s.length == 3 ? s[2] : 1;
        for (long z = 0; z < sz; z++)
            for (long y = 0; y < s[1]; y++)
                for (long x = 0; x < s[0]; x++) {
                    long[] p = s.length == 3 ? new long[] { x, y, z } : new long[] { x, y };
                    assertEquals(argmax(f, channels, x, y, z), ra.setPositionAndGet(p).getInteger(),
                            "label at " + x + "," + y + "," + z);
                }
    }

    static void assertSoftmax(RandomAccessibleInterval<FloatType> probs, Field f, int channels, double tolerance) {
        RandomAccess<FloatType> ra = probs.randomAccess();
        long[] s = probs.dimensionsAsLongArray();
        int nd = s.length - 1;
        long sz = nd == 3 ? s[2] : 1;
        for (long z = 0; z < sz; z++)
            for (long y = 0; y < s[1]; y++)
                for (long x = 0; x < s[0]; x++) {
                    double sum = 0;
                    for (int c = 0; c < channels; c++)
                        sum += Math.exp(f.at(c, x, y, z));
                    for (int c = 0; c < channels; c++) {
                        long[] p = nd == 3 ? new long[] { x, y, z, c } : new long[] { x, y, c };
                        double want = Math.exp(f.at(c, x, y, z)) / sum;
                        double got = ra.setPositionAndGet(p).get();
                        if (tolerance == 0)
                            assertEquals((float) want, got, 1e-7, "probability at " + x + "," + y + "," + z + " c" + c);
                        else
                            assertEquals(want, got, tolerance, "probability at " + x + "," + y + "," + z + " c" + c);
                    }
                }
    }

    @Test
    void haloModeReproducesTheWholeVolumeOn3DOddSizes() {
        long[] shape = { 97, 61, 23 };
        TileGrid grid = TileGrid.halo(shape, new int[] { 32, 32, 16 }, new int[] { 8, 8, 4 });
        Stitcher s = stitch(grid, 3, OutputKind.LOGITS, true, SMOOTH);
        assertLabels(s.labels(), SMOOTH, 3);
        assertSoftmax(s.probabilities(), SMOOTH, 3, 0);
        assertEquals(0, s.peakAccumulatorBytes(), "halo mode copies cores, no accumulators");
    }

    @Test
    void gaussianModeReproducesAFunctionOfPositionToFloatPrecision() {
        long[] shape = { 70, 50, 30 };
        TileGrid grid = TileGrid.gaussian(shape, new int[] { 32, 32, 16 });
        assertLabels(stitch(grid, 3, OutputKind.LOGITS, false, STEPS).labels(), STEPS, 3);
        assertSoftmax(stitch(grid, 3, OutputKind.LOGITS, true, SMOOTH).probabilities(), SMOOTH, 3, 2e-6);
    }

    @Test
    void keptOutputsAreTheAveragedRawValues() {
        // a field that varies within tiles: the averages equal it only if weights and positions are right
        for (long[] shape : new long[][] { { 70, 50, 30 }, { 61, 45 } }) {
            int[] tile = shape.length == 3 ? new int[] { 32, 32, 16 } : new int[] { 32, 24 };
            TileGrid grid = TileGrid.gaussian(shape, tile);
            Stitcher s = Stitcher.builder(grid, 3).kind(OutputKind.LOGITS).labels().outputs().build();
            for (Tile t : grid)
                s.add(t, run(t, shape, 3, SMOOTH));
            RandomAccessibleInterval<FloatType> out = s.outputs();
            assertEquals(shape.length + 1, out.numDimensions());
            assertEquals(3, out.dimension(shape.length));
            RandomAccess<FloatType> ra = out.randomAccess();
            double worst = 0;
            long[] pos = new long[shape.length + 1];
            for (long z = 0; z < (shape.length == 3 ? shape[2] : 1); z++)
                for (long y = 0; y < shape[1]; y++)
                    for (long x = 0; x < shape[0]; x++)
                        for (int c = 0; c < 3; c++) {
                            pos[0] = x;
                            pos[1] = y;
                            if (shape.length == 3)
                                pos[2] = z;
                            pos[shape.length] = c;
                            ra.setPosition(pos);
                            worst = Math.max(worst, Math.abs(ra.get().get() - SMOOTH.at(c, x, y, z)));
                        }
            assertTrue(worst < 2e-6, "largest deviation " + worst);
            assertLabels(s.labels(), SMOOTH, 3);
        }
        Stitcher plain = Stitcher.builder(TileGrid.gaussian(new long[] { 8, 8 }, new int[] { 8, 8 }), 2)
                .kind(OutputKind.LOGITS).labels().build();
        assertThrows(IllegalStateException.class, plain::outputs);
    }

    @Test
    void mapsFromTheSameTilesAreStitchedLikeTheClassOutputs() {
        // one tile output of 2 class channels followed by 2 map channels, as an engine concatenates them
        Field field = (c, x, y, z) -> c < 2 ? SMOOTH.at(c, x, y, z) : (float) (0.5 + 0.4 * Math.sin(0.05 * x * c + 0.1 * y - z));
        for (long[] shape : new long[][] { { 70, 50, 30 }, { 61, 45 } }) {
            int[] tile = shape.length == 3 ? new int[] { 32, 32, 16 } : new int[] { 32, 24 };
            int[] halo = shape.length == 3 ? new int[] { 4, 4, 2 } : new int[] { 4, 4 };
            for (TileGrid grid : List.of(TileGrid.gaussian(shape, tile), TileGrid.halo(shape, tile, halo))) {
                Stitcher classes = Stitcher.builder(grid, 2).kind(OutputKind.LOGITS).labels().build();
                Stitcher maps = Stitcher.builder(grid, 2).outputs().build();
                Stitcher reference = Stitcher.builder(grid, 4).kind(OutputKind.LOGITS).labels().outputs().build();
                for (Tile t : grid) {
                    float[] out = run(t, shape, 4, field);
                    classes.add(t, out, 0);
                    maps.add(t, out, 2 * t.voxels());
                    reference.add(t, out, 0);
                }
                assertTrue(maps.isComplete());
                assertLabels(classes.labels(), SMOOTH, 2);
                RandomAccessibleInterval<FloatType> got = maps.outputs();
                assertEquals(2, got.dimension(shape.length));
                long voxels = 1;
                for (long d : shape)
                    voxels *= d;
                // channels 2 and 3 of the 4-channel reference, in the same x, y[, z], c order
                var want = Views.flatIterable(Views.interval(reference.outputs(), intervalOfChannels(shape, 2, 3))).cursor();
                var have = Views.flatIterable(got).cursor();
                long n = 0;
                while (have.hasNext()) {
                    assertEquals(want.next().get(), have.next().get(), 0f, grid.mode() + " map value " + n);
                    n++;
                }
                assertEquals(2 * voxels, n);
                assertThrows(IllegalStateException.class, maps::labels);
            }
        }
        assertThrows(IllegalArgumentException.class,
                () -> Stitcher.builder(TileGrid.gaussian(new long[] { 8, 8 }, new int[] { 8, 8 }), 2).labels().build());
    }

    /** Channels {@code from..to} of an x, y[, z], c image of the given spatial shape. */
    private static net.imglib2.FinalInterval intervalOfChannels(long[] shape, long from, long to) {
        long[] min = new long[shape.length + 1], max = new long[shape.length + 1];
        for (int d = 0; d < shape.length; d++)
            max[d] = shape[d] - 1;
        min[shape.length] = from;
        max[shape.length] = to;
        return new net.imglib2.FinalInterval(min, max);
    }

    @Test
    void identityNetworkThroughTheReaderGivesTheInputBack() {
        SplittableRandom r = new SplittableRandom(3);
        RandomAccessibleInterval<FloatType> img = ArrayImgs.floats(45, 38);
        for (FloatType v : Views.flatIterable(img))
            v.set((float) r.nextDouble());
        TileReader reader = new TileReader(List.of(img));
        for (TileGrid grid : List.of(TileGrid.gaussian(new long[] { 45, 38 }, new int[] { 16, 16 }),
                TileGrid.halo(new long[] { 45, 38 }, new int[] { 16, 16 }, new int[] { 4, 4 }))) {
            // "probabilities" p and 1 - p, so the stitched channel 0 must be the input itself
            Stitcher s = Stitcher.builder(grid, 2).kind(OutputKind.PROBABILITIES).labels().probabilities().build();
            for (Tile t : grid) {
                float[] in = reader.read(t);
                float[] out = new float[2 * in.length];
                for (int i = 0; i < in.length; i++) {
                    out[i] = in[i];
                    out[in.length + i] = 1 - in[i];
                }
                s.add(t, out);
            }
            RandomAccess<FloatType> p = s.probabilities().randomAccess();
            RandomAccess<? extends IntegerType<?>> l = s.labels().randomAccess();
            for (int y = 0; y < 38; y++)
                for (int x = 0; x < 45; x++) {
                    float want = img.getAt(x, y).get();
                    float got = p.setPositionAndGet(x, y, 0).get();
                    if (grid.mode() == TileMode.HALO)
                        assertEquals(want, got, 0f);
                    else
                        assertEquals(want, got, 1e-6f);
                    if (Math.abs(want - 0.5f) > 1e-5)
                        assertEquals(want > 0.5f ? 0 : 1, l.setPositionAndGet(x, y).getInteger());
                }
        }
    }

    @Test
    void volumesSmallerThanTheTileArePaddedAndCropped() {
        long[] shape = { 50, 41 };
        TileGrid gaussian = TileGrid.gaussian(shape, new int[] { 64, 64 });
        Stitcher s = stitch(gaussian, 3, OutputKind.LOGITS, true, SMOOTH);
        assertEquals(List.of(50L, 41L), List.of(s.labels().dimension(0), s.labels().dimension(1)));
        assertLabels(s.labels(), SMOOTH, 3);
        assertSoftmax(s.probabilities(), SMOOTH, 3, 1e-6);
        TileGrid halo = TileGrid.halo(shape, new int[] { 64, 64 }, new int[] { 8, 8 });
        assertLabels(stitch(halo, 3, OutputKind.LOGITS, false, STEPS).labels(), STEPS, 3);
    }

    @Test
    void tallVolumeKeepsOnlyASlabWindowOfAccumulators() {
        long[] shape = { 40, 36, 400 };
        int[] tile = { 32, 32, 32 };
        TileGrid grid = TileGrid.gaussian(shape, tile);
        Stitcher s = stitch(grid, 2, OutputKind.LOGITS, false, STEPS);
        assertLabels(s.labels(), STEPS, 2);
        long wholeVolume = 40 * 36 * 400 * 3 * 4;
        assertTrue(s.peakAccumulatorRows() <= 32 * 36, "peak " + s.peakAccumulatorRows() + " rows");
        assertEquals(s.peakAccumulatorRows() * 40 * 3 * 4, s.peakAccumulatorBytes());
        assertTrue(s.peakAccumulatorBytes() * 10 < wholeVolume);
        assertEquals(0, s.accumulatorBytes(), "everything finished and freed");

        // the same tiles in reverse order: same labels, more planes alive at once
        Stitcher reverse = Stitcher.builder(grid, 2).kind(OutputKind.LOGITS).labels().build();
        for (int i = grid.size() - 1; i >= 0; i--)
            reverse.add(grid.get(i), run(grid.get(i), shape, 2, STEPS));
        assertLabels(reverse.labels(), STEPS, 2);
        assertTrue(reverse.peakAccumulatorRows() >= s.peakAccumulatorRows());
    }

    /**
     * A wide volume: without overlap along z only about one tile's rows in y and z are alive, not whole planes;
     * at nnU-Net's step 0.5 the planes the next layer of tiles also writes wait for it.
     */
    @Test
    void wideVolumeKeepsOnlyATileWindowOfRows() {
        long[] shape = { 200, 256, 64 };
        int slabOfPlanes = 32 * 256; // rows of the 32 planes a tile layer touches
        Stitcher s = stitch(TileGrid.gaussian(shape, new int[] { 32, 32, 32 }, 1.0), 2, OutputKind.LOGITS, false, SMOOTH);
        assertLabels(s.labels(), SMOOTH, 2);
        assertTrue(s.peakAccumulatorRows() * 4 < slabOfPlanes, "peak " + s.peakAccumulatorRows() + " rows");
        assertEquals(0, s.accumulatorBytes());
        Stitcher half = stitch(TileGrid.gaussian(shape, new int[] { 32, 32, 32 }), 2, OutputKind.LOGITS, false, SMOOTH);
        assertLabels(half.labels(), SMOOTH, 2);
        assertTrue(half.peakAccumulatorRows() <= 18 * 256, "peak " + half.peakAccumulatorRows() + " rows");
    }

    @Test
    void planesAreFinishedAsSoonAsTheirLastTileIsIn() {
        long[] shape = { 20, 20, 64 };
        TileGrid grid = TileGrid.halo(shape, new int[] { 16, 16, 16 }, new int[] { 2, 2, 2 });
        Stitcher s = Stitcher.builder(grid, 2).kind(OutputKind.LOGITS).labels().build();
        Field f = (c, x, y, z) -> c == 1 ? 1 : 0;
        RandomAccess<? extends IntegerType<?>> ra = s.labels().randomAccess();
        for (Tile t : grid) {
            s.add(t, run(t, shape, 2, f));
            assertEquals(1, ra.setPositionAndGet(t.writeMin()).getInteger(), "written when added");
        }
    }

    @Test
    void sigmoidOutputs() {
        long[] shape = { 30, 20 };
        TileGrid grid = TileGrid.gaussian(shape, new int[] { 16, 16 });
        // binary: one channel, label 1 where the score is positive
        Field binary = (c, x, y, z) -> x < 12 ? -3f : 3f;
        Stitcher b = stitch(grid, 1, OutputKind.SIGMOID, true, binary);
        assertEquals(0, b.labels().getAt(5, 5).getInteger());
        assertEquals(1, b.labels().getAt(20, 5).getInteger());
        assertEquals(1 / (1 + Math.exp(-3)), b.probabilities().getAt(20, 5, 0).get(), 1e-6);
        // nested regions: the highest channel above 0.5 wins
        Field nested = (c, x, y, z) -> c == 0 ? (x >= 5 ? 2f : -2f) : c == 1 ? (x >= 15 ? 2f : -2f) : (x >= 25 ? 2f : -2f);
        Stitcher n = stitch(grid, 3, OutputKind.SIGMOID, false, nested);
        for (int x = 0; x < 30; x++)
            assertEquals(x >= 25 ? 3 : x >= 15 ? 2 : x >= 5 ? 1 : 0, n.labels().getAt(x, 7).getInteger(), "x=" + x);
    }

    @Test
    void moreThan256ClassesGiveSixteenBitLabels() {
        long[] shape = { 20, 20 };
        TileGrid grid = TileGrid.halo(shape, new int[] { 16, 16 }, new int[] { 4, 4 });
        Field f = (c, x, y, z) -> c == (x + 20 * y) % 300 ? 1f : 0f;
        Stitcher s = stitch(grid, 300, OutputKind.LOGITS, false, f);
        assertTrue(s.labels().getType() instanceof UnsignedShortType);
        assertEquals(299, s.labels().getAt(19, 14).getInteger());
        assertEquals(0, s.labels().getAt(0, 15).getInteger());
    }

    @Test
    void misuseIsReported() {
        TileGrid grid = TileGrid.gaussian(new long[] { 20, 20 }, new int[] { 16, 16 });
        Stitcher s = Stitcher.builder(grid, 2).kind(OutputKind.LOGITS).labels().build();
        Tile t = grid.get(0);
        assertThrows(IllegalArgumentException.class, () -> s.add(t, new float[16 * 16]));
        s.add(t, new float[2 * 16 * 16]);
        assertThrows(IllegalStateException.class, () -> s.add(t, new float[2 * 16 * 16]));
        assertThrows(IllegalStateException.class, s::probabilities);
        assertThrows(IllegalArgumentException.class,
                () -> s.add(TileGrid.gaussian(new long[] { 40, 40 }, new int[] { 16, 16 }).get(1), new float[512]));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Stitcher.builder(grid, 1).kind(OutputKind.LOGITS).labels().build());
        assertTrue(e.getMessage().contains("sigmoid"), e.getMessage());
        // NaN inside the volume is an error, not a silent label
        Stitcher h = Stitcher.builder(TileGrid.halo(new long[] { 8, 8 }, new int[] { 8, 8 }, new int[] { 0, 0 }), 2)
                .kind(OutputKind.LOGITS).labels().build();
        float[] bad = new float[128];
        bad[9] = Float.NaN;
        IllegalStateException nan = assertThrows(IllegalStateException.class,
                () -> h.add(h.grid().get(0), bad));
        assertTrue(nan.getMessage().contains("x=1, y=1"), nan.getMessage());
    }

    @Test
    void eachImageIsTheSameWhicheverOthersAreBuiltBesideIt() {
        // the decoders share the accumulator's values per voxel: none may change them for the others
        long[] shape3 = { 45, 38, 21 }, shape2 = { 61, 45 };
        for (TileGrid grid : List.of(TileGrid.gaussian(shape3, new int[] { 16, 16, 8 }),
                TileGrid.halo(shape2, new int[] { 24, 24 }, new int[] { 4, 4 })))
            for (OutputKind kind : OutputKind.values()) {
                Stitcher all = Stitcher.builder(grid, 3).kind(kind).labels().probabilities().outputs().build();
                Stitcher labels = Stitcher.builder(grid, 3).kind(kind).labels().build();
                Stitcher probabilities = Stitcher.builder(grid, 3).kind(kind).probabilities().build();
                Stitcher outputs = Stitcher.builder(grid, 3).outputs().build();
                for (Tile t : grid) {
                    float[] out = run(t, grid.shape(), 3, SMOOTH);
                    for (Stitcher s : List.of(all, labels, probabilities, outputs))
                        s.add(t, out);
                }
                String what = grid.mode() + " " + kind;
                assertSameValues(all.labels(), labels.labels(), what + " labels");
                assertSameValues(all.probabilities(), probabilities.probabilities(), what + " probabilities");
                assertSameValues(all.outputs(), outputs.outputs(), what + " outputs");
                assertThrows(IllegalStateException.class, labels::outputs);
                assertThrows(IllegalStateException.class, outputs::probabilities);
            }
    }

    private static void assertSameValues(RandomAccessibleInterval<? extends net.imglib2.type.numeric.RealType<?>> want,
            RandomAccessibleInterval<? extends net.imglib2.type.numeric.RealType<?>> got, String what) {
        var w = Views.flatIterable(want).cursor();
        var g = Views.flatIterable(got).cursor();
        long n = 0;
        while (w.hasNext()) {
            assertEquals(w.next().getRealDouble(), g.next().getRealDouble(), 0, what + " value " + n);
            n++;
        }
        assertTrue(n > 0 && !g.hasNext(), what + ": " + n + " values");
    }

    @Test
    void aConstantImportanceMapAveragesOverlappingTilesEqually() {
        long[] shape = { 40, 30 };
        TileGrid grid = TileGrid.gaussian(shape, new int[] { 16, 16 });
        Stitcher s = Stitcher.builder(grid, 1).importance(ImportanceMap.constant(new int[] { 16, 16 })).outputs().build();
        for (Tile t : grid) {
            float[] out = new float[t.voxels()];
            java.util.Arrays.fill(out, t.index());
            s.add(t, out);
        }
        RandomAccess<FloatType> ra = s.outputs().randomAccess();
        for (int y = 0; y < shape[1]; y++)
            for (int x = 0; x < shape[0]; x++) {
                int sum = 0, count = 0;
                for (Tile t : grid)
                    if (x >= t.writeMin(0) && x < t.writeMin(0) + t.writeSize(0) && y >= t.writeMin(1)
                            && y < t.writeMin(1) + t.writeSize(1)) {
                        sum += t.index();
                        count++;
                    }
                assertEquals((float) sum / count, ra.setPositionAndGet(x, y, 0).get(), 0f, "x=" + x + ", y=" + y);
            }
    }

    @Test
    void theBuilderRefusesStitchersThatMakeNothingOrDoNotKnowTheKind() {
        TileGrid grid = TileGrid.gaussian(new long[] { 8, 8 }, new int[] { 8, 8 });
        assertThrows(IllegalArgumentException.class, () -> Stitcher.builder(grid, 2).kind(OutputKind.LOGITS).build());
        assertThrows(IllegalArgumentException.class, () -> Stitcher.builder(grid, 2).probabilities().build());
        assertThrows(InvalidInputException.class, () -> Stitcher.builder(grid, 0).outputs().build());
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Stitcher.builder(grid, 70000).kind(OutputKind.LOGITS).outputs().build());
        assertTrue(e.getMessage().contains("16-bit"), e.getMessage());
    }

    /** A non-finite network output is refused, naming the voxel, in both modes, in 2D and 3D. */
    @Test
    void aNonFiniteOutputNamesItsVoxel() {
        Field nan3 = (c, x, y, z) -> c == 1 && x == 37 && y == 21 && z == 9 ? Float.NaN : 1;
        Field inf2 = (c, x, y, z) -> c == 0 && x == 50 && y == 13 ? Float.POSITIVE_INFINITY : 1;
        long[] shape3 = { 70, 40, 20 }, shape2 = { 90, 30 };
        for (TileGrid grid : List.of(TileGrid.gaussian(shape3, new int[] { 32, 32, 16 }),
                TileGrid.halo(shape3, new int[] { 32, 32, 16 }, new int[] { 8, 8, 4 }))) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> stitch(grid, 2, OutputKind.LOGITS, false, nan3));
            assertTrue(e.getMessage().contains("(NaN) at x=37, y=21, z=9"), grid.mode() + ": " + e.getMessage());
        }
        for (TileGrid grid : List.of(TileGrid.gaussian(shape2, new int[] { 32, 16 }),
                TileGrid.halo(shape2, new int[] { 32, 16 }, new int[] { 8, 4 }))) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> stitch(grid, 2, OutputKind.LOGITS, true, inf2));
            assertTrue(e.getMessage().contains("(Infinity) at x=50, y=13"), grid.mode() + ": " + e.getMessage());
        }
    }
}
