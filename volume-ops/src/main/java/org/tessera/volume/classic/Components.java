package org.tessera.volume.classic;

/** Connected components of binary masks on a {@link Grid}, and hole filling. */
public final class Components {

    private Components() {}

    /**
     * Labels the connected components of a mask 1..n in the order the flat scan first meets them (as
     * scipy.ndimage.label does); 0 outside the mask.
     *
     * @param full full connectivity (8 in 2D, 26 in 3D) instead of faces only (4, 6)
     * @return the labels; {@code labels.length == mask.length}; the count is the largest label
     */
    public static int[] label(Grid grid, boolean[] mask, boolean full) {
        int[] labels = new int[mask.length];
        Grid.Neighbourhood nb = grid.neighbourhood(full);
        int[] neighbours = new int[nb.count()];
        int[] queue = new int[mask.length];
        int next = 0;
        for (int seed = 0; seed < mask.length; seed++) {
            if (!mask[seed] || labels[seed] != 0)
                continue;
            next++;
            int head = 0, tail = 0;
            queue[tail++] = seed;
            labels[seed] = next;
            while (head < tail) {
                int p = queue[head++];
                int count = nb.of(p, neighbours);
                for (int k = 0; k < count; k++) {
                    int q = neighbours[k];
                    if (mask[q] && labels[q] == 0) {
                        labels[q] = next;
                        queue[tail++] = q;
                    }
                }
            }
        }
        return labels;
    }

    public static int count(int[] labels) {
        int max = 0;
        for (int l : labels)
            max = Math.max(max, l);
        return max;
    }

    /**
     * The mask with its holes filled: background regions (connected through faces) that do not reach the
     * image border become foreground, as scipy.ndimage.binary_fill_holes does.
     */
    public static boolean[] fillHoles(Grid grid, boolean[] mask) {
        boolean[] background = new boolean[mask.length];
        java.util.List<Integer> border = new java.util.ArrayList<>();
        int[] pos = new int[grid.numDimensions()];
        for (int i = 0; i < mask.length; i++) {
            background[i] = !mask[i];
            if (background[i] && grid.onBorder(grid.position(i, pos)))
                border.add(i);
        }
        boolean[] outside = flood(grid, background, border.stream().mapToInt(Integer::intValue).toArray());
        boolean[] filled = new boolean[mask.length];
        for (int i = 0; i < mask.length; i++)
            filled[i] = !outside[i];
        return filled;
    }

    /** The voxels of {@code allowed} connected (through faces) to a seed that is itself allowed. */
    public static boolean[] flood(Grid grid, boolean[] allowed, int[] seeds) {
        boolean[] reached = new boolean[allowed.length];
        int[] queue = new int[allowed.length];
        int tail = 0;
        for (int s : seeds)
            if (allowed[s] && !reached[s]) {
                reached[s] = true;
                queue[tail++] = s;
            }
        Grid.Neighbourhood nb = grid.neighbourhood(false);
        int[] neighbours = new int[nb.count()];
        for (int head = 0; head < tail; head++) {
            int count = nb.of(queue[head], neighbours);
            for (int k = 0; k < count; k++) {
                int q = neighbours[k];
                if (allowed[q] && !reached[q]) {
                    reached[q] = true;
                    queue[tail++] = q;
                }
            }
        }
        return reached;
    }

    /** Binary dilation by one voxel: the mask and every neighbour of it. */
    public static boolean[] dilate(Grid grid, boolean[] mask, boolean full) {
        Grid.Neighbourhood nb = grid.neighbourhood(full);
        int[] neighbours = new int[nb.count()];
        boolean[] out = mask.clone();
        for (int i = 0; i < mask.length; i++)
            if (mask[i]) {
                int count = nb.of(i, neighbours);
                for (int k = 0; k < count; k++)
                    out[neighbours[k]] = true;
            }
        return out;
    }

    /** Binary erosion by one voxel: the voxels whose neighbours all lie in the mask (outside the image counts as in). */
    public static boolean[] erode(Grid grid, boolean[] mask, boolean full) {
        boolean[] inverse = new boolean[mask.length];
        for (int i = 0; i < mask.length; i++)
            inverse[i] = !mask[i];
        boolean[] grown = dilate(grid, inverse, full);
        boolean[] out = new boolean[mask.length];
        for (int i = 0; i < mask.length; i++)
            out[i] = !grown[i];
        return out;
    }

    /** Holes filled in each xy plane of a 3D mask separately (a 2D mask: as {@link #fillHoles}). */
    public static boolean[] fillHolesInPlanes(Grid grid, boolean[] mask) {
        if (grid.numDimensions() == 2)
            return fillHoles(grid, mask);
        Grid plane = grid.plane();
        int n = plane.size();
        boolean[] out = new boolean[mask.length], slice = new boolean[n];
        for (int z = 0; z < grid.dim(2); z++) {
            System.arraycopy(mask, z * n, slice, 0, n);
            System.arraycopy(fillHoles(plane, slice), 0, out, z * n, n);
        }
        return out;
    }

    /** The components of {@code mask} (connectivity as asked) that contain at least one voxel of {@code marked}. */
    public static boolean[] touching(Grid grid, boolean[] mask, boolean[] marked, boolean full) {
        int[] labels = label(grid, mask, full);
        boolean[] keep = new boolean[count(labels) + 1];
        for (int i = 0; i < mask.length; i++)
            if (marked[i] && labels[i] > 0)
                keep[labels[i]] = true;
        boolean[] out = new boolean[mask.length];
        for (int i = 0; i < mask.length; i++)
            out[i] = keep[labels[i]] && labels[i] > 0;
        return out;
    }
}
