package org.tessera.planner.preprocessing;

import java.util.Arrays;

import org.tessera.planner.Plans;
import org.tessera.planner.PyMath;
import org.tessera.volume.resample.Resize;

/**
 * nnU-Net v2's {@code resample_data_or_seg_to_shape} for images and probabilities (not label maps), on C-order
 * arrays in nnU-Net's (transposed) axis order.
 * <p>
 * Whole-array resizing is {@link Resize}: scikit-image's {@code resize(x, shape, order, mode='edge', anti_aliasing=False)},
 * which is scipy's {@code ndimage.zoom(..., mode='nearest', grid_mode=True)} followed by clipping to the
 * input's range: output voxel {@code j} along an axis samples input coordinate {@code (j + 0.5) * n / m - 0.5}
 * (n input, m output voxels), outside coordinates take the edge value; order 3 is a cubic B-spline whose
 * coefficients come from scipy's prefilter (the input padded by 12 edge voxels, recursive filter with pole
 * sqrt(3) - 2 and half-sample symmetric boundary), order 1 linear, order 0 nearest (round half up). The
 * spline and the linear interpolation are separable, so each axis is resized in turn; this equals the
 * n-dimensional evaluation up to rounding (about 1e-15).
 * <p>
 * Separate z: when the anisotropy (largest / smallest spacing) of the current spacing, else of the target
 * spacing, exceeds 3 and exactly one axis has the largest spacing, each slice across that axis is resized
 * in-plane at the order, then the slices are combined along that axis with {@code map_coordinates} at
 * {@code order_z} (nearest for the default 0, linear for 1), mode nearest.
 */
public final class Resampler {

    /** nnU-Net's anisotropy threshold for separate-z resampling. */
    public static final double ANISO_THRESHOLD = 3;

    private Resampler() {
    }

    /** nnU-Net's {@code compute_new_shape}: {@code round(spacing / newSpacing * shape)}, ties to even. */
    public static int[] newShape(int[] shape, double[] spacing, double[] newSpacing) {
        int[] out = new int[shape.length];
        for (int d = 0; d < shape.length; d++) {
            out[d] = (int) PyMath.roundHalfEven(spacing[d] / newSpacing[d] * shape[d]);
        }
        return out;
    }

    /**
     * The axis resampled separately for these spacings and kwargs, or -1 for resampling all axes together.
     * Follows nnU-Net: {@code force_separate_z} decides when set (using the current spacing's axis);
     * otherwise the current spacing's anisotropy, then the target's; no separate axis when two or more axes
     * tie for the largest spacing.
     */
    public static int separateAxis(double[] currentSpacing, double[] newSpacing, Boolean forceSeparateZ) {
        double[] decisive;
        if (forceSeparateZ != null) {
            decisive = forceSeparateZ ? currentSpacing : null;
        } else if (anisotropy(currentSpacing) > ANISO_THRESHOLD) {
            decisive = currentSpacing;
        } else if (anisotropy(newSpacing) > ANISO_THRESHOLD) {
            decisive = newSpacing;
        } else {
            decisive = null;
        }
        if (decisive == null || decisive.length != 3) {
            return -1;
        }
        double max = Arrays.stream(decisive).max().orElseThrow();
        int axis = -1;
        for (int d = 0; d < decisive.length; d++) {
            if (max / decisive[d] == 1) {
                if (axis >= 0) {
                    return -1;
                }
                axis = d;
            }
        }
        return axis;
    }

    static double anisotropy(double[] spacing) {
        return Arrays.stream(spacing).max().orElseThrow() / Arrays.stream(spacing).min().orElseThrow();
    }

    /**
     * Resamples one channel, as nnU-Net's {@code resample_data_or_seg_to_shape} with {@code is_seg=False}:
     * returned unchanged when the shape does not change; computed in double precision, stored as float.
     *
     * @param data           C-order values of {@code shape} (3 axes)
     * @param currentSpacing spacing of {@code data}, same axis order
     * @param newSpacing     the target spacing (only used to decide about separate z)
     */
    public static float[] resample(float[] data, int[] shape, int[] newShape, double[] currentSpacing,
                                   double[] newSpacing, Plans.ResamplingKwargs kwargs) {
        if (kwargs.isSeg()) {
            throw new IllegalArgumentException("label maps are not resampled here (is_seg true)");
        }
        if (Arrays.equals(shape, newShape)) {
            return data;
        }
        double[] values = new double[data.length];
        for (int i = 0; i < data.length; i++) {
            values[i] = data[i];
        }
        int axis = separateAxis(currentSpacing, newSpacing, kwargs.forceSeparateZ());
        double[] out;
        if (axis < 0) {
            out = Resize.resize(values, shape, newShape, kwargs.order());
        } else {
            out = resizeSeparate(values, shape, newShape, axis, kwargs.order(), kwargs.orderZ());
        }
        float[] result = new float[out.length];
        for (int i = 0; i < out.length; i++) {
            result[i] = (float) out[i];
        }
        return result;
    }

    /** In-plane resize of every slice across {@code axis}, then {@code map_coordinates} along it. */
    static double[] resizeSeparate(double[] data, int[] shape, int[] newShape, int axis, int order, int orderZ) {
        int[] planeShape = new int[2];
        int[] newPlaneShape = new int[2];
        for (int d = 0, k = 0; d < 3; d++) {
            if (d != axis) {
                planeShape[k] = shape[d];
                newPlaneShape[k++] = newShape[d];
            }
        }
        int[] midShape = newShape.clone();
        midShape[axis] = shape[axis];
        double[] mid = new double[(int) PyMath.prod(midShape)];
        int[] strides = Resize.strides(shape);
        int[] midStrides = Resize.strides(midShape);
        int[] other = axis == 0 ? new int[]{1, 2} : axis == 1 ? new int[]{0, 2} : new int[]{0, 1};
        double[] plane = new double[planeShape[0] * planeShape[1]];
        for (int s = 0; s < shape[axis]; s++) {
            for (int i = 0; i < planeShape[0]; i++) {
                for (int j = 0; j < planeShape[1]; j++) {
                    plane[i * planeShape[1] + j] = data[s * strides[axis] + i * strides[other[0]] + j * strides[other[1]]];
                }
            }
            double[] resized = Resize.resize(plane, planeShape, newPlaneShape, order);
            for (int i = 0; i < newPlaneShape[0]; i++) {
                for (int j = 0; j < newPlaneShape[1]; j++) {
                    mid[s * midStrides[axis] + i * midStrides[other[0]] + j * midStrides[other[1]]] =
                            resized[i * newPlaneShape[1] + j];
                }
            }
        }
        if (shape[axis] == newShape[axis]) {
            return mid;
        }
        if (orderZ != 0 && orderZ != 1) {
            throw new IllegalArgumentException("order_z " + orderZ + " is not supported; nnU-Net uses 0 (or 1)");
        }
        // map_coordinates with identity coordinates in-plane: a 1D interpolation along the axis
        return Resize.alongAxis(mid, midShape, axis, newShape[axis], orderZ, false);
    }
}
