package org.tessera.volume.tiling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AutoTilingTest {

    /**
     * The choice is the cheapest of every grid the two modes allow, found here by building each grid of every
     * tile size that is a multiple of the divisibility, up to the volume (rounded up).
     */
    @ParameterizedTest
    @CsvSource({
            // shape, patch, divisibility, halo, max tile voxels
            "2048x2048, 192x192, 8x8, 56x56, 1400000",
            "2048x2048, 192x192, 8x8, 56x56, 150000",
            "700x500, 256x256, 16x16, 112x112, 600000",
            "256x256x96, 64x64x32, 8x8x4, 56x56x28, 1200000",
            "150x140x37, 64x64x32, 8x8x4, 56x56x28, 700000",
    })
    void choosesTheCheapestGridOfAll(String shape, String patch, String div, String halo, long maxVoxels) {
        long[] s = longs(shape);
        int[] p = ints(patch), d = ints(div), h = ints(halo);
        long overhead = 4096;
        AutoTiling.Choice choice = AutoTiling.choose(s, p, d, h, 0.5, maxVoxels, overhead);
        long best = Long.MAX_VALUE;
        for (TileMode mode : new TileMode[] { TileMode.GAUSSIAN, TileMode.HALO })
            for (int[] tile : allTiles(s, d, mode == TileMode.GAUSSIAN ? p : d)) {
                long voxels = 1;
                for (int t : tile)
                    voxels *= t;
                if (voxels > maxVoxels)
                    continue;
                boolean coreless = false;
                for (int a = 0; a < s.length; a++)
                    coreless |= mode == TileMode.HALO && tile[a] <= 2 * h[a] && TileSizes.roundUp(s[a], d[a]) > tile[a];
                if (coreless)
                    continue;
                TileGrid grid = mode == TileMode.HALO ? TileGrid.halo(s, tile, h, d) : TileGrid.gaussian(s, tile, 0.5);
                best = Math.min(best, grid.size() * (voxels + overhead));
            }
        assertEquals(best, choice.evaluatedVoxels(), "the cheapest grid's cost");
        TileGrid chosen = choice.mode() == TileMode.HALO ? TileGrid.halo(s, choice.tile(), h, d)
                : TileGrid.gaussian(s, choice.tile(), 0.5);
        assertEquals(choice.tiles(), chosen.size(), "the choice's tile count is its grid's");
        long voxels = 1;
        for (int a = 0; a < s.length; a++) {
            voxels *= choice.tile()[a];
            assertEquals(0, choice.tile()[a] % d[a], "divisible along axis " + a);
            if (choice.mode() == TileMode.GAUSSIAN)
                assertTrue(choice.tile()[a] >= p[a], "a Gaussian tile is no smaller than the patch");
        }
        assertTrue(voxels <= maxVoxels, "within the budget: " + voxels);
    }

    @ParameterizedTest
    @CsvSource({ "2048x2048, 192x192, 8x8", "256x256x96, 64x64x32, 8x8x4" })
    void withoutAHaloOrBudgetItIsThePatchWithGaussianTiles(String shape, String patch, String div) {
        long[] s = longs(shape);
        int[] p = ints(patch);
        AutoTiling.Choice choice = AutoTiling.choose(s, p, ints(div), null, 0.5, 1, 0);
        assertEquals(TileMode.GAUSSIAN, choice.mode());
        assertArrayEquals(p, choice.tile());
        assertEquals(TileGrid.gaussian(s, p, 0.5).size(), choice.tiles());
    }

    /** Every tile size from {@code min} (rounded up to the divisibility) to the volume rounded up, per axis. */
    private static java.util.List<int[]> allTiles(long[] shape, int[] div, int[] min) {
        java.util.List<int[]> tiles = new java.util.ArrayList<>();
        int n = shape.length;
        int[] lo = new int[n], hi = new int[n];
        for (int a = 0; a < n; a++) {
            hi[a] = (int) Math.max(TileSizes.roundUp(shape[a], div[a]), min[a]);
            lo[a] = (int) Math.min(TileSizes.roundUp(min[a], div[a]), hi[a]);
        }
        int[] t = lo.clone();
        while (true) {
            tiles.add(t.clone());
            int a = 0; // odometer: step axis a, carry into the next axis when it passes its end
            while (a < n && (t[a] += div[a]) > hi[a]) {
                t[a] = lo[a];
                a++;
            }
            if (a == n)
                return tiles;
        }
    }

    private static long[] longs(String s) {
        String[] p = s.split("x");
        long[] v = new long[p.length];
        for (int i = 0; i < p.length; i++)
            v[i] = Long.parseLong(p[i].strip());
        return v;
    }

    private static int[] ints(String s) {
        long[] l = longs(s);
        int[] v = new int[l.length];
        for (int i = 0; i < l.length; i++)
            v[i] = (int) l[i];
        return v;
    }
}
