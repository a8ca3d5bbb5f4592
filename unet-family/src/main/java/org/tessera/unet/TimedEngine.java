package org.tessera.unet;

import java.nio.FloatBuffer;
import java.util.List;

/** Counts the time spent in the wrapped engine, so that a pipeline can report engine time beside its total. */
public final class TimedEngine extends EngineWrapper {

    private long nanos;

    public TimedEngine(Engine engine) {
        super(engine);
    }

    /** Nanoseconds spent inside {@link #run} so far. */
    public long nanos() {
        return nanos;
    }

    @Override
    public Result run(FloatBuffer input, long[] shape) {
        long t = System.nanoTime();
        try {
            return wrapped().run(input, shape);
        } finally {
            nanos += System.nanoTime() - t;
        }
    }

    @Override
    public Result run(FloatBuffer input, long[] shape, List<String> extraOutputs) {
        long t = System.nanoTime();
        try {
            return wrapped().run(input, shape, extraOutputs);
        } finally {
            nanos += System.nanoTime() - t;
        }
    }
}
