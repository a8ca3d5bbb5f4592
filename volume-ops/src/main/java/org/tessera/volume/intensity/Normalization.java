package org.tessera.volume.intensity;

import java.util.Arrays;
import java.util.Locale;

import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.converter.Converters;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.util.Intervals;
import net.imglib2.view.Views;

import org.tessera.volume.InvalidInputException;

/**
 * Intensity normalization as a model was trained with it. Statistics are computed over the whole channel,
 * never per tile, so that tiled and whole-image inference see the same input values.
 */
public final class Normalization {

    /** Above this many voxels, statistics use an evenly strided sample of this size (deterministic). */
    static final long MAX_SAMPLES = 1L << 24;

    public enum Scheme { PERCENTILE, ZSCORE, MINMAX, FIXED, NONE }

    private final Scheme scheme;
    private final double lower;
    private final double upper;

    private Normalization(Scheme scheme, double lower, double upper) {
        this.scheme = scheme;
        this.lower = lower;
        this.upper = upper;
    }

    /** (x - p_lower) / (p_upper - p_lower), percentiles in percent, numpy's linear interpolation. */
    public static Normalization percentile(double lowerPercent, double upperPercent) {
        if (!(lowerPercent >= 0 && lowerPercent < upperPercent && upperPercent <= 100))
            throw new InvalidInputException("Percentile normalization needs 0 <= lower < upper <= 100, got "
                    + lowerPercent + " and " + upperPercent);
        return new Normalization(Scheme.PERCENTILE, lowerPercent, upperPercent);
    }

    public static Normalization zscore() { return new Normalization(Scheme.ZSCORE, 0, 0); }

    public static Normalization minmax() { return new Normalization(Scheme.MINMAX, 0, 0); }

    /** (x - offset) / scale, e.g. offset 0, scale 255 for 8-bit data. */
    public static Normalization fixed(double offset, double scale) {
        if (scale == 0 || !Double.isFinite(scale))
            throw new InvalidInputException("Fixed normalization needs a finite non-zero scale, got " + scale);
        return new Normalization(Scheme.FIXED, offset, scale);
    }

    public static Normalization none() { return new Normalization(Scheme.NONE, 0, 0); }

    public Scheme scheme() { return scheme; }

    /** A lazily converted float view: value -> (value - offset) * factor, with offset and factor from the data. */
    public RandomAccessibleInterval<FloatType> apply(RandomAccessibleInterval<? extends RealType<?>> channel) {
        return apply(channel, offsetAndFactor(channel));
    }

    /**
     * The same with {offset, factor} computed elsewhere: a part of a large volume normalized with the statistics
     * of the whole ({@link #offsetAndFactorOfSample}), as the whole would be.
     */
    public static RandomAccessibleInterval<FloatType> apply(RandomAccessibleInterval<? extends RealType<?>> channel,
            double[] of) {
        float offset = (float) of[0];
        float factor = (float) of[1];
        return Converters.convert2(channel, (in, out) -> out.setReal((in.getRealFloat() - offset) * factor),
                FloatType::new);
    }

    /** The affine map this normalization applies to {@code channel}: {offset, factor}. */
    public double[] offsetAndFactor(RandomAccessibleInterval<? extends RealType<?>> channel) {
        return needsStatistics() ? offsetAndFactorOf(sample(channel)) : offsetAndFactorOfSample(new double[0]);
    }

    /** Whether the map depends on the data (z-score, min-max, percentiles), not only on the scheme's parameters. */
    public boolean needsStatistics() {
        return scheme == Scheme.ZSCORE || scheme == Scheme.MINMAX || scheme == Scheme.PERCENTILE;
    }

    /**
     * Every how many voxels (in x-fastest order) the statistics of a channel of {@code voxels} voxels take one:
     * a reader streaming a large file takes the same sample as {@link #offsetAndFactor} takes in memory.
     */
    public static long sampleStride(long voxels) {
        return Math.max(1, (voxels + MAX_SAMPLES - 1) / MAX_SAMPLES);
    }

