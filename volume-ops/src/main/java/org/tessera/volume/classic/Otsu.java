package org.tessera.volume.classic;

import java.util.List;

import ij.process.AutoThresholder;

import org.tessera.volume.InvalidInputException;

/**
 * Otsu's thresholds: the split of the intensity histogram into classes that maximizes the variance between
 * the class means. One threshold comes from ImageJ's {@link AutoThresholder} (the threshold Fiji's Otsu gives
 * on the same histogram); several (multi-level Otsu, which ImageJ lacks) from an exact dynamic programme
 * over the bins. A voxel above threshold t belongs to the class above it.
 */
public final class Otsu implements ClassicMethod {

    /** {@code classic:otsu}: one threshold, two classes. */
    public static final Otsu BINARY = new Otsu(false);
    /** {@code classic:multi-otsu}: N thresholds, N + 1 classes. */
    public static final Otsu MULTI = new Otsu(true);

    static final int MAX_THRESHOLDS = 8;

    private final boolean multi;

    private Otsu(boolean multi) {
        this.multi = multi;
    }

    @Override
    public String name() { return multi ? "multi-otsu" : "otsu"; }

    @Override
    public String summary() {
        return multi ? "Multi-level Otsu: N thresholds that maximize the variance between N + 1 intensity classes"
                : "Otsu's threshold: two intensity classes with the largest variance between them";
    }

    @Override
    public List<Parameter> parameters() {
        return multi ? List.of(new Parameter("thresholds", "2", "number of thresholds N (1-" + MAX_THRESHOLDS
                + "); the image gets N + 1 classes"), Shared.sigmaParameter("0"))
                : List.of(Shared.sigmaParameter("0"));
    }

    @Override
    public Prepared prepare(Parameters p) {
        int count = multi ? p.integer("thresholds", 2, 1, MAX_THRESHOLDS, "a whole number from 1 to " + MAX_THRESHOLDS) : 1;
        double sigma = Shared.sigma(p, 0);
        return new Prepared() {
            @Override
            public int classes() { return count + 1; }

            @Override
            public Segmentation run(Grid grid, float[] values, boolean integers) {
                float[] v = Shared.smooth(grid, values, sigma);
                double[] t = thresholds(Histogram.of(v, integers && sigma == 0), count);
                return new Segmentation(classify(v, t), null);
            }
        };
    }

    /** Thresholds in increasing order (bin centres of the histogram). */
    public static double[] thresholds(Histogram histogram, int count) {
        if (count < 1)
            throw new IllegalArgumentException("count " + count);
        int occupied = 0;
        for (long c : histogram.counts())
            if (c > 0)
                occupied++;
        if (occupied <= count)
            throw new InvalidInputException("The image has only " + occupied + " distinct intensit"
                    + (occupied == 1 ? "y" : "ies") + "; " + count + " threshold" + (count == 1 ? "" : "s")
                    + " need at least " + (count + 1) + ". Use fewer thresholds, or check the image");
        return count == 1 ? new double[] { histogram.centres()[imageJ(histogram.counts())] }
                : multiLevel(histogram, count);
    }

    private static int imageJ(long[] counts) {
        int[] data = new int[counts.length];
        for (int i = 0; i < data.length; i++)
            data[i] = (int) counts[i];
        return new AutoThresholder().getThreshold(AutoThresholder.Method.Otsu, data);
    }

    /**
     * Maximizes the sum over classes of (sum of intensities)^2 / (number of voxels), which differs from the
     * between-class variance by a constant. best[c][i]: the best score of bins i..L-1 cut into c classes.
     * Among equal scores the smallest thresholds win, as in scikit-image's exhaustive search.
     */
    private static double[] multiLevel(Histogram histogram, int count) {
        int bins = histogram.size();
        double total = 0, sum = 0;
        for (int i = 0; i < bins; i++) {
            total += histogram.counts()[i];
            sum += histogram.counts()[i] * histogram.centres()[i];
        }
        // intensities centred on their mean: the same optimum, fewer digits lost to a large constant
        double mean = sum / total;
        double[] n = new double[bins + 1], s = new double[bins + 1];
        for (int i = 0; i < bins; i++) {
            n[i + 1] = n[i] + histogram.counts()[i];
            s[i + 1] = s[i] + histogram.counts()[i] * (histogram.centres()[i] - mean);
        }
        int classes = count + 1;
        double[][] best = new double[classes + 1][bins + 1];
        int[][] end = new int[classes + 1][bins + 1];
        for (int i = 0; i < bins; i++)
            best[1][i] = score(n, s, i, bins - 1);
        for (int c = 2; c <= classes; c++)
            for (int i = 0; i <= bins - c; i++) {
                double top = Double.NEGATIVE_INFINITY;
                int arg = -1;
                for (int j = i; j <= bins - c; j++) {
                    double v = score(n, s, i, j) + best[c - 1][j + 1];
                    if (v > top) {
                        top = v;
                        arg = j;
                    }
                }
                best[c][i] = top;
                end[c][i] = arg;
            }
        double[] thresholds = new double[count];
        int start = 0;
        for (int k = 0; k < count; k++) {
            int j = end[classes - k][start];
            thresholds[k] = histogram.centres()[j];
            start = j + 1;
        }
        return thresholds;
    }

    /** (sum)^2 / count of bins i..j; an empty class scores 0. */
    private static double score(double[] n, double[] s, int i, int j) {
        double w = n[j + 1] - n[i];
        if (w <= 0)
            return 0;
        double m = s[j + 1] - s[i];
        return m * m / w;
    }

    /** The class of each value: how many thresholds it lies above. */
    public static byte[] classify(float[] values, double[] thresholds) {
        byte[] classes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            int c = 0;
            while (c < thresholds.length && values[i] > thresholds[c])
                c++;
            classes[i] = (byte) c;
        }
        return classes;
    }
}
