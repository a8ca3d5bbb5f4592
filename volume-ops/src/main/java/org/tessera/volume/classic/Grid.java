package org.tessera.volume.classic;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import net.imglib2.Interval;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.img.basictypeaccess.array.ShortArray;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

import org.tessera.volume.InvalidInputException;

/**
 * The shape and voxel spacing of a whole 2D or 3D image whose voxels sit in a flat array in imglib2's flat
 * order (x fastest), which is numpy's C order of the (z, y, x) array: the common currency of the classic
 * methods. Also the voxel neighbourhoods they use: connectivity 1 (faces) or full (faces, edges, corners).
 */
public final class Grid {

    private final int[] dims;
    private final double[] spacing;
    private final int size;

    public Grid(long[] dims, double[] spacing) {
        if (dims.length != spacing.length || dims.length < 1 || dims.length > 3)
            throw new IllegalArgumentException("dims " + Arrays.toString(dims) + ", spacing " + Arrays.toString(spacing));
        long n = 1;
        this.dims = new int[dims.length];
        for (int d = 0; d < dims.length; d++) {
            n *= dims[d];
            this.dims[d] = (int) dims[d];
        }
        if (n > Integer.MAX_VALUE - 8)
            throw new InvalidInputException("The image has " + n + " voxels; the classic methods take at most "
                    + (Integer.MAX_VALUE - 8) + ". Crop or downsample it first");
        this.size = (int) n;
        this.spacing = spacing.clone();
    }

    public static Grid of(Interval interval, double[] spacing) {
        return new Grid(interval.dimensionsAsLongArray(), spacing);
    }

    /** The same shape with spacing 1: lengths and derivatives counted in voxel steps. */
    public Grid inVoxels() {
        double[] ones = new double[dims.length];
        Arrays.fill(ones, 1);
        return new Grid(dims(), ones);
    }

    /** One plane (x, y) of a 3D grid, as a 2D grid. */
    public Grid plane() {
        return new Grid(new long[] { dims[0], dims[1] }, new double[] { spacing[0], spacing[1] });
    }

    public int numDimensions() { return dims.length; }

    public int dim(int d) { return dims[d]; }

    public long[] dims() {
        long[] out = new long[dims.length];
        for (int d = 0; d < dims.length; d++)
            out[d] = dims[d];
        return out;
    }

    public double spacing(int d) { return spacing[d]; }

    public double[] spacing() { return spacing.clone(); }

    public int size() { return size; }

    /** The smallest voxel size: the default length scale of smoothing. */
    public double finestSpacing() {
        return Arrays.stream(spacing).min().orElse(1);
    }

    /** Copies an image's values (any real type) into a new float array in flat order. */
    public float[] read(RandomAccessibleInterval<? extends RealType<?>> image) {
        if (!Arrays.equals(image.dimensionsAsLongArray(), dims()))
            throw new IllegalArgumentException("image " + Arrays.toString(image.dimensionsAsLongArray()) + " vs grid "
                    + Arrays.toString(dims));
        float[] values = new float[size];
        int i = 0;
        for (RealType<?> t : Views.flatIterable(image))
            values[i++] = t.getRealFloat();
        return values;
    }

    public ArrayImg<FloatType, FloatArray> floats(float[] values) {
        return ArrayImgs.floats(values, dims());
    }

    public ArrayImg<UnsignedByteType, ByteArray> bytes(byte[] values) {
        return ArrayImgs.unsignedBytes(values, dims());
    }

    public ArrayImg<UnsignedShortType, ShortArray> shorts(short[] values) {
        return ArrayImgs.unsignedShorts(values, dims());
    }

    /** Coordinates (x, y[, z]) of a flat index. */
    public int[] position(int index, int[] pos) {
        for (int d = 0; d < dims.length; d++) {
            pos[d] = index % dims[d];
            index /= dims[d];
        }
        return pos;
    }

    public int index(int... pos) {
        int index = 0;
        for (int d = dims.length - 1; d >= 0; d--)
            index = index * dims[d] + pos[d];
        return index;
    }

    /** Whether a voxel lies on the image border (a face of the box). */
    public boolean onBorder(int[] pos) {
        for (int d = 0; d < dims.length; d++)
            if (pos[d] == 0 || pos[d] == dims[d] - 1)
                return true;
        return false;
    }

    /** The neighbours of a voxel: connectivity 1 (2 per axis) or full (3^n - 1). */
    public Neighbourhood neighbourhood(boolean full) {
        return new Neighbourhood(full);
    }

    /**
     * Neighbour offsets, listed in numpy's C order over (z, y, x) (the order scikit-image visits them, which
     * decides ties in the watershed). Not thread-safe: each user takes its own.
     */
    public final class Neighbourhood {

        private final int[][] deltas;
        private final int[] offsets;
        private final int[] pos = new int[dims.length];

        private Neighbourhood(boolean full) {
            List<int[]> list = new ArrayList<>();
            int n = dims.length;
            int[] delta = new int[n];
            int combinations = (int) Math.pow(3, n);
            for (int c = 0; c < combinations; c++) {
                // c counts in base 3 with x fastest, so the slowest digit is the last axis (z): C order of (z, y, x)
                int rest = c, nonZero = 0;
                for (int d = 0; d < n; d++) {
                    delta[d] = rest % 3 - 1;
                    rest /= 3;
                    if (delta[d] != 0)
                        nonZero++;
                }
                if (nonZero == 0 || (!full && nonZero > 1))
                    continue;
                list.add(delta.clone());
            }
            deltas = list.toArray(new int[0][]);
            offsets = new int[deltas.length];
            for (int k = 0; k < deltas.length; k++) {
                int offset = 0, stride = 1;
                for (int d = 0; d < n; d++) {
                    offset += deltas[k][d] * stride;
                    stride *= dims[d];
                }
                offsets[k] = offset;
            }
        }

        public int count() { return deltas.length; }

        /** The k-th neighbour offset in voxels per axis (x, y[, z]); shared, do not change. */
        public int[] delta(int k) { return deltas[k]; }

        /** Fills {@code out} with the flat indices of the voxel's neighbours inside the image; returns how many. */
        public int of(int index, int[] out) {
            position(index, pos);
            int count = 0;
            next: for (int k = 0; k < deltas.length; k++) {
                for (int d = 0; d < pos.length; d++) {
                    int p = pos[d] + deltas[k][d];
                    if (p < 0 || p >= dims[d])
                        continue next;
                }
                out[count++] = index + offsets[k];
            }
            return count;
        }

        /** The neighbour of a voxel at offset k, or -1 outside the image. */
        public int at(int index, int k) {
            position(index, pos);
            for (int d = 0; d < pos.length; d++) {
                int p = pos[d] + deltas[k][d];
                if (p < 0 || p >= dims[d])
                    return -1;
            }
            return index + offsets[k];
        }
    }
}
