package org.tessera.volume.instances;

import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Volume;
import org.tessera.volume.classic.Components;
import org.tessera.volume.classic.DistanceTransform;
import org.tessera.volume.classic.Grid;
import org.tessera.volume.classic.Watershed;

/**
 * Instance labels (objects 1..n, 0 elsewhere) in 2D or 3D, from a network's class probabilities or from a
 * foreground mask. Voxels are flat arrays in a {@link Grid}'s order. Every rule ends the same way
 * ({@link #finish}): objects below {@code minArea} voxels go, holes are filled when asked, and the objects are
 * numbered 1..n in the raster order of their first voxel, so equal inputs give equal labels.
 */
public final class InstanceLabels {

    private InstanceLabels() {}

    /**
     * Interior and boundary probabilities (a nuclei model's classes): the foreground is P(interior) +
     * P(boundary) >= foregroundThreshold; seeds are the face-connected parts of the foreground where
     * P(interior) >= seedThreshold, at least minSeedArea voxels each; a seeded watershed floods the foreground
     * from them, highest P(interior) first (ties first in, first out), so objects meet on the boundary ridge.
     * Foreground that no seed reaches is left out.
     *
     * @param boundary null when the model has no boundary class
     */
    public static int[] fromProbabilities(Grid grid, float[] interior, float[] boundary, InstanceParameters p) {
        int n = grid.size();
        boolean[] foreground = new boolean[n], seedMask = new boolean[n];
        float[] relief = new float[n];
        for (int i = 0; i < n; i++) {
            foreground[i] = interior[i] + (boundary == null ? 0 : boundary[i]) >= p.foregroundThreshold();
            seedMask[i] = foreground[i] && interior[i] >= p.seedThreshold();
            relief[i] = -interior[i]; // the flood takes the lowest first
        }
        int[] seeds = removeSmall(Components.label(grid, seedMask, false), p.minSeedArea());
        return finish(grid, Watershed.flood(grid, relief, seeds, foreground), p);
    }

    /**
     * A foreground mask split at the necks of its distance map (the classic watershed's {@code markers=distance}
     * rule): for models whose card says nothing of instances. Only minArea and fillHoles apply.
     */
    public static int[] fromMask(Grid grid, boolean[] foreground, InstanceParameters p) {
        return finish(grid, Watershed.splitByDistance(grid, foreground, DistanceTransform.of(grid, foreground),
                Double.NaN), p);
    }

    /** The face-connected components of a foreground mask (classic methods). Only minArea and fillHoles apply. */
    public static int[] components(Grid grid, boolean[] foreground, InstanceParameters p) {
        return finish(grid, Components.label(grid, foreground, false), p);
    }

    /** Small objects removed, holes filled (when asked), objects renumbered 1..n in raster order. */
    public static int[] finish(Grid grid, int[] labels, InstanceParameters p) {
        int[] out = removeSmall(labels, p.minArea());
        if (p.fillHoles())
            fillHoles(grid, out);
        return renumber(out);
    }

    /**
     * Instance labels as a 16-bit volume with {@code like}'s geometry.
     *
     * @throws InvalidInputException when there are more than 65535 objects
     */
    public static Volume toVolume(Grid grid, int[] labels, Volume like) {
        int count = Components.count(labels);
        if (count > 65535)
            throw new InvalidInputException("Found " + count + " objects, more than a 16-bit instance image holds "
                    + "(65535); raise seedThreshold, minSeedArea or minArea (--instance-param), or segment the image "
                    + "in parts");
        short[] shorts = new short[labels.length];
        for (int i = 0; i < shorts.length; i++)
            shorts[i] = (short) labels[i];
        return like.withImage(grid.shorts(shorts), false);
    }

    /** Labels with fewer than {@code min} voxels set to 0 (a new array). */
    static int[] removeSmall(int[] labels, int min) {
        int[] size = new int[Components.count(labels) + 1];
        for (int l : labels)
            size[l]++;
        int[] out = new int[labels.length];
        for (int i = 0; i < labels.length; i++)
            out[i] = size[labels[i]] >= min ? labels[i] : 0;
        return out;
    }

    /**
     * Fills, in place, each hole: a face-connected background region that does not reach the image border and
     * touches one object only (a gap enclosed by two touching objects is no hole of either).
     */
    static void fillHoles(Grid grid, int[] labels) {
        boolean[] background = new boolean[labels.length];
        for (int i = 0; i < labels.length; i++)
            background[i] = labels[i] == 0;
        int[] regions = Components.label(grid, background, false);
        int count = Components.count(regions);
        int[] owner = new int[count + 1]; // the one object a region touches; -1: the border or several
        int[] pos = new int[grid.numDimensions()], neighbours = new int[2 * grid.numDimensions()];
        Grid.Neighbourhood nb = grid.neighbourhood(false);
        for (int i = 0; i < labels.length; i++) {
            int r = regions[i];
            if (r == 0 || owner[r] < 0)
                continue;
            if (grid.onBorder(grid.position(i, pos))) {
                owner[r] = -1;
                continue;
            }
            int k = nb.of(i, neighbours);
            for (int j = 0; j < k; j++) {
                int object = labels[neighbours[j]];
                if (object != 0 && owner[r] != object)
                    owner[r] = owner[r] == 0 ? object : -1;
            }
        }
        for (int i = 0; i < labels.length; i++)
            if (regions[i] > 0 && owner[regions[i]] > 0)
                labels[i] = owner[regions[i]];
    }

    /** Objects numbered 1..n in the order the flat scan meets their first voxel. */
    static int[] renumber(int[] labels) {
        int[] next = new int[Components.count(labels) + 1];
        int n = 0;
        int[] out = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            int l = labels[i];
            if (l == 0)
                continue;
            if (next[l] == 0)
                next[l] = ++n;
            out[i] = next[l];
        }
        return out;
    }
}
