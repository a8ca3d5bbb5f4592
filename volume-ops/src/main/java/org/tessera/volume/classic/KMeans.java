package org.tessera.volume.classic;

import java.util.Arrays;
import java.util.List;

import org.tessera.volume.InvalidInputException;

/**
 * k-means clustering of intensities (Lloyd's algorithm in one dimension). Deterministic: the centres start
 * evenly spread over the intensity range (see {@link #initial}), so the same image always gives the same clusters, and
 * the clusters come out ordered by their mean (darkest first). In one dimension a voxel's nearest centre is
 * decided by the midpoints between neighbouring centres, so each iteration is k binary searches in the
 * sorted intensities, exact for any image size.
 */
public final class KMeans implements ClassicMethod {

    public static final KMeans METHOD = new KMeans();

    static final int MAX_ITERATIONS = 300;
    static final int MAX_K = 16;

    private KMeans() {}

    @Override
    public String name() { return "kmeans"; }

    @Override
    public String summary() {
        return "k-means clustering of the intensities into k classes (centres start evenly spread over the intensity range, so runs repeat)";
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(new Parameter("k", "2", "number of clusters (2-" + MAX_K + ")"), Shared.sigmaParameter("0"));
    }

    @Override
    public Prepared prepare(Parameters p) {
        int k = p.integer("k", 2, 2, MAX_K, "a whole number from 2 to " + MAX_K);
        double sigma = Shared.sigma(p, 0);
        return new Prepared() {
            @Override
            public int classes() { return k; }

            @Override
            public Segmentation run(Grid grid, float[] values, boolean integers) {
                float[] v = Shared.smooth(grid, values, sigma);
                return new Segmentation(classify(v, centres(v, k)), null);
            }
        };
    }

    /** The converged centres, increasing. */
    public static double[] centres(float[] values, int k) {
        return centres(values, k, MAX_ITERATIONS);
    }

    static double[] centres(float[] values, int k, int maxIterations) {
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double[] prefix = new double[n + 1];
        for (int i = 0; i < n; i++)
            prefix[i + 1] = prefix[i] + sorted[i];
        double[] centres = initial(sorted, k);
        if (sorted[0] == sorted[n - 1])
            throw new InvalidInputException("k-means with k=" + k + " needs distinct intensities, but the image has "
                    + "only one value (" + sorted[0] + ")");
        for (int iteration = 0; iteration < maxIterations; iteration++) {
            double[] next = centres.clone();
            int from = 0;
            for (int c = 0; c < k; c++) {
                int to = c == k - 1 ? n : upperBound(sorted, (centres[c] + centres[c + 1]) / 2);
                if (to > from)
                    next[c] = (prefix[to] - prefix[from]) / (to - from);
                from = Math.max(from, to);
            }
            boolean moved = !Arrays.equals(next, centres);
            centres = next;
            Arrays.sort(centres);
            if (!moved)
                break;
        }
        return centres;
    }

    /**
     * Centres spread evenly over the intensity range: centre c at min + (c + 0.5) / k (max - min). Quantiles
     * would be the obvious start, but in an image that is mostly background they all fall in the background,
     * and Lloyd's algorithm then splits the background instead of finding the objects.
     */
    static double[] initial(float[] sorted, int k) {
        double lo = sorted[0], hi = sorted[sorted.length - 1];
        double[] centres = new double[k];
        for (int c = 0; c < k; c++)
            centres[c] = lo + (c + 0.5) / k * (hi - lo);
        return centres;
    }

    /** The first index whose value is above x. */
    private static int upperBound(float[] sorted, double x) {
        int lo = 0, hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] > x)
                hi = mid;
            else
                lo = mid + 1;
        }
        return lo;
    }

    /** The cluster of each value: its nearest centre (ties to the darker one). */
    public static byte[] classify(float[] values, double[] centres) {
        double[] midpoints = new double[centres.length - 1];
        for (int c = 0; c < midpoints.length; c++)
            midpoints[c] = (centres[c] + centres[c + 1]) / 2;
        return Otsu.classify(values, midpoints);
    }
}
