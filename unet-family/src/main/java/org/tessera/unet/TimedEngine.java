package org.tessera.unet;

import java.nio.FloatBuffer;
import java.util.List;

/**
 * Counts the time spent in the wrapped engine, so that a pipeline can report engine time beside its total.
 * Closing it leaves the wrapped engine open: its owner closes that.
 */
public final class TimedEngine implements Engine {

    private final Engine engine;
    private long nanos;

    public TimedEngine(Engine engine) {
        this.engine = engine;
    }

    /** Nanoseconds spent inside {@link #run} so far. */
    public long nanos() {
        return nanos;
    }

    @Override
    public Result run(FloatBuffer input, long[] shape) {
        long t = System.nanoTime();
        try {
            return engine.run(input, shape);
        } finally {
            nanos += System.nanoTime() - t;
        }
    }

    @Override
    public Result run(FloatBuffer input, long[] shape, List<String> extraOutputs) {
        long t = System.nanoTime();
        try {
            return engine.run(input, shape, extraOutputs);
        } finally {
            nanos += System.nanoTime() - t;
        }
    }

    @Override
    public String device() {
        return engine.device();
    }

    @Override
    public int maxBatch() {
        return engine.maxBatch();
    }

    @Override
    public void close() {
    }
}
