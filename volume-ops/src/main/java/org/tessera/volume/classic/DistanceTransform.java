package org.tessera.volume.classic;

/**
 * The exact Euclidean distance transform with anisotropic voxels (Felzenszwalb and Huttenlocher's
 * separable lower-envelope algorithm), as scipy.ndimage.distance_transform_edt with {@code sampling}.
 */
public final class DistanceTransform {

    private DistanceTransform() {}

    /**
     * For every voxel of the mask its distance, in physical units, to the nearest voxel outside it; 0 outside.
     * A mask covering the whole image has no outside: every distance is then infinite.
     */
    public static float[] of(Grid grid, boolean[] mask) {
        double[] d2 = new double[mask.length];
        for (int i = 0; i < mask.length; i++)
            d2[i] = mask[i] ? Double.POSITIVE_INFINITY : 0;
        for (int axis = 0; axis < grid.numDimensions(); axis++)
            axis(grid, d2, axis);
        float[] out = new float[mask.length];
        for (int i = 0; i < out.length; i++)
            out[i] = (float) Math.sqrt(d2[i]);
        return out;
    }

    private static void axis(Grid grid, double[] d2, int axis) {
        int n = grid.dim(axis);
        int stride = 1;
        for (int d = 0; d < axis; d++)
            stride *= grid.dim(d);
        double w = grid.spacing(axis) * grid.spacing(axis);
        double[] f = new double[n], out = new double[n], z = new double[n + 1];
        int[] v = new int[n];
        int lines = grid.size() / n;
        for (int l = 0; l < lines; l++) {
            int start = (l / stride) * stride * n + l % stride;
            for (int i = 0; i < n; i++)
                f[i] = d2[start + i * stride];
            lowerEnvelope(f, out, v, z, w);
            for (int i = 0; i < n; i++)
                d2[start + i * stride] = out[i];
        }
    }

    /** out[q] = min over p of f[p] + w (q - p)^2, in linear time. */
    private static void lowerEnvelope(double[] f, double[] out, int[] v, double[] z, double w) {
        int n = f.length, k = -1;
        for (int q = 0; q < n; q++) {
            if (f[q] == Double.POSITIVE_INFINITY)
                continue;
            while (k >= 0) {
                double s = intersection(f, v[k], q, w);
                if (s > z[k])
                    break;
                k--;
            }
            k++;
            v[k] = q;
            z[k] = k == 0 ? Double.NEGATIVE_INFINITY : intersection(f, v[k - 1], q, w);
            z[k + 1] = Double.POSITIVE_INFINITY;
        }
        if (k < 0) {
            java.util.Arrays.fill(out, Double.POSITIVE_INFINITY);
            return;
        }
        int j = 0;
        for (int q = 0; q < n; q++) {
            while (z[j + 1] < q)
                j++;
            double d = q - v[j];
            out[q] = f[v[j]] + w * d * d;
        }
    }

    /** Where the parabolas rooted at p and q (p < q) intersect. */
    private static double intersection(double[] f, int p, int q, double w) {
        return ((f[q] + w * q * q) - (f[p] + w * p * p)) / (2 * w * (q - p));
    }
}
