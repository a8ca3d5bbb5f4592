package org.tessera.volume.tiling;

import java.util.Arrays;

/**
 * The arithmetic of stitching: combines a {@link TileGrid}'s tile outputs and hands each voxel's combined
 * channel values to a {@link VoxelConsumer} as soon as its last tile is in.
 *
 * <p>In {@link TileMode#GAUSSIAN} mode the values are sum(out * w) / sum(w) with an importance map w, summed
 * in float in the order tiles arrive; the sums (C + 1 floats per voxel) exist only for rows along x (a y of a
 * z plane in 3D, a y in 2D) that some added tile touched and some tile still to come touches: fed in grid
 * order, a window of about one tile's rows in y and z is alive at a time. In
 * {@link TileMode#HALO} mode each voxel is the output of the one tile whose core holds it, with no sums.
 *
 * <p>Not thread-safe: {@link Stitcher} serializes the calls.
 */
final class TileAccumulator {

    private final TileGrid grid;
    private final int channels;
    private final VoxelConsumer consumer;
    private final float[] importance;
    private final int nd;
    private final int width;      // x
    private final int height;     // y in 3D, 1 in 2D (where a plane is one row)

    private final int[] pending;  // per row (plane * height + y): tiles still to come that write it
    private final float[][] sums;
    private final float[][] weights;
    private final boolean[] added;
    private final java.util.ArrayDeque<float[]> spareSums = new java.util.ArrayDeque<>(),
            spareWeights = new java.util.ArrayDeque<>();
    private int addedCount;
    private int liveRows;
    private int peakLiveRows;

    /**
     * @param importance weights per tile voxel in tile C order ({@link ImportanceMap}), all positive; null
     *                   for nnU-Net's Gaussian. Ignored in halo mode.
     */
    TileAccumulator(TileGrid grid, int channels, float[] importance, VoxelConsumer consumer) {
        this.grid = grid;
        this.channels = channels;
        this.consumer = consumer;
        this.importance = grid.mode() == TileMode.GAUSSIAN ? checkedImportance(grid.tileSize(), importance) : null;
        long[] shape = grid.shape();
        nd = shape.length;
        width = Math.toIntExact(shape[0]);
        height = nd == 3 ? Math.toIntExact(shape[1]) : 1;
        int planes = Math.toIntExact(shape[nd - 1]);
        Math.multiplyExact(width, height); // one plane's voxels are one array
        if (nd == 2)
            Math.multiplyExact(width, planes); // 2D outputs are one plane
        int rows = Math.multiplyExact(planes, height);

        pending = new int[rows];
        for (Tile t : grid) {
            Region r = new Region(t);
            for (int k = 0; k < r.np; k++)
                for (int j = 0; j < r.ny; j++)
                    pending[r.row(k, j)]++;
        }
        sums = new float[rows][];
        weights = new float[rows][];
        added = new boolean[grid.size()];
    }

    private static float[] checkedImportance(int[] tile, float[] given) {
        int tileVoxels = 1;
        for (int s : tile)
            tileVoxels *= s;
        float[] importance = given == null ? ImportanceMap.gaussian(tile) : given;
        if (importance.length != tileVoxels)
            throw new IllegalArgumentException("importance map has " + importance.length + " values; the tile has "
                    + tileVoxels);
        for (float w : importance)
            if (!(w > 0) || Float.isInfinite(w))
                throw new IllegalArgumentException("importance weights must be positive and finite");
        return importance;
    }

    /** Adds one tile's output, (C, [D,] H, W) order, starting at {@code offset}. */
    void add(Tile tile, float[] output, int offset) {
        checkTile(tile);
        if (offset < 0 || output.length - offset < channels * tile.voxels())
            throw new IllegalArgumentException("output holds " + (output.length - offset) + " floats from offset " + offset
                    + "; a tile of " + channels + " channels needs " + channels * tile.voxels());
        added[tile.index()] = true;
        addedCount++;
        Region r = new Region(tile);
        if (grid.mode() == TileMode.GAUSSIAN)
            accumulate(tile, r, output, offset);
        else
            copyCore(tile, r, output, offset);
        for (int k = 0; k < r.np; k++)
            for (int j = 0; j < r.ny; j++) {
                int row = r.row(k, j);
                if (--pending[row] == 0 && grid.mode() == TileMode.GAUSSIAN)
                    finish(row);
            }
    }

    private void checkTile(Tile tile) {
        if (tile.index() < 0 || tile.index() >= grid.size()
                || !Arrays.equals(grid.get(tile.index()).min(), tile.min())
                || !Arrays.equals(grid.get(tile.index()).size(), tile.size()))
            throw new IllegalArgumentException(tile + " is not a tile of this stitcher's grid");
        if (added[tile.index()])
            throw new IllegalStateException(tile + " was already added");
    }

    /**
     * A tile's write region in the (x, y', last) frame, y' being y in 3D and a unit axis in 2D: the first
     * voxel and extent in the volume, and where that first voxel sits inside the tile.
     */
    private final class Region {
        final int x0, nx, y0, ny, p0, np;
        final int lx0, ly0, lp0, tileWidth, tileHeight;