    /** {offset, factor} from the sample {@link #sampleStride} picks (reordered in place for percentiles). */
    public double[] offsetAndFactorOfSample(double[] sample) {
        switch (scheme) {
        case NONE:
            return new double[] { 0, 1 };
        case FIXED:
            return new double[] { lower, 1 / upper };
        case ZSCORE: {
            double mean = Arrays.stream(sample).average().orElse(0);
            double var = 0;
            for (double v : sample)
                var += (v - mean) * (v - mean);
            double std = Math.sqrt(var / Math.max(1, sample.length));
            return new double[] { mean, 1 / Math.max(std, 1e-8) };
        }
        case MINMAX: {
            double min = Arrays.stream(sample).min().orElse(0);
            double max = Arrays.stream(sample).max().orElse(1);
            return new double[] { min, 1 / Math.max(max - min, 1e-8) };
        }
        case PERCENTILE: {
            if (sample.length == 0)
                return new double[] { 0, 1 };
            double lo = percentile(sample, lower);
            double hi = percentile(sample, upper);
            return new double[] { lo, 1 / Math.max(hi - lo, 1e-8) };
        }
        default:
            throw new IllegalStateException(scheme.toString());
        }
    }

    /**
     * numpy's {@code percentile(values, q)} on already sorted values: linear interpolation at position
     * (n - 1) * q / 100, in numpy's form (a + (b - a) * t, and b - (b - a) * (1 - t) for t >= 0.5), so that
     * results match numpy to the last bit.
     */
    public static double percentileOfSorted(double[] sorted, double percent) {
        return percentileOfSorted(i -> sorted[i], sorted.length, percent);
    }

    /** The same for float values (large voxel samples), sorted ascending; the array is not copied. */
    public static double percentileOfSorted(float[] sorted, double percent) {
        return percentileOfSorted(i -> sorted[i], sorted.length, percent);
    }

    /**
     * {@link #percentileOfSorted} without sorting: the two order statistics it needs are selected in linear
     * time (a whole image's sample is millions of values; sorting them took longer than the network's first tiles).
     * {@code values} is reordered.
     */
    public static double percentile(double[] values, double percent) {
        int n = values.length;
        if (n == 0)
            throw new IllegalArgumentException("percentile of no values");
        int k = (int) Math.floor((n - 1) * (percent / 100.0));
        double kth = select(values, k);
        double next = k + 1 < n ? values[k + 1] : kth;
        for (int i = k + 2; i < n; i++) // after the selection everything right of k is >= the k-th
            next = Math.min(next, values[i]);
        double a = kth, b = next;
        return percentileOfSorted(i -> i == k ? a : b, n, percent);
    }

