package org.tessera.volume.tiling;

import java.util.ArrayList;
import java.util.List;

/**
 * Chooses the stitching mode and tile size that evaluate the fewest voxels for one volume, under a bound on
 * the voxels of one tile (the memory the engine may use for it). Candidates:
 * <ul>
 * <li>halo crop with any tile that leaves a core (or covers its axis): equals whole-image inference, so its
 * size changes nothing but the time;</li>
 * <li>nnU-Net's Gaussian window at the given step, with tiles no smaller than the model's patch (a smaller
 * tile would see less context than in training).</li>
 * </ul>
 * Cost of a grid: tiles x (tile voxels + a fixed per-call overhead in voxels). Ties go to halo, then to fewer tiles.
 */
public final class AutoTiling {

    /** The chosen grid parameters, and its cost in evaluated voxels (overhead included). */
    public record Choice(TileMode mode, int[] tile, long tiles, long evaluatedVoxels) {}

    private AutoTiling() {}

    /**
     * @param shape           the volume's spatial shape (x, y[, z])
     * @param patch           the model's patch size, already fitted to the volume (see {@link TileSizes#resolve})
     * @param divisibility    per-axis multiple of every tile size
     * @param halo            per-axis halo aligned to the divisibility, or null where the card has none (no halo mode)
     * @param step            Gaussian step as a fraction of the tile
     * @param maxTileVoxels   the most voxels one tile may hold; the patch itself is always allowed
     * @param overheadVoxels  the cost of one engine call beyond its voxels, in voxels
     */
    public static Choice choose(long[] shape, int[] patch, int[] divisibility, int[] halo, double step,
            long maxTileVoxels, long overheadVoxels) {
        int n = shape.length;
        long limit = Math.max(maxTileVoxels, product(patch));
        Choice best = best(TileMode.GAUSSIAN, axes(shape, patch, divisibility, null, step), limit, overheadVoxels,
                null);
        if (halo != null)
            best = best(TileMode.HALO, axes(shape, patch, divisibility, halo, step), limit, overheadVoxels, best);
        if (best == null) // nothing fits but the patch itself: today's default
            return new Choice(TileMode.GAUSSIAN, patch.clone(), gaussianCount(shape, patch, step),
                    gaussianCount(shape, patch, step) * (product(patch) + overheadVoxels));
        assert best.tile.length == n;
        return best;
    }

    /** One axis's options: for each tile count, the smallest tile size giving it. */
    private record AxisOption(int tile, long count) {}

    private static List<List<AxisOption>> axes(long[] shape, int[] patch, int[] div, int[] halo, double step) {
        List<List<AxisOption>> axes = new ArrayList<>();
        for (int d = 0; d < shape.length; d++) {
            List<AxisOption> options = new ArrayList<>();
            long whole = TileSizes.roundUp(shape[d], div[d]);
            // halo tiles may be smaller than the patch (they stay exact); Gaussian tiles not
            int smallest = halo != null ? (int) Math.min(whole, 2L * halo[d] + div[d]) : patch[d];
            long lastCount = Long.MAX_VALUE;
            for (long t = TileSizes.roundUp(smallest, div[d]); t <= Math.max(whole, patch[d]); t += div[d]) {
                long count = halo != null ? haloCount(shape[d], (int) t, halo[d], div[d])
                        : TileGrid.slidingWindowStarts(Math.max(shape[d], t), (int) t, step).length;
                if (count < lastCount) {
                    options.add(new AxisOption((int) t, count));
                    lastCount = count;
                }
                if (count == 1)
                    break;
            }
            axes.add(options);
        }
        return axes;
    }

    private static Choice best(TileMode mode, List<List<AxisOption>> axes, long limit, long overhead, Choice best) {
        int n = axes.size();
        int[] index = new int[n];
        while (true) {
            long voxels = 1, count = 1;
            int[] tile = new int[n];
            for (int d = 0; d < n; d++) {
                AxisOption o = axes.get(d).get(index[d]);
                tile[d] = o.tile;
                voxels *= o.tile;
                count *= o.count;
            }
            if (voxels <= limit) {
                long cost = count * (voxels + overhead);
                if (best == null || cost < best.evaluatedVoxels
                        || cost == best.evaluatedVoxels && mode == TileMode.HALO && best.mode != TileMode.HALO)
                    best = new Choice(mode, tile, count, cost);
            }
            int d = 0; // next combination, odometer style
            while (d < n && ++index[d] == axes.get(d).size())
                index[d++] = 0;
            if (d == n)
                return best;
        }
    }

    static long haloCount(long size, int tile, int halo, int div) {
        if (TileSizes.roundUp(size, div) <= tile)
            return 1;
        int core = tile - 2 * halo;
        return core <= 0 ? Long.MAX_VALUE / 4 : (size + core - 1) / core;
    }

    private static long gaussianCount(long[] shape, int[] tile, double step) {
        long count = 1;
        for (int d = 0; d < shape.length; d++)
            count *= TileGrid.slidingWindowStarts(Math.max(shape[d], tile[d]), tile[d], step).length;
        return count;
    }

    private static long product(int[] a) {
        long p = 1;
        for (int v : a)
            p *= v;
        return p;
    }
}
