package org.tessera.volume.tiling;

import java.nio.FloatBuffer;
import java.util.Arrays;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.img.basictypeaccess.array.ShortArray;
import net.imglib2.img.planar.PlanarImg;
import net.imglib2.img.planar.PlanarImgs;
import net.imglib2.type.numeric.IntegerType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.FloatType;

import org.tessera.volume.InvalidInputException;

/**
 * Combines the network outputs of a {@link TileGrid}'s tiles into a label image and, when asked, a
 * probability image.
 *
 * <p>Each tile's output is a float array in ONNX C order (C, [D,] H, W) over the whole tile, C the
 * number of output channels. In {@link TileMode#GAUSSIAN} mode outputs are accumulated as
 * sum(out * w) and sum(w) with an importance map w and averaged; in {@link TileMode#HALO} mode only the
 * tile's core is used, each voxel exactly once. Labels and probabilities follow the {@link OutputKind}.
 * {@link #maps} stitches float maps that are not class scores (e.g. attention coefficients) the same way,
 * without labels.
 *
 * <p>Memory: the Gaussian accumulators (C + 1 floats per voxel) exist only for slabs (planes along the
 * last spatial axis, z in 3D, y in 2D) that some added tile touched and some tile still to come touches.
 * A plane is finished (labels written, accumulators freed) as soon as its last tile has been added, so
 * tiles fed in the grid's order keep about one tile-depth of planes alive; {@link #peakAccumulatorBytes()}
 * reports the high-water mark. Any order gives the same result, only with more planes alive. Halo mode
 * needs no accumulators.
 *
 * <p>Threads: {@link #add} is synchronized, so tiles may come from several threads, but the memory bound
 * holds only when they arrive roughly in grid order; the usual use is one thread adding tiles in order.
 * Read the outputs after {@link #isComplete()}.
 */
public final class Stitcher {

    private final TileGrid grid;
    private final int channels;
    private final OutputKind kind;
    private final float[] importance;
    private final int nd;
    private final int width;      // x
    private final int height;     // y in 3D, 1 in 2D
    private final int planes;     // size along the last spatial axis
    private final int planeVoxels;

    private final int[] pending;
    private final float[][] acc;
    private final float[][] weights;
    private final boolean[] added;
    private int addedCount;
    private int livePlanes;
    private int peakLivePlanes;

    private final PlanarImg<UnsignedByteType, ByteArray> labels8;
    private final PlanarImg<UnsignedShortType, ShortArray> labels16;
    private final PlanarImg<FloatType, FloatArray> probabilities;
    private final PlanarImg<FloatType, FloatArray> outputs;

    private final float[] values;
    private final float[] probs;

    /**
     * A stitcher with nnU-Net's Gaussian importance map in Gaussian mode.
     *
     * @param channels      output channels of the network
     * @param probabilities whether to also keep a probability image (C x 4 bytes per voxel, whole volume)
     */
    public Stitcher(TileGrid grid, int channels, OutputKind kind, boolean probabilities) {
        this(grid, channels, kind, probabilities, null);
    }

    /**
     * @param importance weights per tile voxel in tile C order ({@link ImportanceMap}), all positive; null
     *                   for nnU-Net's Gaussian. Ignored in halo mode.
     */
    public Stitcher(TileGrid grid, int channels, OutputKind kind, boolean probabilities, float[] importance) {
        this(grid, channels, kind, probabilities, importance, false);
    }

