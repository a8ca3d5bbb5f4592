package org.tessera.planner;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The U-Net topology nnU-Net derives from a spacing and a patch size (rules of nnU-Net's
 * network_topology.py, get_pool_and_conv_props), and the feature-map size estimate of a PlainConvUNet
 * (dynamic-network-architectures, compute_conv_feature_map_size) that stands in for GPU memory.
 * All arrays are in nnU-Net array order.
 *
 * @param numPoolPerAxis    poolings per axis
 * @param strides           one stride vector per stage; the first is all ones
 * @param kernelSizes       one conv kernel vector per stage (the last is the bottleneck's, all 3)
 * @param patchSize         the patch padded up to a multiple of {@code mustBeDivisibleBy}
 * @param mustBeDivisibleBy 2^poolings per axis
 */
public record NetworkTopology(int[] numPoolPerAxis, int[][] strides, int[][] kernelSizes, int[] patchSize,
                              int[] mustBeDivisibleBy) {

    /** nnU-Net's minimum edge length of a bottleneck feature map. */
    public static final int MIN_FEATURE_MAP_SIZE = 4;

    public int numStages() {
        return strides.length;
    }

    /** Topology for a patch of whole voxels. */
    public static NetworkTopology compute(double[] spacing, int[] patchSize) {
        double[] p = new double[patchSize.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = patchSize[i];
        }
        return compute(spacing, p, MIN_FEATURE_MAP_SIZE);
    }

    /**
     * Topology for a patch that may be fractional (the planner clips the first patch to a median shape such
     * as 169.5); the padded patch is whole.
     */
    public static NetworkTopology compute(double[] spacing, double[] patchSize, int minFeatureMapSize) {
        int dim = spacing.length;
        if (patchSize.length != dim) {
            throw new IllegalArgumentException("spacing and patch size differ in length");
        }
        double[] sp = spacing.clone();
        double[] size = patchSize.clone();
        List<int[]> strides = new ArrayList<>();
        strides.add(filled(dim, 1));
        List<int[]> kernels = new ArrayList<>();
        int[] pools = new int[dim];
        int[] kernel = filled(dim, 1);

        while (true) {
            // axes still large enough to halve
            List<Integer> valid = new ArrayList<>();
            for (int d = 0; d < dim; d++) {
                if (size[d] >= 2 * minFeatureMapSize) {
                    valid.add(d);
                }
            }
            if (valid.isEmpty()) {
                break;
            }
            double minValid = Double.POSITIVE_INFINITY;
            for (int d : valid) {
                minValid = Math.min(minValid, sp[d]);
            }
            // only axes within a factor 2 of the finest valid spacing pool
            List<Integer> pooled = new ArrayList<>();
            for (int d : valid) {
                if (sp[d] / minValid < 2) {
                    pooled.add(d);
                }
            }
            if (pooled.size() == 1 && size[pooled.get(0)] < 3 * minFeatureMapSize) {
                break;
            }
            if (pooled.isEmpty()) {
                break;
            }
            // kernel 3 once an axis is within a factor 2 of the finest spacing of all axes; it stays 3
            double minAll = Double.POSITIVE_INFINITY;
            for (double s : sp) {
                minAll = Math.min(minAll, s);
            }
            for (int d = 0; d < dim; d++) {
                if (kernel[d] != 3 && sp[d] / minAll < 2) {
                    kernel[d] = 3;
                }
            }
            int[] stride = filled(dim, 1);
            for (int d : pooled) {
                stride[d] = 2;
                pools[d]++;
                sp[d] *= 2;
                size[d] = Math.ceil(size[d] / 2);
            }
            strides.add(stride);
            kernels.add(kernel.clone());
        }
        kernels.add(filled(dim, 3));
        int[] divisible = new int[dim];
        int[] padded = new int[dim];
        for (int d = 0; d < dim; d++) {
            divisible[d] = 1 << pools[d];
            padded[d] = padToMultiple(patchSize[d], divisible[d]);
        }
        return new NetworkTopology(pools, strides.toArray(new int[0][]), kernels.toArray(new int[0][]), padded, divisible);
    }

    /** nnU-Net's pad_shape: the next multiple of m at or above x (x may be fractional). */
    static int padToMultiple(double x, int m) {
        double r = x % m;
        double out = r == 0 ? x : x + m - r;
        return (int) out;
    }

    private static int[] filled(int n, int v) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    /** Features per stage: min(max, base * 2^s); nnU-Net uses base 32 and max 320 (3D) or 512 (2D). */
    public static int[] featuresPerStage(int numStages, int base, int max) {
        int[] f = new int[numStages];
        for (int s = 0; s < numStages; s++) {
            long v = (long) base << Math.min(s, 40);
            f[s] = (int) Math.min(max, v);
        }
        return f;
    }

    /**
     * Sum of the output voxels times channels of every convolution, transposed convolution and the final
     * segmentation layer of a PlainConvUNet without deep supervision, for one sample of the given patch
     * (input channels not counted). Sizes shrink by integer division by each stage's stride.
     */
    public static long convFeatureMapSize(int[] patchSize, int[][] strides, int[] featuresPerStage,
                                          int[] nConvPerStage, int[] nConvPerStageDecoder, int numClasses) {
        int nStages = strides.length;
        long[][] sizes = new long[nStages][];
        long[] cur = new long[patchSize.length];
        for (int d = 0; d < cur.length; d++) {
            cur[d] = patchSize[d];
        }
        for (int s = 0; s < nStages; s++) {
            long[] next = new long[cur.length];
            for (int d = 0; d < cur.length; d++) {
                next[d] = cur[d] / strides[s][d];
            }
            sizes[s] = next;
            cur = next;
        }
        long total = 0;
        // encoder: each conv of stage s writes F_s maps at the stage's resolution
        for (int s = 0; s < nStages; s++) {
            total += (long) nConvPerStage[s] * featuresPerStage[s] * voxels(sizes[s]);
        }
        // decoder: per stage above the bottleneck, its convs plus the transposed conv that feeds it
        for (int s = 0; s < nStages - 1; s++) {
            int decoderIndex = nStages - 2 - s;
            total += ((long) nConvPerStageDecoder[decoderIndex] + 1) * featuresPerStage[s] * voxels(sizes[s]);
        }
        // segmentation output at full resolution
        total += (long) numClasses * voxels(sizes[0]);
        return total;
    }

    /**
     * dynamic-network-architectures' ResidualEncoderUNet.compute_conv_feature_map_size: the stem (F_0 maps at
     * full resolution), two convolutions per residual block plus the 1x1 projection of each stage's first
     * block from stage 1 on, the decoder's transposed convolution and convolutions per stage, and the
     * segmentation output (at every decoder stage with deep supervision, else at full resolution only).
     */
    public static long residualEncoderFeatureMapSize(int[] patchSize, int[][] strides, int[] featuresPerStage,
                                                     int[] blocksPerStage, int[] nConvPerStageDecoder, int numClasses,
                                                     boolean deepSupervision) {
        int nStages = strides.length;
        long[] voxels = new long[nStages];
        long[] cur = new long[patchSize.length];
        for (int d = 0; d < cur.length; d++) {
            cur[d] = patchSize[d];
        }
        for (int s = 0; s < nStages; s++) {
            for (int d = 0; d < cur.length; d++) {
                cur[d] = cur[d] / strides[s][d];
            }
            voxels[s] = voxels(cur);
        }
        long total = (long) featuresPerStage[0] * voxels[0];
        for (int s = 0; s < nStages; s++) {
            total += (2L * blocksPerStage[s] + (s >= 1 ? 1 : 0)) * featuresPerStage[s] * voxels[s];
        }
        for (int s = 0; s < nStages - 1; s++) {
            int decoderIndex = nStages - 2 - s;
            total += ((long) nConvPerStageDecoder[decoderIndex] + 1) * featuresPerStage[s] * voxels[s];
            if (deepSupervision) {
                total += (long) numClasses * voxels[s];
            }
        }
        if (!deepSupervision) {
            total += (long) numClasses * voxels[0];
        }
        return total;
    }

    private static long voxels(long[] size) {
        return Arrays.stream(size).reduce(1, (a, b) -> a * b);
    }
}
