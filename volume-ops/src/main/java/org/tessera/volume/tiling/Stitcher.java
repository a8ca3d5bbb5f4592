package org.tessera.volume.tiling;

import java.nio.FloatBuffer;
import java.util.Objects;
import java.util.stream.Stream;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.IntegerType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.FloatType;

import org.tessera.volume.InvalidInputException;

/**
 * Combines the network outputs of a {@link TileGrid}'s tiles into whole-volume images: labels, probabilities
 * and the raw combined values, whichever {@link #builder} was asked for.
 *
 * <pre>
 * Stitcher classes = Stitcher.builder(grid, channels).kind(OutputKind.LOGITS).labels().probabilities().build();
 * Stitcher maps = Stitcher.builder(grid, gates).outputs().build();   // e.g. attention coefficients
 * </pre>
 *
 * <p>Each tile's output is a float array in ONNX C order (C, [D,] H, W) over the whole tile, C the number of
 * output channels. A {@link TileAccumulator} combines them (Gaussian-weighted average or halo core) and hands
 * each finished voxel to the decoders: labels and probabilities follow the {@link OutputKind}.
 *
 * <p>Memory: the Gaussian accumulators (C + 1 floats per voxel) exist only for slabs (planes along the last
 * spatial axis, z in 3D, y in 2D) that some added tile touched and some tile still to come touches. A plane
 * is finished (decoded, accumulators freed) as soon as its last tile has been added, so tiles fed in the
 * grid's order keep about one tile-depth of planes alive; {@link #peakAccumulatorBytes()} reports the
 * high-water mark. Any order gives the same result, only with more planes alive. Halo mode needs no
 * accumulators. Labels (1 or 2 bytes per voxel), probabilities and outputs (C x 4 bytes each) are whole-volume.
 *
 * <p>Threads: {@link #add} is synchronized, so tiles may come from several threads, but the memory bound
 * holds only when they arrive roughly in grid order; the usual use is one thread adding tiles in order.
 * Read the outputs after {@link #isComplete()}.
 */
public final class Stitcher {

    private final TileGrid grid;
    private final int channels;
    private final TileAccumulator accumulator;
    private final LabelDecoder labels;
    private final ProbabilityDecoder probabilities;
    private final ChannelImage outputs;

    private Stitcher(Builder b) {
        grid = b.grid;
        channels = b.channels;
        long[] shape = grid.shape();
        labels = b.labels ? new LabelDecoder(shape, channels, b.kind) : null;
        probabilities = b.probabilities ? new ProbabilityDecoder(shape, channels, b.kind) : null;
        outputs = b.outputs ? new ChannelImage(shape, channels) : null;
        VoxelConsumer[] each = Stream.of(labels, probabilities, outputs).filter(Objects::nonNull)
                .toArray(VoxelConsumer[]::new);
        accumulator = new TileAccumulator(grid, channels, b.importance, new VoxelConsumer() {
            @Override
            public void accept(int slice, int at, float[] values) {
                for (VoxelConsumer c : each)
                    c.accept(slice, at, values);
            }

            @Override
            public void acceptRun(int slice, int at, float[] values, int stride, int from, int count, int channels) {
                for (VoxelConsumer c : each)
                    c.acceptRun(slice, at, values, stride, from, count, channels);
            }
        });
    }

    /** A stitcher of a network's {@code channels} output channels over the grid's tiles. */
    public static Builder builder(TileGrid grid, int channels) {
        return new Builder(grid, channels);
    }

    /** Chooses what a {@link Stitcher} makes; at least one of labels, probabilities and outputs. */
    public static final class Builder {

        private final TileGrid grid;
        private final int channels;
        private OutputKind kind;
        private float[] importance;
        private boolean labels;
        private boolean probabilities;
        private boolean outputs;

        private Builder(TileGrid grid, int channels) {
            this.grid = grid;
            this.channels = channels;
        }

        /** What the channels mean; needed for labels and probabilities. */
        public Builder kind(OutputKind kind) {
            this.kind = kind;
            return this;
        }

