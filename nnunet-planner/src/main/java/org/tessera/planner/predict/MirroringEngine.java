package org.tessera.planner.predict;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.tessera.unet.Engine;
import org.tessera.unet.EngineWrapper;

/**
 * nnU-Net's mirroring test-time augmentation as an engine: each batch runs as given and once flipped along
 * every non-empty subset of the mirror axes (in nnU-Net's order: single axes, then pairs, ...); each output
 * is flipped back and the mean of all passes returned. Out-of-memory failures of the wrapped engine pass
 * through unchanged, so {@link org.tessera.unet.AdaptiveBatchRunner} shrinks batches as usual.
 */
public final class MirroringEngine extends EngineWrapper {

    private final List<int[]> combinations;

    /**
     * @param mirrorAxes spatial axes to mirror, 0 the first spatial tensor axis (D in 3D, H in 2D)
     */
    public MirroringEngine(Engine engine, int[] mirrorAxes) {
        super(engine);
        this.combinations = combinations(mirrorAxes);
    }

    /** Every non-empty subset of {@code axes}, smallest first, each in ascending order (itertools order). */
    static List<int[]> combinations(int[] axes) {
        List<int[]> out = new ArrayList<>();
        for (int size = 1; size <= axes.length; size++)
            collect(axes, size, 0, new int[0], out);
        return out;
    }

    private static void collect(int[] axes, int size, int from, int[] prefix, List<int[]> out) {
        if (prefix.length == size) {
            out.add(prefix);
            return;
        }
        for (int i = from; i < axes.length; i++) {
            int[] next = Arrays.copyOf(prefix, prefix.length + 1);
            next[prefix.length] = axes[i];
            collect(axes, size, i + 1, next, out);
        }
    }

    /** Passes per batch: 1 + the number of mirror combinations. */
    public int passes() {
        return 1 + combinations.size();
    }

    @Override
    public Result run(FloatBuffer input, long[] shape) {
        float[] in = new float[input.remaining()];
        input.duplicate().get(in);
        Result first = wrapped().run(input, shape);
        float[] sum = first.data().clone();
        FloatBuffer flipped = Engine.allocate(in.length);
        for (int[] axes : combinations) {
            flipped.clear();
            flipped.put(flip(in, shape, axes)).flip();
            Result r = wrapped().run(flipped, shape);
            float[] back = flip(r.data(), r.shape(), axes);
            for (int i = 0; i < sum.length; i++)
                sum[i] += back[i];
        }
        float n = passes();
        for (int i = 0; i < sum.length; i++)
            sum[i] /= n;
        return new Result(sum, first.shape());
    }

    /** {@code data} of tensor shape (N, C, spatial...) flipped along the given spatial axes. */
    static float[] flip(float[] data, long[] shape, int[] axes) {
        int spatial = shape.length - 2;
        int[] dims = new int[3];
        Arrays.fill(dims, 1);
        for (int d = 0; d < spatial; d++)
            dims[3 - spatial + d] = (int) shape[2 + d];
        boolean[] flip = new boolean[3];
        for (int a : axes)
            flip[3 - spatial + a] = true;
        int volume = dims[0] * dims[1] * dims[2];
        float[] out = new float[data.length];
        for (int base = 0; base < data.length; base += volume)
            for (int z = 0; z < dims[0]; z++) {
                int zs = flip[0] ? dims[0] - 1 - z : z;
                for (int y = 0; y < dims[1]; y++) {
                    int ys = flip[1] ? dims[1] - 1 - y : y;
                    int dst = base + (z * dims[1] + y) * dims[2];
                    int src = base + (zs * dims[1] + ys) * dims[2];
                    if (flip[2])
                        for (int x = 0; x < dims[2]; x++)
                            out[dst + x] = data[src + dims[2] - 1 - x];
                    else
                        System.arraycopy(data, src, out, dst, dims[2]);
                }
            }
        return out;
    }
}
