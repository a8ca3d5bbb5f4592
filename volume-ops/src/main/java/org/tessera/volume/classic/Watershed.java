package org.tessera.volume.classic;

import java.util.List;

/**
 * Marker-controlled watershed. Object markers are the maxima of the smoothed image ({@code markers=extrema})
 * or the peaks of the distance map of Otsu's mask ({@code markers=distance}), both kept inside Otsu's mask;
 * background markers are the minima of the smoothed image outside it. The relief flooded is the gradient
 * magnitude of the smoothed image, in voxel steps (boundaries settle on edges) or the inverted distance map (touching
 * objects split at their necks; flooding stays inside Otsu's mask). Basins flooded from object markers are
 * the objects, each one an instance.
 */
public final class Watershed implements ClassicMethod {

    public static final Watershed METHOD = new Watershed();

    private Watershed() {}

    /**
     * Meyer's flooding, as scikit-image's {@code watershed} (connectivity 1): voxels leave a priority queue
     * lowest first, ties first in first out, and each labels its unlabelled neighbours as it leaves.
     *
     * @param markers labels > 0 where flooding starts, 0 elsewhere (not changed)
     * @param mask    where flooding may go (markers outside it are dropped), or null for everywhere
     * @return the labels: every voxel reachable from a marker within the mask gets that marker's label
     */
    public static int[] flood(Grid grid, float[] surface, int[] markers, boolean[] mask) {
        int[] labels = markers.clone();
        Heap heap = new Heap();
        long age = 0;
        for (int i = 0; i < labels.length; i++) {
            if (mask != null && !mask[i])
                labels[i] = 0;
            if (labels[i] != 0)
                heap.push(surface[i], age++, i);
        }
        Grid.Neighbourhood nb = grid.neighbourhood(false);
        int[] neighbours = new int[nb.count()];
        while (!heap.isEmpty()) {
            int p = heap.pop();
            int count = nb.of(p, neighbours);
            for (int k = 0; k < count; k++) {
                int q = neighbours[k];
                if (labels[q] != 0 || (mask != null && !mask[q]))
                    continue;
                labels[q] = labels[p];
                heap.push(surface[q], age++, q);
            }
        }
        return labels;
    }

    /**
     * The {@code markers=distance surface=distance} rule on a mask: markers are the peaks of the distance map of
     * dynamic at least {@code h} (NaN: one voxel of the finest axis), and flooding the inverted distance within
     * the mask splits touching objects at their necks.
     *
     * @param distance the mask's distance map ({@link DistanceTransform#of})
     * @return objects 1..n, 0 outside the mask
     */
    public static int[] splitByDistance(Grid grid, boolean[] mask, float[] distance, double h) {
        boolean[] peaks = distancePeaks(grid, distance, h);
        for (int i = 0; i < peaks.length; i++)
            peaks[i] &= mask[i];
        return flood(grid, Filters.negate(distance), labelMarkers(grid, peaks, 1, new int[mask.length]), mask);
    }

    private static boolean[] distancePeaks(Grid grid, float[] distance, double h) {
        return Extrema.hMaxima(grid, distance, Double.isNaN(h) ? grid.finestSpacing() : h);
    }

    /** Labels each connected component (full connectivity) of the marked voxels, starting at {@code first}. */
    static int[] labelMarkers(Grid grid, boolean[] marked, int first, int[] into) {
        int[] components = Components.label(grid, marked, true);
        for (int i = 0; i < into.length; i++)
            if (components[i] > 0)
                into[i] = first + components[i] - 1;
        return into;
    }

    @Override
    public String name() { return "watershed"; }