    /**
     * @param importance  as in {@link #Stitcher(TileGrid, int, OutputKind, boolean, float[])}
     * @param keepOutputs also keep the stitched raw network outputs (in Gaussian mode the weighted averages,
     *                    e.g. logits before softmax; in halo mode the cores), C x 4 bytes per voxel, whole
     *                    volume: see {@link #outputs()}
     */
    public Stitcher(TileGrid grid, int channels, OutputKind kind, boolean probabilities, float[] importance,
            boolean keepOutputs) {
        this.grid = grid;
        this.channels = channels;
        this.kind = kind;
        if (kind == null && (probabilities || !keepOutputs))
            throw new IllegalArgumentException("no output kind: for maps without labels use Stitcher.maps");
        if (channels < 1)
            throw new InvalidInputException("the network has " + channels + " output channels; it needs at least 1");
        if ((kind == OutputKind.LOGITS || kind == OutputKind.PROBABILITIES) && channels < 2)
            throw new InvalidInputException("output kind " + kind.name().toLowerCase() + " needs one channel per class "
                    + "(at least 2, background included); a single foreground channel is output kind sigmoid");
        int labelCount = kind == null ? 0 : kind.labelCount(channels);
        if (labelCount > 65536)
            throw new InvalidInputException(labelCount + " classes do not fit in 16-bit labels; at most 65536 work");
        long[] shape = grid.shape();
        nd = shape.length;
        int[] tile = grid.tileSize();
        int tileVoxels = 1;
        for (int s : tile)
            tileVoxels *= s;
        if (grid.mode() == TileMode.GAUSSIAN) {
            this.importance = importance == null ? ImportanceMap.gaussian(tile) : importance.clone();
            if (this.importance.length != tileVoxels)
                throw new IllegalArgumentException("importance map has " + this.importance.length + " values; the tile has "
                        + tileVoxels);
            for (float w : this.importance)
                if (!(w > 0) || Float.isInfinite(w))
                    throw new IllegalArgumentException("importance weights must be positive and finite");
        } else {
            this.importance = null;
        }
        width = Math.toIntExact(shape[0]);
        height = nd == 3 ? Math.toIntExact(shape[1]) : 1;
        planes = Math.toIntExact(shape[nd - 1]);
        planeVoxels = Math.multiplyExact(width, height);
        if (nd == 2)
            Math.multiplyExact(planeVoxels, planes); // 2D outputs are one plane

        pending = new int[planes];
        for (Tile t : grid)
            for (int k = 0; k < t.writeSize(nd - 1); k++)
                pending[(int) t.writeMin(nd - 1) + k]++;
        acc = new float[planes][];
        weights = new float[planes][];
        added = new boolean[grid.size()];

        if (kind == null) {
            labels8 = null;
            labels16 = null;
        } else if (labelCount <= 256) {
            labels8 = PlanarImgs.unsignedBytes(shape);
            labels16 = null;
        } else {
            labels8 = null;
            labels16 = PlanarImgs.unsignedShorts(shape);
        }
        if (probabilities) {
            long[] dims = Arrays.copyOf(shape, nd + 1);
            dims[nd] = channels;
            this.probabilities = PlanarImgs.floats(dims);
        } else {
            this.probabilities = null;
        }
        if (keepOutputs) {
            long[] dims = Arrays.copyOf(shape, nd + 1);
            dims[nd] = channels;
            this.outputs = PlanarImgs.floats(dims);
        } else {
            this.outputs = null;
        }
        values = new float[channels];
        probs = new float[channels];
    }

    /**
     * A stitcher for float maps with {@code channels} channels that are not class scores (e.g. attention
     * coefficients): tiles are combined exactly as class outputs are (Gaussian-weighted average or halo core),
     * no labels are made, and the result is {@link #outputs()}.
     */
    public static Stitcher maps(TileGrid grid, int channels) {
        return new Stitcher(grid, channels, null, false, null, true);
    }

    public TileGrid grid() { return grid; }

    public int channels() { return channels; }

    /** What the channels mean; null for a stitcher of {@link #maps}. */
    public OutputKind kind() { return kind; }

    /** Adds one tile's output, (C, [D,] H, W) order, starting at {@code offset} (e.g. its place in a batch). */
    public synchronized void add(Tile tile, float[] output, int offset) {
        checkTile(tile);
        int tileVoxels = tile.voxels();
        if (offset < 0 || output.length - offset < channels * tileVoxels)
            throw new IllegalArgumentException("output holds " + (output.length - offset) + " floats from offset " + offset
                    + "; a tile of " + channels + " channels needs " + channels * tileVoxels);
        added[tile.index()] = true;
        addedCount++;
        if (grid.mode() == TileMode.GAUSSIAN)
            accumulate(tile, output, offset);
        else
            copyCore(tile, output, offset);
        int first = (int) tile.writeMin(nd - 1);
        for (int k = 0; k < tile.writeSize(nd - 1); k++) {
            int p = first + k;
            if (--pending[p] == 0 && grid.mode() == TileMode.GAUSSIAN)
                finish(p);
        }
    }

    /** Adds one tile's output. */
    public void add(Tile tile, float[] output) {
        add(tile, output, 0);
    }

