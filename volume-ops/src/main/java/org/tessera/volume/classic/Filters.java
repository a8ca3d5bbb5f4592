package org.tessera.volume.classic;

/**
 * Smoothing and gradients on a {@link Grid}, with lengths in physical units so that anisotropic voxels are
 * smoothed and differentiated alike in space. Conventions follow scipy and numpy, which the tests compare
 * with: a Gaussian truncated at 4 standard deviations with mirrored borders ({@code gaussian_filter}, mode
 * {@code reflect}), and central differences with one-sided ones at the borders ({@code numpy.gradient}).
 */
public final class Filters {

    static final double TRUNCATE = 4.0;

    private Filters() {}

    /**
     * Separable Gaussian smoothing.
     *
     * @param sigma standard deviation in the grid's physical units (the same on every axis); 0 copies
     */
    public static float[] gaussian(Grid grid, float[] values, double sigma) {
        float[] out = values.clone();
        if (sigma <= 0)
            return out;
        for (int d = 0; d < grid.numDimensions(); d++)
            smoothAxis(grid, out, d, sigma / grid.spacing(d));
        return out;
    }

    private static void smoothAxis(Grid grid, float[] data, int axis, double sigmaVoxels) {
        int radius = (int) (TRUNCATE * sigmaVoxels + 0.5);
        int n = grid.dim(axis);
        if (radius == 0 || n == 1)
            return;
        double[] kernel = new double[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) {
            kernel[i + radius] = Math.exp(-0.5 * i * i / (sigmaVoxels * sigmaVoxels));
            sum += kernel[i + radius];
        }
        for (int i = 0; i < kernel.length; i++)
            kernel[i] /= sum;
        int stride = 1;
        for (int d = 0; d < axis; d++)
            stride *= grid.dim(d);
        double[] line = new double[n];
        int lines = grid.size() / n;
        for (int l = 0; l < lines; l++) {
            int start = (l / stride) * stride * n + l % stride;
            for (int i = 0; i < n; i++)
                line[i] = data[start + i * stride];
            for (int i = 0; i < n; i++) {
                double acc = 0;
                for (int k = -radius; k <= radius; k++)
                    acc += kernel[k + radius] * line[reflect(i + k, n)];
                data[start + i * stride] = (float) acc;
            }
        }
    }

    /** scipy's 'reflect' border: (d c b a | a b c d | d c b a). */
    static int reflect(int i, int n) {
        int period = 2 * n;
        i = Math.floorMod(i, period);
        return i < n ? i : period - 1 - i;
    }

    /** The derivative along one axis per unit length, as numpy.gradient with the grid's spacing. */
    public static float[] derivative(Grid grid, float[] values, int axis) {
        int n = grid.dim(axis);
        float[] out = new float[grid.size()];
        if (n < 2)
            return out;
        int stride = 1;
        for (int d = 0; d < axis; d++)
            stride *= grid.dim(d);
        double h = grid.spacing(axis);
        int[] pos = new int[grid.numDimensions()];
        for (int i = 0; i < out.length; i++) {
            int p = grid.position(i, pos)[axis];
            if (p == 0)
                out[i] = (float) ((values[i + stride] - (double) values[i]) / h);
            else if (p == n - 1)
                out[i] = (float) ((values[i] - (double) values[i - stride]) / h);
            else
                out[i] = (float) ((values[i + stride] - (double) values[i - stride]) / (2 * h));
        }
        return out;
    }

    /** The gradient, one array per axis (x, y[, z]), in intensity per unit length. */
    public static float[][] gradient(Grid grid, float[] values) {
        float[][] g = new float[grid.numDimensions()][];
        for (int d = 0; d < g.length; d++)
            g[d] = derivative(grid, values, d);
        return g;
    }

    public static float[] magnitude(float[][] gradient) {
        float[] out = new float[gradient[0].length];
        for (int i = 0; i < out.length; i++) {
            double s = 0;
            for (float[] g : gradient)
                s += (double) g[i] * g[i];
            out[i] = (float) Math.sqrt(s);
        }
        return out;
    }

    /** The intensity with its sign flipped where dark objects are wanted: every method then looks for bright ones. */
    public static float[] negate(float[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++)
            out[i] = -values[i];
        return out;
    }
}
