package org.tessera.volume.classic;

import java.util.ArrayList;
import java.util.List;

/**
 * Edge-based segmentation: Canny's edges (Gaussian smoothing, gradient magnitude, non-maximum suppression
 * along the gradient, hysteresis between a low and a high threshold), then every region the edges close off
 * from the image border is filled: closed contours (2D) or surfaces (3D) become objects, and in 3D also the
 * regions closed off within their xy plane. Directions and
 * lengths are physical, so anisotropic voxels are handled. Gaps of a voxel or so in a contour are closed
 * before filling ({@code close}).
 */
public final class Edges implements ClassicMethod {

    public static final Edges METHOD = new Edges();

    static final int MAX_CLOSE = 10;

    private Edges() {}

    /**
     * Keeps the voxels whose gradient magnitude is a maximum along the gradient direction: compared with its
     * two neighbours along the neighbour direction (of the 8 or 26) closest to the gradient's.
     */
    public static boolean[] thin(Grid grid, float[][] gradient, float[] magnitude) {
        Grid.Neighbourhood nb = grid.neighbourhood(true);
        int n = grid.numDimensions();
        // half of the neighbour directions (one of each +/- pair), as unit vectors in physical space
        List<Integer> half = new ArrayList<>();
        List<double[]> units = new ArrayList<>();
        for (int k = 0; k < nb.count(); k++) {
            int[] d = nb.delta(k);
            // keep the direction whose last non-zero component is positive: one of each +/- pair
            int last = n - 1;
            while (d[last] == 0)
                last--;
            if (d[last] < 0)
                continue;
            double[] u = new double[n];
            double len = 0;
            for (int a = 0; a < n; a++) {
                u[a] = d[a] * grid.spacing(a);
                len += u[a] * u[a];
            }
            len = Math.sqrt(len);
            for (int a = 0; a < n; a++)
                u[a] /= len;
            half.add(k);
            units.add(u);
        }
        int[] opposite = new int[half.size()];
        for (int j = 0; j < half.size(); j++)
            opposite[j] = nb.count() - 1 - half.get(j); // the C-order list is symmetric about its middle
        boolean[] kept = new boolean[magnitude.length];
        for (int i = 0; i < magnitude.length; i++) {
            float m = magnitude[i];
            if (m <= 0)
                continue;
            int best = 0;
            double bestCos = -1;
            for (int j = 0; j < units.size(); j++) {
                double dot = 0;
                for (int a = 0; a < n; a++)
                    dot += gradient[a][i] * units.get(j)[a];
                double cos = Math.abs(dot) / m;
                if (cos > bestCos) {
                    bestCos = cos;
                    best = j;
                }
            }
            int ahead = nb.at(i, half.get(best)), behind = nb.at(i, opposite[best]);
            kept[i] = (ahead < 0 || m >= magnitude[ahead]) && (behind < 0 || m >= magnitude[behind]);
        }
        return kept;
    }

    /** The thinned voxels above {@code low} that are connected (full connectivity) to one above {@code high}. */
    public static boolean[] hysteresis(Grid grid, boolean[] thinned, float[] magnitude, double low, double high) {
        boolean[] weak = new boolean[magnitude.length], strong = new boolean[magnitude.length];
        for (int i = 0; i < weak.length; i++) {
            weak[i] = thinned[i] && magnitude[i] >= low;
            strong[i] = weak[i] && magnitude[i] >= high;
        }
        return Components.touching(grid, weak, strong, true);
    }

    @Override
    public String name() { return "edges"; }

    @Override
    public String summary() {
        return "Edge-based: Canny edges (smoothing, gradient, thinning, hysteresis), regions closed off by edges "
                + "filled as objects";
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(
                new Parameter("high", "auto", "gradient magnitude (intensity per image unit) that starts an edge; "
                        + "auto = Otsu's threshold of the gradient magnitude"),
                new Parameter("low", "auto", "gradient magnitude an edge may continue down to; auto = high / 2"),
                new Parameter("close", "1", "gaps in contours bridged, in voxels (0-" + MAX_CLOSE + ")"),
                Shared.sigmaParameter("auto"));
    }

    @Override
    public Prepared prepare(Parameters p) {
        double high = p.numberOrAuto("high", 0, Double.MAX_VALUE, "a gradient magnitude >= 0");
        double low = p.numberOrAuto("low", 0, Double.MAX_VALUE, "a gradient magnitude >= 0");
        if (!Double.isNaN(high) && !Double.isNaN(low) && low > high)
            throw p.bad("low", p.text("low", ""), "is above high=" + p.text("high", "") + "; give low <= high");
        int close = p.integer("close", 1, 0, MAX_CLOSE, "a whole number of voxels from 0 to " + MAX_CLOSE);
        double sigma = Shared.sigma(p, Double.NaN);
        return new Prepared() {
            @Override
            public int classes() { return 2; }

            @Override
            public Segmentation run(Grid grid, float[] values, boolean integers) {
                float[] smoothed = Shared.smooth(grid, values, sigma);
                float[][] gradient = Filters.gradient(grid, smoothed);
                float[] magnitude = Filters.magnitude(gradient);
                double hi = Double.isNaN(high) ? Otsu.thresholds(Histogram.of(magnitude, false), 1)[0] : high;
                double lo = Double.isNaN(low) ? hi / 2 : Math.min(low, hi);
                boolean[] edges = hysteresis(grid, thin(grid, gradient, magnitude), magnitude, lo, hi);
                // gaps of up to `close` voxels in a contour are bridged by growing the edges first and shrinking
                // the filled regions back as much afterwards (a morphological closing)
                for (int c = 0; c < close; c++)
                    edges = Components.dilate(grid, edges, true);
                // 3D: a region closed off in 3D, or within its own plane (surfaces of objects a few thick slices
                // deep seldom close at their caps; their outlines in each plane do)
                boolean[] objects = Components.fillHoles(grid, edges);
                boolean[] inPlanes = Components.fillHolesInPlanes(grid, edges);
                for (int i = 0; i < objects.length; i++)
                    objects[i] |= inPlanes[i];
                for (int c = 0; c < close; c++)
                    objects = Components.erode(grid, objects, true);
                return new Segmentation(Shared.twoClasses(objects, values, false), null);
            }
        };
    }
}
