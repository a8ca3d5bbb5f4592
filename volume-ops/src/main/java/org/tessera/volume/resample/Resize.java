package org.tessera.volume.resample;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.util.Intervals;
import net.imglib2.view.Views;

/**
 * Resizing of C-order arrays as scikit-image's {@code resize(x, shape, order, mode='edge', anti_aliasing=False)}
 * does it, which is scipy's {@code ndimage.zoom(..., mode='nearest', grid_mode=True)} followed by clipping to the
 * input's range: output voxel {@code j} along an axis samples input coordinate {@code (j + 0.5) * n / m - 0.5}
 * (n input, m output voxels), outside coordinates take the edge value; order 3 is a cubic B-spline whose
 * coefficients come from scipy's prefilter (the input padded by 12 edge voxels, recursive filter with pole
 * sqrt(3) - 2 and half-sample symmetric boundary), order 1 linear, order 0 nearest (round half up). The spline
 * and the linear interpolation are separable, so each axis is resized in turn; this equals the n-dimensional
 * evaluation up to rounding (about 1e-15). nnU-Net's resampling and the plain networks' resampling to their
 * training spacing both use it.
 */
public final class Resize {

    /** Edge voxels scipy pads before the spline prefilter in mode 'nearest'. */
    static final int SPLINE_PAD = 12;

    private static final double POLE = Math.sqrt(3) - 2;

    private Resize() {
    }

    /**
     * {@link #resize} of a purely spatial image to {@code newShape} (per axis, x first), as float. imglib2's flat
     * iteration order (first axis fastest) is C order for the reversed shape, so the arrays go through as they are.
     */
    public static Img<FloatType> image(RandomAccessibleInterval<? extends RealType<?>> image, long[] newShape, int order) {
        int n = image.numDimensions();
        int[] shape = new int[n], target = new int[n];
        for (int d = 0; d < n; d++) {
            shape[n - 1 - d] = Math.toIntExact(image.dimension(d));
            target[n - 1 - d] = Math.toIntExact(newShape[d]);
        }
        double[] values = new double[Math.toIntExact(Intervals.numElements(image))];
        int i = 0;
        for (RealType<?> v : Views.flatIterable(image))
            values[i++] = v.getRealDouble();
        double[] resized = resize(values, shape, target, order);
        float[] out = new float[resized.length];
        for (int k = 0; k < out.length; k++)
            out[k] = (float) resized[k];
        return ArrayImgs.floats(out, newShape);
    }

    /**
     * scikit-image's {@code resize(data, newShape, order, mode='edge', anti_aliasing=False)} with its default
     * clipping to the input's range; any number of axes, C order.
     */
    public static double[] resize(double[] data, int[] shape, int[] newShape, int order) {
        if (order != 0 && order != 1 && order != 3) {
            throw new IllegalArgumentException("interpolation order " + order + " is not supported; use 0, 1 or 3");
        }
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (double v : data) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double[] current = data;
        int[] currentShape = shape.clone();
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] != newShape[d]) {
                current = alongAxis(current, currentShape, d, newShape[d], order, order > 1);
                currentShape[d] = newShape[d];
            }
        }
        if (current == data) {
            current = data.clone();
        }
        for (int i = 0; i < current.length; i++) {
            current[i] = Math.min(max, Math.max(min, current[i]));
        }
        return current;
    }

    /** C-order strides of {@code shape}. */
    public static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = acc;
            acc *= shape[d];
        }
        return s;
    }

    /** Resamples every line along {@code axis} to {@code m} voxels (grid mode, edge extension). */
    public static double[] alongAxis(double[] data, int[] shape, int axis, int m, int order, boolean prefilter) {
        int n = shape[axis];
        int inner = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        int outer = data.length / (n * inner);
        double[] out = new double[outer * m * inner];
        double scale = (double) n / m;
        // per output position: first input index and weights (indices clamped into the (padded) line)
        int pad = prefilter ? SPLINE_PAD : 0;
        int len = n + 2 * pad;
        int taps = order + 1;
        int[][] index = new int[m][taps];
        double[][] weight = new double[m][taps];
        for (int j = 0; j < m; j++) {
            double cc = (j + 0.5) * scale - 0.5 + pad;
            weights(cc, order, len, index[j], weight[j]);
        }
        double[] line = new double[len];
        for (int o = 0; o < outer; o++) {
            for (int k = 0; k < inner; k++) {
                int base = o * n * inner + k;
                for (int i = 0; i < len; i++) {
                    int src = Math.min(n - 1, Math.max(0, i - pad));
                    line[i] = data[base + src * inner];
                }
                if (prefilter) {
                    splineFilter(line);
                }
                int outBase = o * m * inner + k;
                for (int j = 0; j < m; j++) {
                    double v = 0;
                    int[] idx = index[j];
                    double[] w = weight[j];
                    for (int t = 0; t < taps; t++) {
                        v += w[t] * line[idx[t]];
                    }
                    out[outBase + j * inner] = v;
                }
            }
        }
        return out;
    }

    /** scipy's spline weights at coordinate {@code cc} and their indices, clamped to [0, len) (mode nearest). */
    private static void weights(double cc, int order, int len, int[] index, double[] w) {
        int start;
        if (order == 0) {
            start = (int) Math.floor(cc + 0.5);
            w[0] = 1;
        } else if (order == 1) {
            start = (int) Math.floor(cc);
            double t = cc - start;
            w[0] = 1 - t;
            w[1] = t;
        } else {
            int f = (int) Math.floor(cc);
            start = f - 1;
            double t = cc - f;
            double z = 1 - t;
            w[0] = z * z * z / 6;
            w[1] = (t * t * (t - 2) * 3 + 4) / 6;
            w[2] = (z * z * (z - 2) * 3 + 4) / 6;
            w[3] = 1 - w[0] - w[1] - w[2];
        }
        for (int t = 0; t < index.length; t++) {
            index[t] = Math.min(len - 1, Math.max(0, start + t));
        }
    }

    /**
     * In place: cubic B-spline coefficients of {@code c} (gain 6, one pole), half-sample symmetric boundary
     * as scipy uses for mode 'nearest'.
     */
    static void splineFilter(double[] c) {
        int n = c.length;
        if (n == 1) {
            return;
        }
        double z = POLE;
        for (int i = 0; i < n; i++) {
            c[i] *= 6;
        }
        double sum = c[0];
        double zn = z;
        for (int i = 0; i < n; i++) {
            sum += zn * c[i];
            zn *= z;
        }
        c[0] = sum;
        for (int i = 1; i < n; i++) {
            c[i] += z * c[i - 1];
        }
        c[n - 1] *= z / (z - 1);
        for (int i = n - 2; i >= 0; i--) {
            c[i] = z * (c[i + 1] - c[i]);
        }
    }
}
