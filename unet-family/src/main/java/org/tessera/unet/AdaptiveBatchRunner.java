package org.tessera.unet;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Runs a sequence of equally shaped tiles through an {@link Engine} in batches, shrinking the batch when memory
 * runs out.
 * <p>
 * Contract:
 * <ul>
 * <li>Tiles go to the sink strictly in index order, each exactly once, and only after their batch succeeded.</li>
 * <li>On an out-of-memory failure (see {@link #isOutOfMemory}) the failed batch is retried with half as many
 * tiles; the smaller batch size is kept for the rest of the run and readable via {@link #batchSize()}.</li>
 * <li>When a batch of one tile runs out of memory, {@link TileTooLargeException} is thrown. Tiles
 * [0, {@code tilesDone()}) have been delivered; the caller halves the tile size, re-plans and runs again.</li>
 * <li>Any other failure propagates unchanged, with no retry.</li>
 * </ul>
 */
public final class AdaptiveBatchRunner {

    /** Writes tile {@code tile} into {@code dst}: exactly C x spatial values, C order, starting at position 0. */
    @FunctionalInterface
    public interface TileSource {
        void write(int tile, FloatBuffer dst);
    }

    /** Receives the network output of tile {@code tile}; {@code shape} is (C_out, [D,] H, W). */
    @FunctionalInterface
    public interface TileSink {
        void accept(int tile, FloatBuffer output, long[] shape);
    }

    private final Engine engine;
    private final Consumer<String> log;
    private final List<String> extraOutputs;
    private int batchSize;
    private FloatBuffer buffer;

    /**
     * @param maxBatch the first batch size tried (capped by {@link Engine#maxBatch()})
     * @param log receives one line each time the batch shrinks; may be null
     */
    public AdaptiveBatchRunner(Engine engine, int maxBatch, Consumer<String> log) {
        this(engine, maxBatch, log, List.of());
    }

    /**
     * @param extraOutputs graph outputs delivered after the main one, concatenated along the channel axis (see
     *                     {@link Engine#run(FloatBuffer, long[], List)})
     */
    public AdaptiveBatchRunner(Engine engine, int maxBatch, Consumer<String> log, List<String> extraOutputs) {
        if (maxBatch < 1)
            throw new IllegalArgumentException("The batch size must be at least 1, not " + maxBatch);
        this.engine = engine;
        this.batchSize = Math.min(maxBatch, engine.maxBatch());
        this.log = log == null ? s -> { } : log;
        this.extraOutputs = List.copyOf(extraOutputs);
    }

    public AdaptiveBatchRunner(Engine engine, int maxBatch) {
        this(engine, maxBatch, null);
    }

    /** The batch size the next batch will use. */
    public int batchSize() {
        return batchSize;
    }

    /**
     * Runs tiles 0 .. {@code tiles - 1}.
     *
     * @param tileShape one tile's shape (C, [D,] H, W)
     * @throws TileTooLargeException when a single tile does not fit in memory
     */
    public void run(int tiles, long[] tileShape, TileSource source, TileSink sink) {
        long tileSize = Engine.product(tileShape);
        int next = 0;
        while (next < tiles) {
            int n = Math.min(batchSize, tiles - next);
            Engine.Result result;
            try {
                result = runBatch(next, n, tileShape, tileSize, source);
            } catch (RuntimeException | OutOfMemoryError e) {
                if (!isOutOfMemory(e))
                    throw e;
                if (n == 1)
                    throw new TileTooLargeException(tileShape, next, engine.device(), e);
                batchSize = n / 2;
                buffer = null; // let a large buffer go before retrying
                log.accept("Out of memory with a batch of " + n + " tiles on " + engine.device()
                        + "; retrying with " + batchSize);
                continue;
            }
            deliver(next, n, result, sink);
            next += n;
        }
    }

    private Engine.Result runBatch(int first, int n, long[] tileShape, long tileSize, TileSource source) {
        long total = n * tileSize;
        if (buffer == null || buffer.capacity() < total)
            buffer = Engine.allocate(total);
        FloatBuffer batch = buffer.duplicate().clear().limit((int) total).slice();
        for (int i = 0; i < n; i++) {
            FloatBuffer dst = batch.duplicate().position((int) (i * tileSize)).limit((int) ((i + 1) * tileSize)).slice();
            source.write(first + i, dst);
        }
        long[] shape = new long[tileShape.length + 1];
        shape[0] = n;
        System.arraycopy(tileShape, 0, shape, 1, tileShape.length);
        return engine.run(batch, shape, extraOutputs);
    }

    private static void deliver(int first, int n, Engine.Result result, TileSink sink) {
        long[] shape = result.shape();
        if (shape.length < 2 || shape[0] != n)
            throw new IllegalStateException("The engine returned shape " + java.util.Arrays.toString(shape)
                    + " for a batch of " + n);
        long[] tileShape = java.util.Arrays.copyOfRange(shape, 1, shape.length);
        int perTile = (int) Engine.product(tileShape);
        for (int i = 0; i < n; i++)
            sink.accept(first + i, FloatBuffer.wrap(result.data(), i * perTile, perTile).slice().asReadOnlyBuffer(),
                    tileShape.clone());
    }

    /**
     * True when {@code t} or one of its causes is an {@link OutOfMemoryError} or an ONNX Runtime failure whose
     * message says memory ran out ("out of memory", "Failed to allocate", CUDA error 2).
     */
    public static boolean isOutOfMemory(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof OutOfMemoryError)
                return true;
            String m = c.getMessage();
            if (m == null)
                continue;
            m = m.toLowerCase(Locale.ROOT);
            if (m.contains("out of memory") || m.contains("failed to allocate") || m.contains("cuda error 2")
                    || m.contains("cuda failure 2:") || m.contains("cudaerrormemoryallocation"))
                return true;
        }
        return false;
    }
}
