package org.tessera.volume.tiling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.real.FloatType;

import org.junit.jupiter.api.Test;

/** A block's region of a grid, stitched alone, gives its core the whole grid's values to the last bit. */
class TileGridRegionTest {

    /** A tile's output that differs per tile and per voxel, as a network's would across overlapping tiles. */
    private static float[] output(Tile t, long[] offset, int channels) {
        int[] size = t.size();
        float[] out = new float[channels * t.voxels()];
        int i = 0;
        for (int c = 0; c < channels; c++)
            for (int z = 0; z < (size.length > 2 ? size[2] : 1); z++)
                for (int y = 0; y < size[1]; y++)
                    for (int x = 0; x < size[0]; x++) {
                        long gx = t.min(0) + offset[0] + x, gy = t.min(1) + offset[1] + y;
                        long gz = size.length > 2 ? t.min(2) + offset[2] + z : 0;
                        long start = (t.min(0) + offset[0]) * 31 + (t.min(1) + offset[1]) * 7;
                        out[i++] = (float) Math.sin(0.37 * gx + 0.11 * gy + 0.05 * gz + 0.013 * start + c);
                    }
        return out;
    }

    private static RandomAccessibleInterval<FloatType> stitch(TileGrid grid, long[] offset) {
        Stitcher s = Stitcher.builder(grid, 2).outputs().build();
        for (Tile t : grid)
            s.add(t, output(t, offset, 2));
        assertTrue(s.isComplete());
        return s.outputs();
    }

    private static void checkEveryBlock(TileGrid whole, long[] block) {
        long[] shape = whole.shape();
        RandomAccessibleInterval<FloatType> all = stitch(whole, new long[shape.length]);
        RandomAccess<FloatType> a = all.randomAccess();
        int n = shape.length;
        long[] min = new long[n];
        int blocks = 0;
        while (true) {
            long[] size = new long[n];
            for (int d = 0; d < n; d++)
                size[d] = Math.min(block[d], shape[d] - min[d]);
            TileGrid.Region region = whole.region(min, size);
            for (Tile t : region.grid()) // every tile of the region writes into the core, and is numbered in order
                for (int d = 0; d < n; d++)
                    assertTrue(t.writeMin(d) + region.min()[d] < min[d] + size[d]
                            && t.writeMin(d) + t.writeSize(d) + region.min()[d] > min[d], t.toString());
            RandomAccess<FloatType> r = stitch(region.grid(), region.min()).randomAccess();
            long[] p = new long[n + 1];
            long[] q = new long[n + 1];
            forEach(min, size, pos -> {
                for (int c = 0; c < 2; c++) {
                    for (int d = 0; d < n; d++) {
                        p[d] = pos[d];
                        q[d] = pos[d] - region.min()[d];
                    }
                    p[n] = q[n] = c;
                    assertEquals(Float.floatToIntBits(a.setPositionAndGet(p).get()),
                            Float.floatToIntBits(r.setPositionAndGet(q).get()), "voxel " + java.util.Arrays.toString(p));
                }
            });
            blocks++;
            int d = 0;
            while (d < n && (min[d] += block[d]) >= shape[d])
                min[d++] = 0;
            if (d == n)
                break;
        }
        assertTrue(blocks > 1);
    }

    private interface Visit {
        void at(long[] pos);
    }

    private static void forEach(long[] min, long[] size, Visit v) {
        int n = min.length;
        long[] pos = min.clone();
        while (true) {
            v.at(pos);
            int d = 0;
            while (d < n && ++pos[d] >= min[d] + size[d])
                pos[d] = min[d++];
            if (d == n)
                return;
        }
    }

    @Test
    void gaussianBlocksEqualTheWholeGrid() {
        // nnU-Net's uneven starts: 100 voxels in tiles of 24 at step 0.5 are not a multiple of the step
        checkEveryBlock(TileGrid.gaussian(new long[] { 100, 70, 30 }, new int[] { 24, 16, 8 }, 0.5),
                new long[] { 48, 32, 16 });
        // an axis shorter than the tile (padded) and a 2D grid
        checkEveryBlock(TileGrid.gaussian(new long[] { 90, 10 }, new int[] { 32, 16 }, 0.5), new long[] { 32, 16 });
    }

    @Test
    void haloBlocksEqualTheWholeGrid() {
        checkEveryBlock(TileGrid.halo(new long[] { 100, 70, 30 }, new int[] { 32, 24, 16 }, new int[] { 8, 4, 4 },
                new int[] { 8, 4, 4 }), new long[] { 40, 28, 12 }); // blocks across the cores' lattice
    }
}
