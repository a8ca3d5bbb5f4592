package org.tessera.unet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

import org.junit.jupiter.api.Test;
import org.tessera.volume.Progress;
import org.tessera.volume.tiling.Stitcher;
import org.tessera.volume.tiling.TileGrid;

class TiledInferenceTest {

    /** Returns its input unchanged and keeps every batch it ran. */
    static final class IdentityEngine implements Engine {
        final List<float[]> inputs = new ArrayList<>();
        final List<long[]> shapes = new ArrayList<>();

        @Override
        public Result run(FloatBuffer input, long[] shape) {
            float[] in = new float[input.remaining()];
            input.duplicate().get(in);
            inputs.add(in);
            shapes.add(shape.clone());
            return new Result(in.clone(), shape.clone());
        }

        @Override
        public String device() {
            return "identity";
        }

        @Override
        public void close() {}
    }

    /** Records fractions; cancels once {@code cancelAfter} fractions were reported. */
    static final class Recording implements Progress {
        final List<Double> fractions = new ArrayList<>();
        final int cancelAfter;

        Recording(int cancelAfter) {
            this.cancelAfter = cancelAfter;
        }

        @Override
        public void status(String message) {}

        @Override
        public void fraction(double done) {
            fractions.add(done);
        }

        @Override
        public boolean cancelled() {
            return fractions.size() >= cancelAfter;
        }
    }

    private static RandomAccessibleInterval<FloatType> ramp(long... dims) {
        RandomAccessibleInterval<FloatType> img = ArrayImgs.floats(dims);
        float v = 0;
        for (FloatType t : Views.flatIterable(img))
            t.set(v++ % 97);
        return img;
    }

    @Test
    void everyTileReachesTheSinkInGridOrderAndTheProgressCountsThem() {
        RandomAccessibleInterval<FloatType> img = ramp(45, 38);
        TileGrid grid = TileGrid.gaussian(new long[] { 45, 38 }, new int[] { 16, 16 });
        TiledInference tiles = new TiledInference(grid, List.of(img), false);
        Stitcher stitcher = Stitcher.builder(grid, 1).outputs().build();
        List<Integer> order = new ArrayList<>();
        Recording progress = new Recording(Integer.MAX_VALUE);
        tiles.run(new AdaptiveBatchRunner(new IdentityEngine(), 3), progress, (tile, out, shape) -> {
            order.add(tile.index());
            assertArrayEquals(new long[] { 1, 16, 16 }, shape);
            stitcher.add(tile, out);
        });
        for (int i = 0; i < grid.size(); i++) {
            assertEquals(i, order.get(i));
            assertEquals((i + 1.0) / grid.size(), progress.fractions.get(i));
        }
        assertEquals(grid.size(), order.size());
        // an identity network gives the image back through the stitcher's weighted average
        var want = Views.flatIterable(img).cursor();
        var got = Views.flatIterable(stitcher.outputs()).cursor();
        while (want.hasNext())
            assertEquals(want.next().get(), got.next().get(), 1e-4f);
    }

    @Test
    void readGivesTheBatchesTheEngineIsFed() {
        RandomAccessibleInterval<FloatType> a = ramp(20, 18, 5), b = ramp(20, 18, 5);
        TileGrid grid = TileGrid.halo(new long[] { 20, 18, 5 }, new int[] { 16, 16, 1 }, new int[] { 4, 4, 0 });
        TiledInference tiles = new TiledInference(grid, List.of(a, b), true);
        assertArrayEquals(new long[] { 2, 16, 16 }, tiles.tensorShape(), "a 2D network's planes: (C, H, W)");
        IdentityEngine engine = new IdentityEngine();
        tiles.run(new AdaptiveBatchRunner(engine, 4), Progress.NONE, (tile, out, shape) -> { });
        int first = 0;
        for (int k = 0; k < engine.inputs.size(); k++) {
            int n = (int) engine.shapes.get(k)[0];
            FloatBuffer read = tiles.read(first, n);
            float[] values = new float[read.remaining()];
            read.get(values);
            assertArrayEquals(engine.inputs.get(k), values, 0f, "batch " + k);
            first += n;
        }
        assertEquals(grid.size(), first);
    }

    @Test
    void cancellingStopsBeforeTheNextTileIsRead() {
        TileGrid grid = TileGrid.gaussian(new long[] { 45, 38 }, new int[] { 16, 16 });
        TiledInference tiles = new TiledInference(grid, List.of(ramp(45, 38)), false);
        List<Integer> seen = new ArrayList<>();
        assertThrows(Progress.CancelledException.class, () -> tiles.run(
                new AdaptiveBatchRunner(new IdentityEngine(), 1, null, List.of(), false),
                new Recording(2), (tile, out, shape) -> seen.add(tile.index())));
        assertEquals(List.of(0, 1), seen);
        // Overlapped, the next batch is read while the current one runs: at most one batch more gets done.
        List<Integer> overlapped = new ArrayList<>();
        assertThrows(Progress.CancelledException.class, () -> tiles.run(new AdaptiveBatchRunner(new IdentityEngine(), 1),
                new Recording(2), (tile, out, shape) -> overlapped.add(tile.index())));
        assertEquals(List.of(0, 1, 2), overlapped);
    }

    @Test
    void channelsMustCoverTheGrid() {
        TileGrid grid = TileGrid.gaussian(new long[] { 45, 38 }, new int[] { 16, 16 });
        assertThrows(IllegalArgumentException.class, () -> new TiledInference(grid, List.of(ramp(40, 38)), false));
    }
}
