package org.tessera.volume.tiling;

import org.tessera.volume.InvalidInputException;

/**
 * Chooses or checks a tile size against a model's constraints. All arrays are spatial, imglib2 order
 * x, y[, z], as in the model card.
 */
public final class TileSizes {

    /** The most voxels one tile may hold: a float tile of this size is 512 MiB per channel. */
    public static final long MAX_TILE_VOXELS = 1L << 27;

    private TileSizes() {}

    /** The name of axis d (0-based): x, y, z. */
    public static String axis(int d) {
        return d == 0 ? "x" : d == 1 ? "y" : d == 2 ? "z" : "axis " + d;
    }

    /**
     * A valid tile size.
     *
     * @param mode          how the tiles will be stitched; in halo mode the tile must leave a core
     * @param requested     the user's tile size, or null for automatic
     * @param preferred     the model's preferred patch size (used when {@code requested} is null)
     * @param divisibility  per-axis divisor every tile size must be a multiple of, or null for none
     * @param fixedInputSize the only input size the model accepts, or null when any divisible size works
     * @param halo          voxels of context per side (halo mode), or null for none
     * @param volumeShape   spatial shape of the volume to tile
     * @throws InvalidInputException naming the axis and a size that would work
     */
    public static int[] resolve(TileMode mode, int[] requested, int[] preferred, int[] divisibility,
            int[] fixedInputSize, int[] halo, long[] volumeShape) {
        int n = volumeShape.length;
        int[] div = divisibility == null ? ones(n) : checkLength("divisibility", divisibility, n);
        int[] h = mode == TileMode.HALO && halo != null ? checkLength("halo", halo, n) : new int[n];
        for (int d = 0; d < n; d++) {
            if (div[d] < 1)
                throw new InvalidInputException("divisibility " + div[d] + " along " + axis(d) + " must be at least 1");
            if (h[d] < 0)
                throw new InvalidInputException("halo " + h[d] + " along " + axis(d) + " is negative; use 0 or more");
        }
        int[] tile;
        if (fixedInputSize != null) {
            int[] fixed = checkLength("fixed input size", fixedInputSize, n);
            if (requested != null && !java.util.Arrays.equals(requested, fixed))
                throw new InvalidInputException("tile size " + format(requested) + " does not fit: this model needs a fixed tile of "
                        + format(fixed));
            tile = fixed.clone();
        } else if (requested != null) {
            tile = checkLength("tile size", requested, n).clone();
            for (int d = 0; d < n; d++) {
                if (tile[d] < 1)
                    throw new InvalidInputException("tile size " + tile[d] + " along " + axis(d) + " must be positive; use "
                            + Math.max(div[d], 2 * h[d] + div[d]));
                if (tile[d] % div[d] != 0) {
                    int below = tile[d] / div[d] * div[d];
                    int above = below + div[d];
                    throw new InvalidInputException("tile size " + tile[d] + " along " + axis(d) + " is not a multiple of "
                            + div[d] + "; use " + (below > 2 * h[d] ? below + " or " + above : String.valueOf(above)));
                }
            }
            long voxels = 1;
            for (int t : tile)
                voxels *= t; // at most 3 axes below 2^31 each: no overflow in a long
            if (voxels > MAX_TILE_VOXELS)
                throw new InvalidInputException("tile size " + format(tile) + " holds " + voxels + " voxels; a tile may "
                        + "hold at most " + MAX_TILE_VOXELS + " (e.g. 8192,8192 or 512,512,512); leave the tile size out "
                        + "to use the model's patch size");
        } else {
            if (preferred == null)
                throw new InvalidInputException("automatic tile size needs the model's preferred patch size; give a tile size");
            int[] pref = checkLength("preferred patch size", preferred, n);
            tile = new int[n];
            for (int d = 0; d < n; d++) {
                // the preferred size rounded down to the divisibility; in halo mode at least half of it is core,
                // so that a wide receptive field does not leave tiny cores (many tiles, mostly context)
                int p = Math.max(pref[d] / div[d] * div[d], roundUp(2 * h[d] + Math.max(1, pref[d] / 2), div[d]));
                // an axis that one tile covers needs no halo: the tile is just the volume, rounded up
                tile[d] = (int) Math.min(p, roundUp(volumeShape[d], div[d]));
            }
        }
        if (mode == TileMode.HALO)
            for (int d = 0; d < n; d++)
                if (tile[d] - 2 * h[d] <= 0 && tile[d] < volumeShape[d])
                    throw new InvalidInputException("halo " + h[d] + " leaves no core in a " + tile[d] + " tile along "
                            + axis(d) + "; use a tile of at least " + roundUp(2 * h[d] + 1, div[d])
                            + (fixedInputSize != null ? " (this model's fixed size is too small for this halo; use a smaller halo)" : ""));
        return tile;
    }

    /** Rounds a halo up to multiples of the divisibility, so halo tiles stay on the network's pooling lattice. */
    public static int[] alignHalo(int[] halo, int[] divisibility) {
        int[] out = new int[halo.length];
        for (int d = 0; d < halo.length; d++)
            out[d] = (int) roundUp(halo[d], divisibility == null ? 1 : divisibility[d]);
        return out;
    }

    static long roundUp(long v, int m) {
        return (v + m - 1) / m * m;
    }

    private static int roundUp(int v, int m) {
        return (v + m - 1) / m * m;
    }

    private static int[] ones(int n) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, 1);
        return a;
    }

    private static int[] checkLength(String what, int[] a, int n) {
        if (a.length != n)
            throw new InvalidInputException(what + " " + format(a) + " has " + a.length + " values; this volume needs " + n
                    + " (x, y" + (n == 3 ? ", z)" : ")"));
        return a;
    }

    /** A size for messages: "64 x 64 x 32". */
    public static String format(int[] a) {
        return format(a, " x ");
    }

    /** A size with its own separator between the axes, e.g. "64x64x32". */
    public static String format(int[] a, String separator) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < a.length; i++)
            sb.append(i == 0 ? "" : separator).append(a[i]);
        return sb.toString();
    }
}