    /** The k-th smallest value (0-based); afterwards no value left of k is larger, none right of it smaller. */
    static double select(double[] a, int k) {
        int lo = 0, hi = a.length - 1;
        while (lo < hi) {
            double x = a[lo], y = a[(lo + hi) >>> 1], z = a[hi];
            double pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z)); // median of three
            int i = lo, j = hi;
            while (i <= j) {
                while (a[i] < pivot)
                    i++;
                while (a[j] > pivot)
                    j--;
                if (i <= j) {
                    double t = a[i];
                    a[i++] = a[j];
                    a[j--] = t;
                }
            }
            if (k <= j)
                hi = j;
            else if (k >= i)
                lo = i;
            else
                return a[k]; // between the two parts every value equals the pivot
        }
        return a[k];
    }

    private static double percentileOfSorted(java.util.function.IntToDoubleFunction sorted, int n, double percent) {
        if (n == 0)
            throw new IllegalArgumentException("percentile of no values");
        double pos = (n - 1) * (percent / 100.0);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, n - 1);
        double frac = pos - lo;
        if (frac == 0 || lo == hi)
            return sorted.applyAsDouble(lo);
        double a = sorted.applyAsDouble(lo), b = sorted.applyAsDouble(hi), diff = b - a;
        return frac >= 0.5 ? b - diff * (1 - frac) : a + diff * frac;
    }

    private Sample sample(RandomAccessibleInterval<? extends RealType<?>> channel) {
        long n = Intervals.numElements(channel);
        long stride = sampleStride(n);
        Sample sample = newSample(n);
        Cursor<? extends RealType<?>> c = Views.flatIterable(channel).cursor();
        for (long i = 0; i < n; i++) {
            c.fwd();
            if (i % stride == 0)
                sample.add(c.get().getRealDouble());
        }
        return sample;
    }

    /** An empty sample for the statistics of a channel of {@code voxels} voxels ({@link #sampleStride} picks them). */
    public Sample newSample(long voxels) {
        long stride = sampleStride(voxels);
        boolean orderOnly = scheme == Scheme.PERCENTILE || scheme == Scheme.MINMAX;
        return new Sample(Math.toIntExact((voxels + stride - 1) / stride), orderOnly);
    }

    /** {offset, factor} from a gathered sample. */
    public double[] offsetAndFactorOf(Sample sample) {
        if (sample.counts == null || scheme == Scheme.NONE || scheme == Scheme.FIXED)
            return offsetAndFactorOfSample(sample.values());
        long n = sample.n;
        if (n == 0)
            return offsetAndFactorOfSample(new double[0]);
        if (scheme == Scheme.MINMAX) {
            double min = sample.kth(0), max = sample.kth(n - 1);
            return new double[] { min, 1 / Math.max(max - min, 1e-8) };
        }
        double lo = percentileOfSorted(i -> sample.kth(i), (int) n, lower);
        double hi = percentileOfSorted(i -> sample.kth(i), (int) n, upper);
        return new double[] { lo, 1 / Math.max(hi - lo, 1e-8) };
    }

    /**
     * The voxel values statistics are taken from, added one by one. While every value is an integer in
     * [-32768, 65535] (8- and 16-bit images) and only order statistics are needed (percentiles, min-max) they
     * are counted in a histogram: the same percentiles to the last bit as the values themselves, in 384 KB
     * instead of 8 bytes per value. Any other value turns the counts back into values.
     */
    public static final class Sample {
        private static final int LOWEST = -32768, BINS = 65536 + 32768;
        private int[] counts;
        private double[] values;
        private int n;
        private final int capacity;

        private Sample(int capacity, boolean histogram) {
            this.capacity = capacity;
            if (histogram)
                counts = new int[BINS];
            else
                values = new double[capacity];
        }

        public void add(double v) {
            if (n == capacity)
                throw new IllegalStateException("sample is full (" + capacity + " values)");
            if (counts != null) {
                int bin = (int) v - LOWEST;
                if (v == (int) v && bin >= 0 && bin < BINS) {
                    counts[bin]++;
                    n++;
                    return;
                }
                values = expanded();
                counts = null;
            }
            values[n++] = v;
        }

        /** The values added so far (in ascending order where they were counted). */
        double[] values() {
            double[] all = counts == null ? values : expanded();
            return n == capacity ? all : Arrays.copyOf(all, n);
        }

        private double[] expanded() {
            double[] out = new double[capacity];
            int k = 0;
            for (int b = 0; b < BINS; b++)
                for (int c = counts[b]; c > 0; c--)
                    out[k++] = b + LOWEST;
            return out;
        }

        /** The k-th smallest counted value (0-based). */
        private double kth(long k) {
            long below = 0;
            for (int b = 0; b < BINS; b++) {
                below += counts[b];
                if (below > k)
                    return b + LOWEST;
            }
            throw new IndexOutOfBoundsException(k + " of " + n);
        }
    }

    @Override
    public String toString() {
        return switch (scheme) {
            case PERCENTILE -> "percentile " + lower + "-" + upper;
            case FIXED -> "fixed (x - " + lower + ") / " + upper;
            default -> scheme.name().toLowerCase(Locale.ROOT);
        };
    }
}
