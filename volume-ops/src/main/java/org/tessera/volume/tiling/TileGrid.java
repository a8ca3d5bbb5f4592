package org.tessera.volume.tiling;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

import org.tessera.volume.InvalidInputException;

/**
 * The tiles that cover a volume of a given spatial shape (imglib2 order x, y[, z]).
 *
 * <p>Tiles iterate with the last spatial axis outermost (z in 3D, y in 2D) and x innermost, so that a
 * {@link Stitcher} fed in this order can finish slabs along the last axis early and keep only a window
 * of them in memory.
 *
 * <p>{@link #gaussian} reproduces nnU-Net v2's sliding window (including its padding of axes smaller than
 * the tile); {@link #halo} cuts the volume into cores on a fixed lattice and reads each with a halo.
 */
public final class TileGrid implements Iterable<Tile> {

    public static final double DEFAULT_STEP = 0.5;

    private final TileMode mode;
    private final long[] shape;
    private final int[] tileSize;
    private final int[] halo;
    private final int[] padBelow;
    private final double step;
    private final List<Tile> tiles;

    private TileGrid(TileMode mode, long[] shape, int[] tileSize, int[] halo, int[] padBelow, double step,
            long[][] tileMins) {
        this(mode, shape, tileSize, halo, padBelow, step, tileMins, null);
    }

    /** @param coreStarts per axis, where each tile's written core begins (halo mode); null: the whole tile */
    private TileGrid(TileMode mode, long[] shape, int[] tileSize, int[] halo, int[] padBelow, double step,
            long[][] tileMins, long[][] coreStarts) {
        this.mode = mode;
        this.shape = shape;
        this.tileSize = tileSize;
        this.halo = halo;
        this.padBelow = padBelow;
        this.step = step;
        this.tiles = Collections.unmodifiableList(build(tileMins, coreStarts));
    }

    /** nnU-Net's sliding window with the default step of half a tile. */
    public static TileGrid gaussian(long[] shape, int[] tileSize) {
        return gaussian(shape, tileSize, DEFAULT_STEP);
    }

    /**
     * nnU-Net's sliding window. Axes shorter than the tile are padded with zeros (half below, the rest
     * above); tiles then start at {@link #slidingWindowStarts} of the padded size, shifted back by the
     * padding below, and only voxels inside the volume are written.
     *
     * @param step tile step as a fraction of the tile size, in (0, 1]
     */
    public static TileGrid gaussian(long[] shape, int[] tileSize, double step) {
        checkShape(shape, tileSize);
        if (!(step > 0 && step <= 1))
            throw new InvalidInputException("tile step " + step + " must be in (0, 1]; nnU-Net uses 0.5");
        int n = shape.length;
        int[] pad = new int[n];
        long[][] starts = new long[n][];
        for (int d = 0; d < n; d++) {
            long padded = Math.max(shape[d], tileSize[d]);
            pad[d] = (int) ((padded - shape[d]) / 2);
            long[] s = slidingWindowStarts(padded, tileSize[d], step);
            for (int i = 0; i < s.length; i++)
                s[i] -= pad[d];
            starts[d] = s;
        }
        return new TileGrid(TileMode.GAUSSIAN, shape.clone(), tileSize.clone(), new int[n], pad, step, starts);
    }

    /** Halo crop with no divisibility constraint: see {@link #halo(long[], int[], int[], int[])}. */
    public static TileGrid halo(long[] shape, int[] tileSize, int[] halo) {
        return halo(shape, tileSize, halo, null);
    }

