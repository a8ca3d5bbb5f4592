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
     * {@link #resize} of a purely spatial image to {@code newShape} (per axis, x first), as float. A 2D or 3D
     * image is resized plane by plane in y and x, then along z: no copy of the input and one intermediate of
     * (input planes x output plane) doubles, where the whole-array passes of {@link #resize} hold several
     * volumes of doubles. The order of the passes changes only rounding (about 1e-15 before the cast to float).
     */
    public static Img<FloatType> image(RandomAccessibleInterval<? extends RealType<?>> image, long[] newShape, int order) {
        int n = image.numDimensions();
        if (n != 2 && n != 3)
            return wholeArray(image, newShape, order);
        Planes planes = new Planes(image, newShape, order);
        float[] out = new float[Math.toIntExact(Intervals.numElements(new net.imglib2.FinalInterval(newShape)))];
        planes.fill(out);
        return ArrayImgs.floats(out, newShape);
    }

    private static Img<FloatType> wholeArray(RandomAccessibleInterval<? extends RealType<?>> image, long[] newShape,
            int order) {
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
     * The planes (along z; a 2D image is one plane) of a 2D or 3D image resized as {@link #image} resizes it,
     * clipped to the input's range and cast to float, x fastest. Each input plane is resized in y and x once. For
     * orders 0 and 1 an output plane reads at most two input planes, so {@link #plane} holds only those (asked in
     * increasing z); order 3's spline prefilter along z needs every input plane, so it is {@link #fill} only.
     */
    public static final class Planes {
        private final RandomAccessibleInterval<? extends RealType<?>> image;
        private final int nz, my, mx, mz, ny, nx, order;
        private final Line yLine, xLine, zLine;
        private final double min, max;
        private final double[][] resizedPlanes;

        public Planes(RandomAccessibleInterval<? extends RealType<?>> image, long[] newShape, int order) {
            if (order != 0 && order != 1 && order != 3)
                throw new IllegalArgumentException("interpolation order " + order + " is not supported; use 0, 1 or 3");
            this.image = image;
            this.order = order;
            boolean three = image.numDimensions() == 3;
            nx = Math.toIntExact(image.dimension(0));
            ny = Math.toIntExact(image.dimension(1));
            nz = three ? Math.toIntExact(image.dimension(2)) : 1;
            mx = Math.toIntExact(newShape[0]);
            my = Math.toIntExact(newShape[1]);
            mz = three ? Math.toIntExact(newShape[2]) : 1;
            yLine = ny != my ? new Line(ny, my, order, order > 1) : null;
            xLine = nx != mx ? new Line(nx, mx, order, order > 1) : null;
            zLine = nz != mz ? new Line(nz, mz, order, order > 1) : null;
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (RealType<?> v : Views.flatIterable(image)) {
                double d = v.getRealDouble();
                lo = Math.min(lo, d);
                hi = Math.max(hi, d);
            }
            min = lo;
            max = hi;
            resizedPlanes = new double[nz][];
        }

        public int depth() { return mz; }

        public int planeVoxels() { return my * mx; }

        /** Output plane z: {@code my * mx} floats, x fastest (order 0 or 1, or no resizing along z). */
        public float[] plane(int z) {
            double[] v;
            if (zLine == null)
                v = resized(z);
            else if (order > 1)
                throw new IllegalStateException("order " + order + " along z makes every plane at once: use fill");
            else {
                v = new double[my * mx];
                int taps = order + 1;
                double[][] src = new double[taps][];
                for (int t = 0; t < taps; t++)
                    src[t] = resized(zLine.source(z, t));
                for (int k = 0; k < zLine.source(z, 0); k++) // not read again by later planes
                    resizedPlanes[k] = null;
                for (int i = 0; i < v.length; i++) {
                    double sum = 0;
                    for (int t = 0; t < taps; t++)
                        sum += zLine.weight(z, t) * src[t][i];
                    v[i] = sum;
                }
            }
            float[] out = new float[v.length];
            for (int i = 0; i < out.length; i++)
                out[i] = (float) Math.min(max, Math.max(min, v[i]));
            return out;
        }

        /** Input plane z resized in y, then x (doubles, x fastest), made once. */
        private double[] resized(int z) {
            if (resizedPlanes[z] != null)
                return resizedPlanes[z];
            RandomAccessibleInterval<? extends RealType<?>> slice = image.numDimensions() == 3
                    ? Views.hyperSlice(image, 2, z) : image;
            double[] p = new double[ny * nx];
            int i = 0;
            for (RealType<?> v : Views.flatIterable(slice))
                p[i++] = v.getRealDouble();
            if (yLine != null)
                p = alongAxis(p, new int[] { ny, nx }, 0, my, order, order > 1);
            if (xLine != null)
                p = alongAxis(p, new int[] { my, nx }, 1, mx, order, order > 1);
            resizedPlanes[z] = p;
            return p;
        }

        /** Every output plane into {@code out} (z-major, x fastest). */
        public void fill(float[] out) {
            int plane = my * mx;
            if (zLine == null || order <= 1) {
                for (int z = 0; z < mz; z++)
                    System.arraycopy(plane(z), 0, out, z * plane, plane);
                return;
            }
            for (int z = 0; z < nz; z++)
                resized(z);
            double[] in = new double[nz], res = new double[mz];
            for (int i = 0; i < plane; i++) { // the spline along each column
                for (int z = 0; z < nz; z++)
                    in[z] = resizedPlanes[z][i];
                zLine.resample(in, res);
                for (int z = 0; z < mz; z++)
                    out[z * plane + i] = (float) Math.min(max, Math.max(min, res[z]));
            }
            java.util.Arrays.fill(resizedPlanes, null);
        }
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
        Line line = new Line(n, m, order, prefilter);
        double[] in = new double[n], res = new double[m];
        for (int o = 0; o < outer; o++) {
            for (int k = 0; k < inner; k++) {
                int base = o * n * inner + k;
                for (int i = 0; i < n; i++) {
                    in[i] = data[base + i * inner];
                }
                line.resample(in, res);
                int outBase = o * m * inner + k;
                for (int j = 0; j < m; j++) {
                    out[outBase + j * inner] = res[j];
                }
            }
        }
        return out;
    }

    /**
     * One axis's resampling from n to m voxels (grid mode, edge extension), its indices and weights computed
     * once for every line along that axis.
     */
    static final class Line {
        private final int n, m, pad, taps;
        private final boolean prefilter;
        private final int[][] index;
        private final double[][] weight;
        private final double[] padded;

        Line(int n, int m, int order, boolean prefilter) {
            this.n = n;
            this.m = m;
            this.prefilter = prefilter;
            pad = prefilter ? SPLINE_PAD : 0;
            int len = n + 2 * pad;
            taps = order + 1;
            index = new int[m][taps];
            weight = new double[m][taps];
            double scale = (double) n / m;
            for (int j = 0; j < m; j++) {
                double cc = (j + 0.5) * scale - 0.5 + pad;
                weights(cc, order, len, index[j], weight[j]);
            }
            padded = new double[len];
        }

        /** {@code out[0..m)} from {@code in[0..n)}. */
        void resample(double[] in, double[] out) {
            for (int i = 0; i < padded.length; i++) {
                padded[i] = in[Math.min(n - 1, Math.max(0, i - pad))];
            }
            if (prefilter) {
                splineFilter(padded);
            }
            for (int j = 0; j < m; j++) {
                double v = 0;
                int[] idx = index[j];
                double[] w = weight[j];
                for (int t = 0; t < taps; t++) {
                    v += w[t] * padded[idx[t]];
                }
                out[j] = v;
            }
        }

        double weight(int j, int t) {
            return weight[j][t];
        }

        int source(int j, int t) {
            return Math.min(n - 1, Math.max(0, index[j][t] - pad));
        }
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