        /**
         * Weights per tile voxel in tile C order ({@link ImportanceMap}), all positive; by default nnU-Net's
         * Gaussian. Ignored in halo mode.
         */
        public Builder importance(float[] importance) {
            this.importance = importance.clone();
            return this;
        }

        /** Make a label image: {@link Stitcher#labels()}. */
        public Builder labels() {
            labels = true;
            return this;
        }

        /** Make a probability image: {@link Stitcher#probabilities()}. */
        public Builder probabilities() {
            probabilities = true;
            return this;
        }

        /** Keep the combined values as they are (e.g. logits before softmax, or maps): {@link Stitcher#outputs()}. */
        public Builder outputs() {
            outputs = true;
            return this;
        }

        public Stitcher build() {
            if (kind == null && (labels || probabilities))
                throw new IllegalArgumentException("labels and probabilities need an output kind; for maps without "
                        + "labels ask for outputs() only");
            if (!labels && !probabilities && !outputs)
                throw new IllegalArgumentException("a stitcher needs something to make: labels(), probabilities() or "
                        + "outputs()");
            if (channels < 1)
                throw new InvalidInputException("the network has " + channels + " output channels; it needs at least 1");
            if (kind != null)
                checkKind();
            return new Stitcher(this);
        }

        private void checkKind() {
            if ((kind == OutputKind.LOGITS || kind == OutputKind.PROBABILITIES) && channels < 2)
                throw new InvalidInputException("output kind " + kind.name().toLowerCase() + " needs one channel per "
                        + "class (at least 2, background included); a single foreground channel is output kind sigmoid");
            int labelCount = kind.labelCount(channels);
            if (labelCount > 65536)
                throw new InvalidInputException(labelCount + " classes do not fit in 16-bit labels; at most 65536 work");
        }
    }

    public TileGrid grid() { return grid; }

    /** The voxel type of {@link #labels()} for {@code channels} outputs of this kind (before any tile is in). */
    public static IntegerType<?> labelType(OutputKind kind, int channels) {
        return LabelDecoder.wide(kind, channels) ? new UnsignedShortType() : new UnsignedByteType();
    }

    /** Adds one tile's output, (C, [D,] H, W) order, starting at {@code offset} (e.g. its place in a batch). */
    public synchronized void add(Tile tile, float[] output, int offset) {
        accumulator.add(tile, output, offset);
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

    /** Whether every tile of the grid has been added. */
    public synchronized boolean isComplete() { return accumulator.isComplete(); }

    /**
     * The label image, spatial x, y[, z]: UnsignedByteType, or UnsignedShortType beyond 256 labels. Planes
     * along the last axis are final once their tiles are in; complete after {@link #isComplete()}.
     */
    public RandomAccessibleInterval<? extends IntegerType<?>> labels() {
        if (labels == null)
            throw new IllegalStateException("this stitcher makes no labels; ask its builder for labels()");
        return labels.image();
    }

    /** Probabilities, x, y[, z], channel last (softmax, the averaged probabilities, or sigmoid per channel). */
    public RandomAccessibleInterval<FloatType> probabilities() {
        if (probabilities == null)
            throw new IllegalStateException("this stitcher makes no probabilities; ask its builder for probabilities()");
        return probabilities.image();
    }

    /**
     * The combined raw network outputs, x, y[, z], channel last: per voxel the importance-weighted average of
     * the tiles' outputs (Gaussian mode) or the core's output (halo mode), before any softmax or sigmoid.
     */
    public RandomAccessibleInterval<FloatType> outputs() {
        if (outputs == null)
            throw new IllegalStateException("this stitcher keeps no outputs; ask its builder for outputs()");
        return outputs.image();
    }

    /** Highest number of rows (along x) whose accumulators were alive at once. */
    public synchronized int peakAccumulatorRows() { return accumulator.peakRows(); }

    /** Bytes of accumulators at their high-water mark: rows x width x (C + 1) floats. */
    public synchronized long peakAccumulatorBytes() {
        return accumulator.bytes(accumulator.peakRows());
    }

    /** Bytes of accumulators alive now. */
    public synchronized long accumulatorBytes() {
        return accumulator.bytes(accumulator.liveRows());
    }
}