    /**
     * Halo crop. Cores of size {@code tile - 2 * halo} start at multiples of the core size from 0; each tile
     * reads its core plus the halo, moved inward where that would reach past the volume (rounded up to the
     * divisibility), so that a tile never feeds the network more padding than whole-image inference does.
     * With tile and halo multiples of the divisibility every tile starts at a multiple of it too, where a
     * pooling network's output equals whole-image inference. An axis that one tile covers gets one tile at 0.
     *
     * @param divisibility per-axis multiple that tile starts keep (2^poolings), or null for 1
     */
    public static TileGrid halo(long[] shape, int[] tileSize, int[] halo, int[] divisibility) {
        checkShape(shape, tileSize);
        int n = shape.length;
        if (halo == null || halo.length != n)
            throw new InvalidInputException("halo needs " + n + " values (x, y" + (n == 3 ? ", z" : "") + "), not "
                    + (halo == null ? "none" : String.valueOf(halo.length)));
        long[][] starts = new long[n][];
        long[][] cores = new long[n][];
        for (int d = 0; d < n; d++) {
            if (halo[d] < 0)
                throw new InvalidInputException("halo " + halo[d] + " along " + TileSizes.axis(d)
                        + " is negative; use 0 or more");
            int div = divisibility == null ? 1 : divisibility[d];
            long padded = (shape[d] + div - 1) / div * div;
            if (padded <= tileSize[d]) {
                starts[d] = new long[] { 0 };
                cores[d] = new long[] { 0 };
                continue;
            }
            int core = tileSize[d] - 2 * halo[d];
            if (core <= 0)
                throw new InvalidInputException("halo " + halo[d] + " leaves no core in a " + tileSize[d]
                        + " tile along " + TileSizes.axis(d) + "; use a tile larger than " + 2 * halo[d]
                        + " or a smaller halo");
            int count = Math.toIntExact((shape[d] + core - 1) / core);
            starts[d] = new long[count];
            cores[d] = new long[count];
            for (int i = 0; i < count; i++) {
                cores[d][i] = (long) i * core;
                starts[d][i] = Math.max(0, Math.min(cores[d][i] - halo[d], padded - tileSize[d]));
            }
        }
        return new TileGrid(TileMode.HALO, shape.clone(), tileSize.clone(), halo.clone(), new int[n], 0, starts, cores);
    }

    /**
     * nnU-Net v2's tile starts along one axis of (padded) size {@code size >= tile}:
     * n = ceil((size - tile) / (tile * step)) + 1, a = (size - tile) / (n - 1), start_i = round(a * i) with
     * ties to even (numpy's round).
     */
    public static long[] slidingWindowStarts(long size, int tile, double step) {
        if (size < tile)
            throw new IllegalArgumentException("size " + size + " is smaller than the tile " + tile + "; pad first");
        double stepVoxels = tile * step;
        int n = (int) Math.ceil((size - tile) / stepVoxels) + 1;
        long[] starts = new long[n];
        if (n == 1)
            return starts;
        double a = (double) (size - tile) / (n - 1);
        for (int i = 0; i < n; i++)
            starts[i] = (long) Math.rint(a * i);
        // a step under one voxel (tiles of 1 along an axis: planes) repeats starts; each plane once is enough
        return java.util.Arrays.stream(starts).distinct().toArray();
    }

