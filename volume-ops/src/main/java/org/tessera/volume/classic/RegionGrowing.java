package org.tessera.volume.classic;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.tessera.volume.InvalidInputException;

/**
 * Seeded region growing: the region holds the seeds and every voxel connected to them (through faces)
 * through voxels whose intensity lies within a tolerance of the seeds' mean intensity. For one seed this is
 * scikit-image's {@code flood}. Seeds are points given by the user or, automatically, the brightest (or
 * darkest) percentile of the voxels; the default tolerance lets the region grow down to Otsu's threshold.
 */
public final class RegionGrowing implements ClassicMethod {

    public static final RegionGrowing METHOD = new RegionGrowing();

    private RegionGrowing() {}

    /**
     * The grown region.
     *
     * @param seeds     flat indices of the seed voxels (at least one)
     * @param reference the intensity the tolerance is measured from
     */
    public static boolean[] grow(Grid grid, float[] values, int[] seeds, double reference, double tolerance) {
        boolean[] within = new boolean[values.length];
        for (int i = 0; i < values.length; i++)
            within[i] = Math.abs(values[i] - reference) <= tolerance;
        return Components.flood(grid, within, seeds);
    }

    /** The voxels at or above the (100 - percent)th percentile: the brightest percent. */
    public static int[] brightestSeeds(float[] values, double percent) {
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.min(sorted.length - 1, Math.floor((1 - percent / 100) * sorted.length));
        float cut = sorted[rank];
        return java.util.stream.IntStream.range(0, values.length).filter(i -> values[i] >= cut).toArray();
    }

    @Override
    public String name() { return "region-growing"; }

    @Override
    public String summary() {
        return "Seeded region growing: from seed points (or the brightest/darkest voxels) through connected voxels "
                + "within a tolerance of the seeds' mean intensity";
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(
                new Parameter("seeds", "auto", "seed voxels as x,y[,z] separated by ';' (0-based voxel coordinates), "
                        + "or auto: the brightest (objects=bright) or darkest voxels"),
                new Parameter("seed-percent", "2", "auto seeds: the percentage of voxels taken (0-100)"),
                new Parameter("tolerance", "auto", "largest intensity difference from the seeds' mean, in the image's "
                        + "intensity units; auto = down to (or up to) Otsu's threshold"),
                Shared.objectsParameter("auto seeds are the brightest or the darkest voxels"),
                Shared.sigmaParameter("0"));
    }

    @Override
    public Prepared prepare(Parameters p) {
        List<int[]> points = points(p);
        double percent = p.number("seed-percent", 2, 1e-6, 100, "a percentage above 0 and up to 100");
        double tolerance = p.numberOrAuto("tolerance", 0, Double.MAX_VALUE, "an intensity difference >= 0");
        boolean dark = Shared.darkObjects(p);
        double sigma = Shared.sigma(p, 0);
        return new Prepared() {
            @Override
            public int classes() { return 2; }

            @Override
            public Segmentation run(Grid grid, float[] values, boolean integers) {
                float[] v = Shared.smooth(grid, values, sigma);
                // dark objects: grow on the negated image, so that "brightest" and "down to Otsu" still hold
                float[] f = dark ? Filters.negate(v) : v;
                int[] seeds = points == null ? brightestSeeds(f, percent) : indices(grid, points, p);
                double reference = 0;
                for (int s : seeds)
                    reference += f[s];
                reference /= seeds.length;
                double tol = tolerance;
                if (Double.isNaN(tol)) {
                    double otsu = Otsu.thresholds(Histogram.of(f, integers && sigma == 0), 1)[0];
                    tol = Math.abs(reference - otsu);
                }
                boolean[] region = grow(grid, f, seeds, reference, tol);
                return new Segmentation(Shared.twoClasses(region, values, dark), null);
            }
        };
    }

    /** The seeds parameter as points, or null for automatic seeds. */
    private static List<int[]> points(Parameters p) {
        String text = p.text("seeds", "auto");
        if (text.equalsIgnoreCase("auto"))
            return null;
        List<int[]> points = new ArrayList<>();
        for (String point : text.split(";")) {
            String[] parts = point.strip().split(",");
            int[] xyz = new int[parts.length];
            try {
                for (int d = 0; d < parts.length; d++)
                    xyz[d] = Integer.parseInt(parts[d].strip());
            } catch (NumberFormatException e) {
                throw p.bad("seeds", text, "is not understood; give voxel coordinates x,y (2D) or x,y,z (3D), "
                        + "several separated by ';', e.g. seeds=40,52;100,20, or seeds=auto");
            }
            points.add(xyz);
        }
        return points;
    }

    private static int[] indices(Grid grid, List<int[]> points, Parameters p) {
        int[] indices = new int[points.size()];
        for (int i = 0; i < indices.length; i++) {
            int[] xyz = points.get(i);
            if (xyz.length != grid.numDimensions())
                throw new InvalidInputException("Parameter seeds of " + p.method() + ": the seed " + Arrays.toString(xyz)
                        + " has " + xyz.length + " coordinates but the image is " + grid.numDimensions()
                        + "D; give x,y" + (grid.numDimensions() == 3 ? ",z" : "") + " per seed");
            for (int d = 0; d < xyz.length; d++)
                if (xyz[d] < 0 || xyz[d] >= grid.dim(d))
                    throw new InvalidInputException("Parameter seeds of " + p.method() + ": the seed "
                            + Arrays.toString(xyz) + " lies outside the image " + Arrays.toString(grid.dims())
                            + "; coordinates are 0-based voxel indices (x, y[, z])");
            indices[i] = grid.index(xyz);
        }
        return indices;
    }
}
