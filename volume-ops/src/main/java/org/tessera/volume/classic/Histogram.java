package org.tessera.volume.classic;

/**
 * An intensity histogram binned as scikit-image bins for its thresholds: integer images get one bin per
 * integer value between their minimum and maximum (up to {@value #MAX_INTEGER_BINS} bins), everything else
 * {@value #FLOAT_BINS} equal bins over [min, max] with bin centres as the candidate thresholds.
 */
public record Histogram(long[] counts, double[] centres) {

    static final int FLOAT_BINS = 256;
    static final int MAX_INTEGER_BINS = 4096;

    /** @param integers whether the values are whole numbers (an integer pixel type) */
    public static Histogram of(float[] values, boolean integers) {
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (float v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        if (integers && max - min + 1 <= MAX_INTEGER_BINS) {
            int n = (int) (max - min) + 1;
            long[] counts = new long[n];
            double[] centres = new double[n];
            for (int i = 0; i < n; i++)
                centres[i] = min + i;
            for (float v : values)
                counts[(int) (v - min)]++;
            return new Histogram(counts, centres);
        }
        long[] counts = new long[FLOAT_BINS];
        double[] centres = new double[FLOAT_BINS];
        double width = (max - min) / FLOAT_BINS;
        for (int i = 0; i < FLOAT_BINS; i++)
            centres[i] = min + (i + 0.5) * width;
        for (float v : values) {
            // numpy.histogram: half-open bins, the last one closed
            int bin = width == 0 ? 0 : (int) ((v - min) / width);
            counts[Math.min(Math.max(bin, 0), FLOAT_BINS - 1)]++;
        }
        return new Histogram(counts, centres);
    }

    public int size() { return counts.length; }
}
