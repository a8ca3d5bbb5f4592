package org.tessera.planner;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import net.imglib2.util.Intervals;
import net.imglib2.view.Views;

import java.nio.file.Path;
import java.util.List;
import java.util.function.ObjIntConsumer;

/**
 * One training case in memory, in nnU-Net array order: shape and spacing as (z, y, x), voxels flattened in
 * C order (x varies fastest), one array per input channel, and the label image as integers.
 * <p>
 * This class is the single place where Tessera's imglib2 order (x, y[, z]) becomes nnU-Net's (z, y, x).
 * A 2D image becomes (1, y, x) with a first-axis spacing of 999 times its largest in-plane spacing, as
 * nnU-Net's SimpleITK reader stores 2D images.
 *
 * @param id         the case identifier (file name without channel suffix and ending)
 * @param shape      (z, y, x)
 * @param spacing    (z, y, x)
 * @param channels   per channel, {@code shape[0] * shape[1] * shape[2]} values
 * @param labels     the label value of every voxel, same layout
 * @param imageFiles the image file of each channel
 * @param labelFile  the label file
 */
public record CaseData(String id, int[] shape, double[] spacing, float[][] channels, int[] labels,
                       List<Path> imageFiles, Path labelFile) {

    /** nnU-Net's first-axis spacing for 2D images is this factor times the largest in-plane spacing. */
    public static final double SPACING_FACTOR_2D = 999;

    public int voxels() {
        return shape[0] * shape[1] * shape[2];
    }

    /** imglib2 spatial dimensions (x, y[, z]) to nnU-Net shape (z, y, x); 2D gives (1, y, x). */
    public static int[] shapeZyx(long[] xyz) {
        if (xyz.length == 2) {
            return new int[]{1, Math.toIntExact(xyz[1]), Math.toIntExact(xyz[0])};
        }
        return new int[]{Math.toIntExact(xyz[2]), Math.toIntExact(xyz[1]), Math.toIntExact(xyz[0])};
    }

    /** imglib2 spacing (x, y[, z]) to nnU-Net spacing (z, y, x); 2D gives (999 * max(x, y), y, x). */
    public static double[] spacingZyx(double[] xyz) {
        if (xyz.length == 2) {
            return new double[]{Math.max(xyz[0], xyz[1]) * SPACING_FACTOR_2D, xyz[1], xyz[0]};
        }
        return new double[]{xyz[2], xyz[1], xyz[0]};
    }

    /** Flat index of array position (z, y, x) in a C-order array of {@code shape}. */
    public static int index(int[] shape, int z, int y, int x) {
        return (z * shape[1] + y) * shape[2] + x;
    }

    /**
     * The voxels of a purely spatial image in C order for its (z, y, x) shape: imglib2's flat iteration
     * order (first dimension fastest) is exactly that order.
     */
    public static float[] flatten(RandomAccessibleInterval<? extends RealType<?>> image) {
        float[] out = new float[voxelCount(image)];
        forEachInFlatOrder(image, (v, i) -> out[i] = v.getRealFloat());
        return out;
    }

    /** Like {@link #flatten} in double precision, for label images. */
    static double[] flattenDouble(RandomAccessibleInterval<? extends RealType<?>> image) {
        double[] out = new double[voxelCount(image)];
        forEachInFlatOrder(image, (v, i) -> out[i] = v.getRealDouble());
        return out;
    }

    private static int voxelCount(RandomAccessibleInterval<?> image) {
        return Math.toIntExact(Intervals.numElements(image));
    }

    private static void forEachInFlatOrder(RandomAccessibleInterval<? extends RealType<?>> image,
            ObjIntConsumer<RealType<?>> visit) {
        int i = 0;
        for (RealType<?> v : Views.flatIterable(image)) {
            visit.accept(v, i++);
        }
    }
}