    /** Adds one tile's output read from the buffer's position (relative get; the position advances). */
    public void add(Tile tile, FloatBuffer output) {
        float[] copy = new float[channels * tile.voxels()];
        output.get(copy);
        add(tile, copy, 0);
    }

    private void checkTile(Tile tile) {
        if (tile.index() < 0 || tile.index() >= grid.size()
                || !Arrays.equals(grid.get(tile.index()).min(), tile.min())
                || !Arrays.equals(grid.get(tile.index()).size(), tile.size()))
            throw new IllegalArgumentException(tile + " is not a tile of this stitcher's grid");
        if (added[tile.index()])
            throw new IllegalStateException(tile + " was already added");
    }

    // tile geometry in the (x, y', last) frame: y' is y in 3D and a unit axis in 2D
    private int tw(Tile t) { return t.size(0); }
    private int th(Tile t) { return nd == 3 ? t.size(1) : 1; }

    private void accumulate(Tile tile, float[] out, int offset) {
        int tw = tw(tile), th = th(tile), tVox = tile.voxels();
        int x0 = (int) tile.writeMin(0), nx = tile.writeSize(0);
        int y0 = nd == 3 ? (int) tile.writeMin(1) : 0, ny = nd == 3 ? tile.writeSize(1) : 1;
        int p0 = (int) tile.writeMin(nd - 1), np = tile.writeSize(nd - 1);
        int lx0 = (int) (x0 - tile.min(0));
        int ly0 = nd == 3 ? (int) (y0 - tile.min(1)) : 0;
        int lp0 = (int) (p0 - tile.min(nd - 1));
        for (int k = 0; k < np; k++) {
            int p = p0 + k;
            if (acc[p] == null) {
                acc[p] = new float[channels * planeVoxels];
                weights[p] = new float[planeVoxels];
                peakLivePlanes = Math.max(peakLivePlanes, ++livePlanes);
            }
            float[] a = acc[p], w = weights[p];
            for (int j = 0; j < ny; j++) {
                int tRow = ((lp0 + k) * th + ly0 + j) * tw + lx0;
                int pRow = (y0 + j) * width + x0;
                for (int i = 0; i < nx; i++)
                    w[pRow + i] += importance[tRow + i];
                for (int c = 0; c < channels; c++) {
                    int src = offset + c * tVox + tRow;
                    int dst = c * planeVoxels + pRow;
                    for (int i = 0; i < nx; i++)
                        a[dst + i] += out[src + i] * importance[tRow + i];
                }
            }
        }
    }

    private void finish(int p) {
        float[] a = acc[p], w = weights[p];
        for (int i = 0; i < planeVoxels; i++) {
            float weight = w[i];
            for (int c = 0; c < channels; c++)
                values[c] = a[c * planeVoxels + i] / weight;
            store(p, i, i % width, i / width);
        }
        acc[p] = null;
        weights[p] = null;
        livePlanes--;
    }

    private void copyCore(Tile tile, float[] out, int offset) {
        int tw = tw(tile), th = th(tile), tVox = tile.voxels();
        int x0 = (int) tile.writeMin(0), nx = tile.writeSize(0);
        int y0 = nd == 3 ? (int) tile.writeMin(1) : 0, ny = nd == 3 ? tile.writeSize(1) : 1;
        int p0 = (int) tile.writeMin(nd - 1), np = tile.writeSize(nd - 1);
        int lx0 = (int) (x0 - tile.min(0));
        int ly0 = nd == 3 ? (int) (y0 - tile.min(1)) : 0;
        int lp0 = (int) (p0 - tile.min(nd - 1));
        for (int k = 0; k < np; k++)
            for (int j = 0; j < ny; j++) {
                int tRow = ((lp0 + k) * th + ly0 + j) * tw + lx0;
                int pRow = (y0 + j) * width + x0;
                for (int i = 0; i < nx; i++) {
                    for (int c = 0; c < channels; c++)
                        values[c] = out[offset + c * tVox + tRow + i];
                    store(p0 + k, pRow + i, x0 + i, y0 + j);
                }
            }
    }

