package org.tessera.unet;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;

/**
 * Runs a network on one batch. Input and output are tensors in C order with shape (N, C, [D,] H, W).
 * Implementations are not thread-safe: one caller at a time.
 */
public interface Engine extends AutoCloseable {

    /** An output tensor: {@code data.length} is the product of {@code shape}. */
    record Result(float[] data, long[] shape) {}

    /**
     * Runs one batch.
     *
     * @param input the batch, {@code remaining()} equal to the product of {@code shape}; a direct buffer in
     *        native byte order (see {@link #allocate}) is passed to the runtime without copying
     * @param shape (N, C, [D,] H, W)
     * @throws EngineException when the runtime fails (out of memory among others; see
     *         {@link AdaptiveBatchRunner#isOutOfMemory})
     */
    Result run(FloatBuffer input, long[] shape);

    /**
     * Runs one batch and returns the main output followed by the named graph outputs, concatenated along the
     * channel axis: (N, C + C_1 + ..., [D,] H, W). Each named output must have the main output's batch and
     * spatial size. Engines that know no output names take only an empty list.
     */
    default Result run(FloatBuffer input, long[] shape, List<String> extraOutputs) {
        if (!extraOutputs.isEmpty())
            throw new UnsupportedOperationException("The engine on " + device() + " cannot return the extra outputs "
                    + extraOutputs);
        return run(input, shape);
    }

    /** Which hardware runs the network, for logs and the user: e.g. "CPU (2 threads)" or "CUDA:0". */
    String device();

    /** Largest batch the network accepts (graphs exported with a fixed batch axis accept only that). */
    default int maxBatch() {
        return Integer.MAX_VALUE;
    }

    @Override
    void close();

    /** A direct, native-order buffer of {@code floats} values, the kind {@link #run} uses without copying. */
    static FloatBuffer allocate(long floats) {
        if (floats > Integer.MAX_VALUE / Float.BYTES)
            throw new IllegalArgumentException(floats + " floats do not fit one buffer (2 GB); use smaller tiles");
        return ByteBuffer.allocateDirect((int) floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    static long product(long[] shape) {
        long n = 1;
        for (long s : shape)
            n = Math.multiplyExact(n, s);
        return n;
    }
}