        Region(Tile tile) {
            x0 = (int) tile.writeMin(0);
            nx = tile.writeSize(0);
            y0 = nd == 3 ? (int) tile.writeMin(1) : 0;
            ny = nd == 3 ? tile.writeSize(1) : 1;
            p0 = (int) tile.writeMin(nd - 1);
            np = tile.writeSize(nd - 1);
            lx0 = (int) (x0 - tile.min(0));
            ly0 = nd == 3 ? (int) (y0 - tile.min(1)) : 0;
            lp0 = (int) (p0 - tile.min(nd - 1));
            tileWidth = tile.size(0);
            tileHeight = nd == 3 ? tile.size(1) : 1;
        }

        /** Index in the tile of the region's row j on its plane k. */
        int tileRow(int k, int j) {
            return ((lp0 + k) * tileHeight + ly0 + j) * tileWidth + lx0;
        }

        /** Index in a volume plane of the region's row j. */
        int planeRow(int j) {
            return (y0 + j) * width + x0;
        }

        /** The accumulator row of the region's row j on its plane k. */
        int row(int k, int j) {
            return (p0 + k) * height + y0 + j;
        }
    }

    private void accumulate(Tile tile, Region r, float[] out, int offset) {
        int tileVoxels = tile.voxels();
        for (int k = 0; k < r.np; k++)
            for (int j = 0; j < r.ny; j++) {
                int row = r.row(k, j);
                if (sums[row] == null) {
                    sums[row] = zeroed(spareSums, channels * width);
                    weights[row] = zeroed(spareWeights, width);
                    peakLiveRows = Math.max(peakLiveRows, ++liveRows);
                }
                float[] a = sums[row], w = weights[row];
                int tRow = r.tileRow(k, j);
                for (int i = 0; i < r.nx; i++)
                    w[r.x0 + i] += importance[tRow + i];
                for (int c = 0; c < channels; c++) {
                    int src = offset + c * tileVoxels + tRow;
                    int dst = c * width + r.x0;
                    for (int i = 0; i < r.nx; i++)
                        a[dst + i] += out[src + i] * importance[tRow + i];
                }
            }
    }

    private void finish(int row) {
        float[] a = sums[row], w = weights[row];
        for (int c = 0; c < channels; c++) // in place: the sums become the stitched values, channel-major
            for (int i = 0, o = c * width; i < width; i++)
                a[o + i] /= w[i];
        int p = row / height, y = row % height;
        emitRun(p, y * width, a, width, 0, width, 0, y);
        spareSums.push(a);
        spareWeights.push(w);
        sums[row] = null;
        weights[row] = null;
        liveRows--;
    }

    /**
     * A finished row's array, cleared, or a new one. Rows live for many tiles, so the collector would move
     * them to the old generation and find them dead only in a full collection: reused, they never become
     * garbage, and the heap stays near the live rows.
     */
    private static float[] zeroed(java.util.ArrayDeque<float[]> spare, int length) {
        float[] a = spare.poll();
        if (a == null)
            return new float[length];
        Arrays.fill(a, 0);
        return a;
    }

    private void copyCore(Tile tile, Region r, float[] out, int offset) {
        int tileVoxels = tile.voxels();
        for (int k = 0; k < r.np; k++)
            for (int j = 0; j < r.ny; j++)
                emitRun(r.p0 + k, r.planeRow(j), out, tileVoxels, offset + r.tileRow(k, j), r.nx, r.x0, r.y0 + j);
    }

    /**
     * Hands a row of voxels to the consumer: in-plane places {@code i, i + 1, ...} of plane p, channel c of
     * voxel v at {@code values[c * stride + from + v]}; (x, y) name its first voxel (for a plane, the plane's
     * first). A non-finite value is an error.
     */
    private void emitRun(int p, int i, float[] values, int stride, int from, int count, int x, int y) {
        for (int c = 0; c < channels; c++)
            for (int v = 0; v < count; v++) {
                float value = values[c * stride + from + v];
                if (!Float.isFinite(value)) {
                    int at = x + v + (y * width); // place in the plane from the run's first voxel
                    int vx = at % width, vy = at / width;
                    throw new IllegalStateException("network output is not finite (" + value + ") at "
                            + (nd == 3 ? "x=" + vx + ", y=" + vy + ", z=" + p : "x=" + vx + ", y=" + p));
                }
            }
        if (nd == 3)
            consumer.acceptRun(p, i, values, stride, from, count, channels);
        else
            consumer.acceptRun(0, p * width + i, values, stride, from, count, channels);
    }

    boolean isComplete() {
        return addedCount == grid.size();
    }

    int peakRows() {
        return peakLiveRows;
    }

    /** Bytes of rows' sums and weights: rows x width x (C + 1) floats. */
    long bytes(int rows) {
        return (long) rows * width * (channels + 1) * Float.BYTES;
    }

    int liveRows() {
        return liveRows;
    }
}