    @Override
    public String summary() {
        return "Marker-controlled watershed: object markers (smoothed maxima or distance peaks inside Otsu's mask) "
                + "and background markers flood the gradient magnitude or the inverted distance map";
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(
                new Parameter("markers", "extrema", "object markers: extrema (maxima of the smoothed image with "
                        + "dynamic >= h) or distance (peaks of the distance map of Otsu's mask, dynamic >= h)"),
                new Parameter("surface", "gradient for extrema, distance for distance", "the relief flooded: gradient "
                        + "(magnitude of the smoothed image's gradient) or distance (inverted distance map, inside "
                        + "Otsu's mask)"),
                new Parameter("h", "0 for extrema, auto for distance", "smallest dynamic of a marker peak: intensity "
                        + "units for extrema, image units (length) for distance; auto = one voxel of the finest axis"),
                new Parameter("instances", "false", "true: also return the objects as instances 1..n (the CLI writes "
                        + "<name>_instances, Fiji shows <title>_instances)"),
                Shared.objectsParameter("markers are taken from maxima of the intensity or of its negative"),
                Shared.sigmaParameter("auto"));
    }

    @Override
    public Prepared prepare(Parameters p) {
        boolean distanceMarkers = p.choice("markers", "extrema", "extrema", "distance").equals("distance");
        boolean distanceSurface = p.choice("surface", distanceMarkers ? "distance" : "gradient", "gradient", "distance")
                .equals("distance");
        double h = distanceMarkers ? p.numberOrAuto("h", 0, Double.MAX_VALUE, "a length >= 0")
                : p.number("h", 0, 0, Double.MAX_VALUE, "an intensity difference >= 0");
        boolean instances = p.choice("instances", "false", "true", "false").equals("true");
        boolean dark = Shared.darkObjects(p);
        double sigma = Shared.sigma(p, Double.NaN);
        return new Prepared() {
            @Override
            public int classes() { return 2; }

            @Override
            public boolean instances() { return instances; }

            @Override
            public Segmentation run(Grid grid, float[] values, boolean integers) {
                float[] smoothed = Shared.smooth(grid, dark ? Filters.negate(values) : values, sigma);
                double otsu = Otsu.thresholds(Histogram.of(smoothed, integers && sigma == 0), 1)[0];
                boolean[] inside = new boolean[values.length];
                for (int i = 0; i < inside.length; i++)
                    inside[i] = smoothed[i] > otsu;
                float[] distance = distanceMarkers || distanceSurface ? DistanceTransform.of(grid, inside) : null;
                if (distanceMarkers && distanceSurface) {
                    int[] split = splitByDistance(grid, inside, distance, h);
                    return new Segmentation(Shared.twoClasses(objects(split), values, dark), instances ? split : null);
                }

                boolean[] objects = distanceMarkers ? distancePeaks(grid, distance, h) : Extrema.hMaxima(grid, smoothed, h);
                boolean[] background = Extrema.hMaxima(grid, Filters.negate(smoothed), distanceMarkers ? 0 : h);
                for (int i = 0; i < inside.length; i++) {
                    objects[i] &= inside[i];
                    background[i] &= !inside[i];
                }
                int[] markers = new int[values.length];
                for (int i = 0; i < markers.length; i++)
                    if (background[i])
                        markers[i] = 1;
                labelMarkers(grid, objects, 2, markers);

                // The gradient in voxel steps, not per unit length: a boundary is an intensity step between
                // neighbouring voxels, and per unit length the steps across thick slices of anisotropic stacks
                // look weak, so floods leak in through the caps of objects.
                int[] labels = distanceSurface ? flood(grid, Filters.negate(distance), markers, inside)
                        : flood(grid, Filters.magnitude(Filters.gradient(grid.inVoxels(), smoothed)), markers, null);
                int[] objects1ToN = new int[labels.length];
                for (int i = 0; i < labels.length; i++)
                    objects1ToN[i] = labels[i] >= 2 ? labels[i] - 1 : 0;
                return new Segmentation(Shared.twoClasses(objects(objects1ToN), values, dark),
                        instances ? objects1ToN : null);
            }
        };
    }

    private static boolean[] objects(int[] labels) {
        boolean[] objects = new boolean[labels.length];
        for (int i = 0; i < labels.length; i++)
            objects[i] = labels[i] > 0;
        return objects;
    }
}
