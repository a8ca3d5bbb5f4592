package org.tessera.unet;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;

import org.tessera.volume.Progress;
import org.tessera.volume.tiling.Tile;
import org.tessera.volume.tiling.TileGrid;
import org.tessera.volume.tiling.TileReader;

/**
 * The tiled-inference loop every network pipeline shares: a grid's tiles are read from the normalized
 * channels, run through an {@link AdaptiveBatchRunner} and handed, in grid order, to a sink (usually a
 * {@link org.tessera.volume.tiling.Stitcher}). What comes before (normalization, tile size) and after
 * (decoding, resampling) belongs to the pipeline.
 */
public final class TiledInference {

    /** Receives one tile's network output; {@code shape} is (C_out, [D,] H, W). */
    @FunctionalInterface
    public interface TileOutputs {
        void accept(Tile tile, FloatBuffer output, long[] shape);
    }

    private final TileGrid grid;
    private final TileReader reader;
    private final long[] tensorShape;

    /**
     * @param channels     one normalized spatial image per input channel, of the grid's shape
     * @param planeByPlane whether the grid's tiles are one plane deep for a 2D network: tensors (C, H, W)
     *                     instead of (C, 1, H, W)
     */
    public TiledInference(TileGrid grid, List<? extends RandomAccessibleInterval<? extends RealType<?>>> channels,
            boolean planeByPlane) {
        this.grid = grid;
        this.reader = new TileReader(channels);
        if (!Arrays.equals(reader.shape(), grid.shape()))
            throw new IllegalArgumentException("channels of shape " + Arrays.toString(reader.shape())
                    + " for a grid over " + Arrays.toString(grid.shape()));
        this.tensorShape = tensorShape(reader.channels(), grid.tileSize(), planeByPlane);
    }

    /** The engine's input per tile: (C, [D,] H, W), spatial axes reversed from the tile's x, y[, z]. */
    private static long[] tensorShape(int channels, int[] tileXyz, boolean planeByPlane) {
        int spatial = planeByPlane ? 2 : tileXyz.length;
        long[] shape = new long[spatial + 1];
        shape[0] = channels;
        for (int i = 0; i < spatial; i++)
            shape[1 + i] = tileXyz[spatial - 1 - i];
        return shape;
    }

    public TileGrid grid() {
        return grid;
    }

    /** One tile's engine input, (C, [D,] H, W). */
    public long[] tensorShape() {
        return tensorShape.clone();
    }

    /**
     * Runs every tile of the grid and hands each output to {@code sink}, then reports the fraction of tiles
     * done. Cancellation is polled before each tile is read.
     *
     * @throws TileTooLargeException when a single tile does not fit in memory
     */
    public void run(AdaptiveBatchRunner runner, Progress progress, TileOutputs sink) {
        int n = grid.size();
        runner.run(n, tensorShape, (i, dst) -> {
            if (progress.cancelled())
                throw new Progress.CancelledException();
            reader.read(grid.get(i), dst);
        }, (i, out, shape) -> {
            sink.accept(grid.get(i), out, shape);
            progress.fraction((i + 1.0) / n);
        });
    }

    /** Tiles {@code first} .. {@code first + n - 1} read into a new buffer, as one batch of engine input. */
    public FloatBuffer read(int first, int n) {
        FloatBuffer data = Engine.allocate(n * Engine.product(tensorShape));
        for (int i = 0; i < n; i++)
            reader.read(grid.get(first + i), data);
        return data.flip();
    }
}
