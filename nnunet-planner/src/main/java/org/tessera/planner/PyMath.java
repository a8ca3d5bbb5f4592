package org.tessera.planner;

import java.util.Arrays;
import java.util.function.ToDoubleFunction;

import org.tessera.volume.intensity.Normalization;

/**
 * The few numeric rules of Python and numpy that nnU-Net's planning depends on, so that Java gives the
 * same numbers: round half to even, median as the mean of the two middle values, percentile with linear
 * interpolation, and products accumulated left to right in double precision.
 */
public final class PyMath {

    private PyMath() {
    }

    /** Python's {@code round(x)}: nearest integer, ties to the even one. */
    public static long roundHalfEven(double x) {
        if (Double.isNaN(x) || Double.isInfinite(x)) {
            throw new ArithmeticException("cannot round " + x);
        }
        return (long) Math.rint(x);
    }

    /** numpy's {@code median}: the middle value, or the mean of the two middle values. */
    public static double median(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("median of no values");
        }
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        // numpy takes the mean of the middle pair, (a + b) / 2, which can differ in the last bit from the
        // 50th percentile's interpolation
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /**
     * numpy's {@code percentile(values, q)} with the default linear interpolation between closest ranks:
     * position (n - 1) * q / 100 in the sorted values.
     */
    public static double percentile(double[] values, double q) {
        if (values.length == 0) {
            throw new IllegalArgumentException("percentile of no values");
        }
        double[] s = values.clone();
        Arrays.sort(s);
        return Normalization.percentileOfSorted(s, q);
    }

    /** {@link #percentile(double[], double)} of values already sorted ascending; the array is not copied. */
    public static double percentileOfSorted(float[] sorted, double q) {
        return Normalization.percentileOfSorted(sorted, q);
    }

    /** Per-axis median of rows (numpy {@code median(rows, axis=0)}). */
    public static double[] columnMedian(double[][] rows) {
        return perColumn(rows, PyMath::median);
    }

    /** Per-axis percentile of rows (numpy {@code percentile(rows, q, axis=0)}). */
    public static double[] columnPercentile(double[][] rows, double q) {
        return perColumn(rows, col -> percentile(col, q));
    }

    private static double[] perColumn(double[][] rows, ToDoubleFunction<double[]> statistic) {
        double[] out = new double[rows[0].length];
        for (int d = 0; d < out.length; d++) {
            int axis = d;
            out[d] = statistic.applyAsDouble(Arrays.stream(rows).mapToDouble(r -> r[axis]).toArray());
        }
        return out;
    }

    /** Product in double precision, left to right (numpy {@code prod(..., dtype=float64)}). */
    public static double prod(double[] values) {
        return Arrays.stream(values).reduce(1, (p, v) -> p * v);
    }

    /** Product in double precision, left to right. */
    public static double prod(int[] values) {
        return prod(Arrays.stream(values).asDoubleStream().toArray());
    }

    /** numpy's {@code values[indices]}. */
    public static double[] take(double[] values, int[] indices) {
        return Arrays.stream(indices).mapToDouble(i -> values[i]).toArray();
    }

    /** numpy's {@code values[indices]}. */
    public static int[] take(int[] values, int[] indices) {
        return Arrays.stream(indices).map(i -> values[i]).toArray();
    }

    /** numpy's {@code argmax}: the first index of the largest value. */
    public static int argmax(double[] values) {
        return indexOfLargest(values, false);
    }

    /**
     * The last entry of a stable ascending argsort: the index of the largest value, the highest such index
     * on ties (numpy sorts arrays this short by insertion sort, which keeps the order of equal values).
     */
    public static int lastOfArgsort(double[] values) {
        return indexOfLargest(values, true);
    }

    private static int indexOfLargest(double[] values, boolean lastOnTies) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best] || lastOnTies && values[i] == values[best]) {
                best = i;
            }
        }
        return best;
    }
}