    private static void checkShape(long[] shape, int[] tileSize) {
        if (shape == null || (shape.length != 2 && shape.length != 3))
            throw new InvalidInputException("a volume to tile has 2 or 3 spatial axes, not "
                    + (shape == null ? "none" : String.valueOf(shape.length)));
        if (tileSize == null || tileSize.length != shape.length)
            throw new InvalidInputException("tile size needs " + shape.length + " values (x, y"
                    + (shape.length == 3 ? ", z" : "") + "), not "
                    + (tileSize == null ? "none" : String.valueOf(tileSize.length)));
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 1)
                throw new InvalidInputException("volume size along " + TileSizes.axis(d) + " is " + shape[d]
                        + "; a volume needs at least one voxel per axis");
            if (tileSize[d] < 1)
                throw new InvalidInputException("tile size " + tileSize[d] + " along " + TileSizes.axis(d)
                        + " must be at least 1");
        }
    }

    /** A grid of given tiles (renumbered in their order) over a volume of {@code shape}. */
    private TileGrid(TileGrid like, long[] shape, List<Tile> tiles) {
        this.mode = like.mode;
        this.shape = shape;
        this.tileSize = like.tileSize;
        this.halo = like.halo;
        this.padBelow = like.padBelow;
        this.step = like.step;
        this.tiles = Collections.unmodifiableList(tiles);
    }

    /**
     * Part of a grid: {@code grid}'s tiles, in the frame of the box {@code [min, min + grid.shape())} of the whole
     * volume.
     */
    public record Region(long[] min, TileGrid grid) {}

    /**
     * The tiles that write into the box {@code [coreMin, coreMin + coreSize)}, in grid order, moved into the frame
     * of the box they read together (clamped to the volume). Stitched over that box they give the core the values
     * the whole grid gives it: each core voxel gets the same tiles, with the same weights, in the same order. This
     * is how a volume too large for one machine is segmented in blocks without seams.
     */
    public Region region(long[] coreMin, long[] coreSize) {
        int n = shape.length;
        List<Tile> touching = new ArrayList<>();
        for (Tile t : tiles) {
            boolean writes = true;
            for (int d = 0; d < n && writes; d++)
                writes = t.writeMin(d) < coreMin[d] + coreSize[d] && t.writeMin(d) + t.writeSize(d) > coreMin[d];
            if (writes)
                touching.add(t);
        }
        if (touching.isEmpty())
            throw new IllegalArgumentException("no tile writes into " + Arrays.toString(coreMin) + " + "
                    + Arrays.toString(coreSize) + " of " + this);
        long[] min = new long[n], max = new long[n];
        Arrays.fill(min, Long.MAX_VALUE);
        Arrays.fill(max, Long.MIN_VALUE);
        for (Tile t : touching)
            for (int d = 0; d < n; d++) {
                min[d] = Math.min(min[d], Math.max(0, t.min(d)));
                max[d] = Math.max(max[d], Math.min(shape[d], t.min(d) + t.size(d)));
            }
        long[] size = new long[n];
        for (int d = 0; d < n; d++)
            size[d] = max[d] - min[d];
        List<Tile> moved = new ArrayList<>(touching.size());
        for (Tile t : touching) {
            long[] tMin = t.min(), wMin = t.writeMin();
            for (int d = 0; d < n; d++) {
                tMin[d] -= min[d];
                wMin[d] -= min[d];
            }
            moved.add(new Tile(moved.size(), tMin, t.size(), wMin, t.writeSize()));
        }
        return new Region(min, new TileGrid(this, size, moved));
    }

    private List<Tile> build(long[][] starts, long[][] coreStarts) {
        int n = shape.length;
        int total = 1;
        for (long[] s : starts)
            total = Math.multiplyExact(total, s.length);
        List<Tile> list = new ArrayList<>(total);
        int[] idx = new int[n];
        for (int t = 0; t < total; t++) {
            long[] min = new long[n];
            long[] wMin = new long[n];
            int[] wSize = new int[n];
            for (int d = 0; d < n; d++) {
                min[d] = starts[d][idx[d]];
                long from = min[d], to = min[d] + tileSize[d];
                if (coreStarts != null && starts[d].length > 1) {
                    from = coreStarts[d][idx[d]];
                    to = from + tileSize[d] - 2L * halo[d];
                }
                from = Math.max(from, 0);
                to = Math.min(to, shape[d]);
                wMin[d] = from;
                wSize[d] = (int) (to - from);
            }
            list.add(new Tile(t, min, tileSize.clone(), wMin, wSize));
            // x fastest, last axis slowest
            for (int d = 0; d < n; d++) {
                if (++idx[d] < starts[d].length)
                    break;
                idx[d] = 0;
            }
        }
        return list;
    }

    public TileMode mode() { return mode; }

    /** Spatial shape of the tiled volume, x, y[, z]. */
    public long[] shape() { return shape.clone(); }

    public int numDimensions() { return shape.length; }

    public int[] tileSize() { return tileSize.clone(); }

    /** Halo per axis (zeros in Gaussian mode). */
    public int[] halo() { return halo.clone(); }

    /** Zero padding below the volume per axis (Gaussian mode, axes shorter than the tile). */
    public int[] padBelow() { return padBelow.clone(); }

    /** Step as a fraction of the tile (Gaussian mode; 0 in halo mode). */
    public double step() { return step; }

    public List<Tile> tiles() { return tiles; }

    public int size() { return tiles.size(); }

    public Tile get(int index) { return tiles.get(index); }

    @Override
    public Iterator<Tile> iterator() { return tiles.iterator(); }

    @Override
    public String toString() {
        return mode + " grid of " + tiles.size() + " tiles " + Arrays.toString(tileSize) + " over "
                + Arrays.toString(shape) + (mode == TileMode.HALO ? " halo " + Arrays.toString(halo) : "");
    }
}
