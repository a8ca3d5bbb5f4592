package org.tessera.volume.classic;

/**
 * Regional maxima and morphological reconstruction on a {@link Grid}, with full connectivity (as
 * scikit-image's {@code local_maxima} and {@code reconstruction} use by default).
 */
public final class Extrema {

    private Extrema() {}

    /**
     * Regional maxima: connected plateaus of equal value with no neighbour of higher value (plateaus on the
     * image border count). Take the maxima of the negated image for minima.
     */
    public static boolean[] regionalMaxima(Grid grid, float[] values) {
        boolean[] maxima = new boolean[values.length];
        boolean[] seen = new boolean[values.length];
        Grid.Neighbourhood nb = grid.neighbourhood(true);
        int[] neighbours = new int[nb.count()];
        int[] plateau = new int[values.length];
        for (int seed = 0; seed < values.length; seed++) {
            if (seen[seed])
                continue;
            float v = values[seed];
            boolean isMax = true;
            int tail = 0;
            plateau[tail++] = seed;
            seen[seed] = true;
            for (int head = 0; head < tail; head++) {
                int count = nb.of(plateau[head], neighbours);
                for (int k = 0; k < count; k++) {
                    int q = neighbours[k];
                    if (values[q] > v)
                        isMax = false;
                    else if (values[q] == v && !seen[q]) {
                        seen[q] = true;
                        plateau[tail++] = q;
                    }
                }
            }
            if (isMax)
                for (int i = 0; i < tail; i++)
                    maxima[plateau[i]] = true;
        }
        return maxima;
    }

    /**
     * Reconstruction by dilation of {@code seed} under {@code mask} (seed <= mask everywhere): the largest
     * image below the mask that every voxel reaches from the seed along paths never rising above it.
     */
    public static float[] reconstruct(Grid grid, float[] seed, float[] mask) {
        float[] rec = new float[seed.length];
        Heap heap = new Heap();
        for (int i = 0; i < seed.length; i++) {
            rec[i] = Math.min(seed[i], mask[i]);
            heap.push(-rec[i], i);
        }
        Grid.Neighbourhood nb = grid.neighbourhood(true);
        int[] neighbours = new int[nb.count()];
        while (!heap.isEmpty()) {
            float level = (float) -heap.peekKey();
            int p = heap.pop();
            if (level < rec[p])
                continue; // a stale entry: p was raised after this push
            int count = nb.of(p, neighbours);
            for (int k = 0; k < count; k++) {
                int q = neighbours[k];
                float candidate = Math.min(level, mask[q]);
                if (candidate > rec[q]) {
                    rec[q] = candidate;
                    heap.push(-candidate, q);
                }
            }
        }
        return rec;
    }

    /**
     * Maxima of dynamic at least {@code h}: the regional maxima of the reconstruction of {@code values - h}
     * under {@code values} (Soille's h-maxima). h = 0 gives the regional maxima themselves; a larger h drops
     * the peaks that noise makes.
     */
    public static boolean[] hMaxima(Grid grid, float[] values, double h) {
        if (h <= 0)
            return regionalMaxima(grid, values);
        float[] lowered = new float[values.length];
        for (int i = 0; i < values.length; i++)
            lowered[i] = (float) (values[i] - h);
        return regionalMaxima(grid, reconstruct(grid, lowered, values));
    }
}