    /** Turns {@link #values} at plane p, in-plane index i, into a label (and probabilities). */
    private void store(int p, int i, int x, int y) {
        int planeIndex = nd == 3 ? p : 0;
        int at = nd == 3 ? i : p * width + i;
        if (kind == null) { // maps: the values as they are
            for (int c = 0; c < channels; c++) {
                checkFinite(values[c], x, y, p);
                outputs.getPlane(nd == 3 ? p + planes * c : c).getCurrentStorageArray()[at] = values[c];
            }
            return;
        }
        int label;
        switch (kind) {
        case LOGITS: {
            float max = Float.NEGATIVE_INFINITY;
            int arg = 0;
            for (int c = 0; c < channels; c++) {
                checkFinite(values[c], x, y, p);
                if (values[c] > max) {
                    max = values[c];
                    arg = c;
                }
            }
            label = arg;
            if (probabilities != null) {
                double sum = 0;
                for (int c = 0; c < channels; c++) {
                    probs[c] = (float) Math.exp(values[c] - max);
                    sum += probs[c];
                }
                for (int c = 0; c < channels; c++)
                    probs[c] = (float) (probs[c] / sum);
            }
            break;
        }
        case PROBABILITIES: {
            float max = Float.NEGATIVE_INFINITY;
            int arg = 0;
            for (int c = 0; c < channels; c++) {
                checkFinite(values[c], x, y, p);
                probs[c] = values[c];
                if (values[c] > max) {
                    max = values[c];
                    arg = c;
                }
            }
            label = arg;
            break;
        }
        default: {
            label = 0;
            for (int c = 0; c < channels; c++) {
                checkFinite(values[c], x, y, p);
                probs[c] = (float) (1 / (1 + Math.exp(-values[c])));
                if (probs[c] > 0.5f)
                    label = c + 1;
            }
        }
        }
        if (labels8 != null)
            labels8.getPlane(planeIndex).getCurrentStorageArray()[at] = (byte) label;
        else
            labels16.getPlane(planeIndex).getCurrentStorageArray()[at] = (short) label;
        if (probabilities != null)
            for (int c = 0; c < channels; c++)
                probabilities.getPlane(nd == 3 ? p + planes * c : c).getCurrentStorageArray()[at] = probs[c];
        if (outputs != null)
            for (int c = 0; c < channels; c++)
                outputs.getPlane(nd == 3 ? p + planes * c : c).getCurrentStorageArray()[at] = values[c];
    }

    private void checkFinite(float v, int x, int y, int p) {
        if (!Float.isFinite(v))
            throw new IllegalStateException("network output is not finite (" + v + ") at "
                    + (nd == 3 ? "x=" + x + ", y=" + y + ", z=" + p : "x=" + x + ", y=" + p));
    }

    /** Whether every tile of the grid has been added. */
    public synchronized boolean isComplete() { return addedCount == grid.size(); }

    /** Tiles added so far. */
    public synchronized int addedTiles() { return addedCount; }

    /**
     * The label image, spatial x, y[, z]: UnsignedByteType, or UnsignedShortType beyond 256 labels. Planes
     * along the last axis are final once their tiles are in; complete after {@link #isComplete()}.
     */
    public RandomAccessibleInterval<? extends IntegerType<?>> labels() {
        if (kind == null)
            throw new IllegalStateException("a stitcher of maps makes no labels; read outputs()");
        return labels8 != null ? labels8 : labels16;
    }

    /** Probabilities, x, y[, z], channel last (softmax, the averaged probabilities, or sigmoid per channel). */
    public RandomAccessibleInterval<FloatType> probabilities() {
        if (probabilities == null)
            throw new IllegalStateException("this stitcher was made without probabilities; ask for them when creating it");
        return probabilities;
    }

    /**
     * The stitched raw network outputs, x, y[, z], channel last: per voxel the importance-weighted average of
     * the tiles' outputs (Gaussian mode) or the core's output (halo mode), before any softmax or sigmoid.
     */
    public RandomAccessibleInterval<FloatType> outputs() {
        if (outputs == null)
            throw new IllegalStateException("this stitcher was made without keeping outputs; ask for them when creating it");
        return outputs;
    }

    /** Highest number of planes whose accumulators were alive at once. */
    public synchronized int peakAccumulatorPlanes() { return peakLivePlanes; }

    /** Bytes of accumulators at their high-water mark: planes x voxels per plane x (C + 1) floats. */
    public synchronized long peakAccumulatorBytes() {
        return (long) peakLivePlanes * planeVoxels * (channels + 1) * Float.BYTES;
    }

    /** Bytes of accumulators alive now. */
    public synchronized long accumulatorBytes() {
        return (long) livePlanes * planeVoxels * (channels + 1) * Float.BYTES;
    }
}
