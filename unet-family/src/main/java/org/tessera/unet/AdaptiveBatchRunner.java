package org.tessera.unet;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

import org.tessera.volume.Progress;

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
    private final boolean overlapped;
    private int batchSize;

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
        this(engine, maxBatch, log, extraOutputs, true);
    }

    /** @param overlapped whether tile reading and delivery overlap the engine's work (see {@link #run}) */
    public AdaptiveBatchRunner(Engine engine, int maxBatch, Consumer<String> log, List<String> extraOutputs,
            boolean overlapped) {
        if (maxBatch < 1)
            throw new IllegalArgumentException("The batch size must be at least 1, not " + maxBatch);
        this.engine = engine;
        this.batchSize = Math.min(maxBatch, engine.maxBatch());
        this.log = log == null ? s -> { } : log;
        this.extraOutputs = List.copyOf(extraOutputs);
        this.overlapped = overlapped;
    }

    public AdaptiveBatchRunner(Engine engine, int maxBatch) {
        this(engine, maxBatch, null);
    }

    /** The batch size the next batch will use. */
    public int batchSize() {
        return batchSize;
    }

    /**
     * Runs tiles 0 .. {@code tiles - 1}. With {@link #overlapped} (the default), one worker thread reads the
     * next batch and hands the last batch's outputs to the sink while the engine computes the current batch;
     * the sink still sees the tiles in order, from that one thread, and the outputs are those of a sequential run.
     *
     * @param tileShape one tile's shape (C, [D,] H, W)
     * @throws TileTooLargeException when a single tile does not fit in memory
     */
    public void run(int tiles, long[] tileShape, TileSource source, TileSink sink) {
        if (!overlapped) {
            runSequentially(tiles, tileShape, source, sink);
            return;
        }
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "tessera-tiles");
            t.setDaemon(true);
            return t;
        });
        long tileSize = Engine.product(tileShape);
        Future<?> delivered = CompletableFuture.completedFuture(null);
        try {
            FloatBuffer[] buffers = new FloatBuffer[2];
            int current = 0;
            Future<FloatBuffer> prefetched = null; // tiles [next, next + prefetchedCount) read into buffers[current]
            int prefetchedCount = 0;
            int next = 0;
            while (next < tiles) {
                int n = Math.min(batchSize, tiles - next);
                FloatBuffer batch;
                if (prefetched != null && prefetchedCount == n) {
                    batch = await(prefetched);
                } else {
                    if (prefetched != null)
                        await(prefetched); // read for a larger batch: its buffer is read again below
                    batch = fill(buffers, current, next, n, tileSize, source);
                }
                prefetched = null;
                int after = next + n;
                if (after < tiles) { // read the next batch into the other buffer while the engine works
                    int first = after, count = Math.min(batchSize, tiles - after), other = 1 - current;
                    prefetched = worker.submit(() -> fill(buffers, other, first, count, tileSize, source));
                    prefetchedCount = count;
                }
                Engine.Result result;
                try {
                    result = engine.run(batch, shape(n, tileShape), extraOutputs);
                } catch (RuntimeException | OutOfMemoryError e) {
                    if (!isOutOfMemory(e))
                        throw e;
                    if (prefetched != null)
                        await(prefetched);
                    prefetched = null;
                    await(delivered);
                    if (n == 1)
                        throw new TileTooLargeException(tileShape, next, engine.device(), e);
                    shrink(n);
                    buffers[0] = buffers[1] = null;
                    continue;
                }
                int first = next;
                delivered = worker.submit(() -> deliver(first, n, result, sink));
                next = after;
                current = 1 - current;
            }
            await(delivered);
        } catch (RuntimeException | Error e) {
            // the batches that succeeded reach the sink, as in a sequential run, before the failure goes up
            try {
                await(delivered);
            } catch (RuntimeException | Error ignored) {
                e.addSuppressed(ignored);
            }
            throw e;
        } finally {
            worker.shutdownNow();
        }
    }

    private void runSequentially(int tiles, long[] tileShape, TileSource source, TileSink sink) {
        long tileSize = Engine.product(tileShape);
        FloatBuffer[] buffers = new FloatBuffer[1];
        int next = 0;
        while (next < tiles) {
            int n = Math.min(batchSize, tiles - next);
            Engine.Result result;
            try {
                result = engine.run(fill(buffers, 0, next, n, tileSize, source), shape(n, tileShape), extraOutputs);
            } catch (RuntimeException | OutOfMemoryError e) {
                if (!isOutOfMemory(e))
                    throw e;
                if (n == 1)
                    throw new TileTooLargeException(tileShape, next, engine.device(), e);
                shrink(n);
                buffers[0] = null; // let a large buffer go before retrying
                continue;
            }
            deliver(next, n, result, sink);
            next += n;
        }
    }

    private void shrink(int n) {
        batchSize = n / 2;
        log.accept("Out of memory with a batch of " + n + " tiles on " + engine.device() + "; retrying with " + batchSize);
    }

    /** Tiles [first, first + n) written into buffers[slot] (grown when too small); the filled part. */
    private static FloatBuffer fill(FloatBuffer[] buffers, int slot, int first, int n, long tileSize, TileSource source) {
        long total = n * tileSize;
        if (buffers[slot] == null || buffers[slot].capacity() < total)
            buffers[slot] = Engine.allocate(total);
        FloatBuffer batch = buffers[slot].duplicate().clear().limit((int) total).slice();
        for (int i = 0; i < n; i++) {
            FloatBuffer dst = batch.duplicate().position((int) (i * tileSize)).limit((int) ((i + 1) * tileSize)).slice();
            source.write(first + i, dst);
        }
        return batch;
    }

    private static long[] shape(int n, long[] tileShape) {
        long[] shape = new long[tileShape.length + 1];
        shape[0] = n;
        System.arraycopy(tileShape, 0, shape, 1, tileShape.length);
        return shape;
    }

    /** The worker's result, its failure rethrown as it was thrown (a cancellation, a bad tile, an error). */
    private static <T> T await(Future<T> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r)
                throw r;
            if (cause instanceof Error err)
                throw err;
            throw new IllegalStateException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Progress.CancelledException();
        }
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
