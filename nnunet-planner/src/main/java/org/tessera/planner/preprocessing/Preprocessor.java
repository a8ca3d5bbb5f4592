package org.tessera.planner.preprocessing;

import org.tessera.planner.CaseData;
import org.tessera.planner.FingerprintExtractor;
import org.tessera.planner.Plans;
import org.tessera.planner.PyMath;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Volume;

import java.util.Arrays;

/**
 * nnU-Net v2's preprocessing of one image for prediction ({@code DefaultPreprocessor.run_case_npy}):
 * imglib2 (x, y[, z]) to nnU-Net (z, y, x) via {@link CaseData}, {@code transpose_forward}, crop to the
 * nonzero region (any channel != 0, holes filled), normalization per channel by the plan's scheme, and
 * resampling to the configuration's spacing (for a 2d configuration the first axis keeps its spacing).
 * The result records what is needed to map a prediction back (see {@link Preprocessed}).
 */
public final class Preprocessor {

    private final Plans plans;
    private final String configurationName;
    private final Plans.Configuration configuration;
    private final String source;

    /**
     * @param source names the plans in messages (e.g. the plans file)
     */
    public Preprocessor(Plans plans, String configurationName, String source) {
        this.plans = plans;
        this.configurationName = configurationName;
        this.configuration = plans.resolved(configurationName);
        this.source = source;
        if (configuration.spacing() == null || configuration.normalizationSchemes() == null
                || configuration.resamplingFnDataKwargs() == null || configuration.patchSize() == null) {
            throw new InvalidInputException(source + ": configuration \"" + configurationName + "\" lacks spacing, "
                    + "patch_size, normalization_schemes or resampling_fn_data_kwargs; a plan for prediction needs them.");
        }
        for (String scheme : configuration.normalizationSchemes()) {
            if (!IntensityNormalization.SCHEMES.contains(scheme)) {
                throw new InvalidInputException(source + ": normalization scheme \"" + scheme + "\" of configuration \""
                        + configurationName + "\" is not known; supported: " + IntensityNormalization.SCHEMES + ".");
            }
        }
    }

    public Plans.Configuration configuration() {
        return configuration;
    }

    /** Input channels the plan normalizes. */
    public int channels() {
        return configuration.normalizationSchemes().size();
    }

    /** Whether the configuration is 2d (its patch has two axes). */
    public boolean is2d() {
        return configuration.patchSize().length == 2;
    }

    /**
     * A preprocessed image and how it was made, all in transposed nnU-Net order (C order, first axis slowest).
     *
     * @param data                per channel the preprocessed values, {@code shape}
     * @param shape               after resampling (3 axes)
     * @param shapeBeforeCropping the transposed input shape
     * @param bbox                crop box {@code [axis][start, end)} in the transposed input
     * @param shapeAfterCropping  the cropped shape, before resampling
     * @param originalSpacing     the input's spacing, transposed
     * @param targetSpacing       the spacing resampled to (3 axes; 2d: the first axis keeps the original)
     * @param nonzeroFraction     fraction of the input kept by the crop
     */
    public record Preprocessed(float[][] data, int[] shape, int[] shapeBeforeCropping, int[][] bbox,
                               int[] shapeAfterCropping, double[] originalSpacing, double[] targetSpacing,
                               double nonzeroFraction) {
    }

    public Preprocessed run(Volume volume) {
        if (volume.channels() != channels()) {
            throw new InvalidInputException("The image has " + volume.channels() + " channel"
                    + (volume.channels() == 1 ? "" : "s") + "; configuration \"" + configurationName + "\" of " + source
                    + " normalizes " + channels() + " (" + configuration.normalizationSchemes() + "). Give an image with "
                    + channels() + " channel" + (channels() == 1 ? "" : "s") + " in the model's order.");
        }
        long[] xyz = volume.spatialShape();
        int[] shapeZyx = CaseData.shapeZyx(xyz);
        double[] spacingZyx = CaseData.spacingZyx(volume.spacing());
        int[] forward = plans.transposeForward();
        int[] shape = PyMath.take(shapeZyx, forward);
        double[] spacing = PyMath.take(spacingZyx, forward);
        int c = channels();
        float[][] data = new float[c][];
        for (int ch = 0; ch < c; ch++) {
            data[ch] = transpose(CaseData.flatten(volume.channel(ch)), shapeZyx, forward);
        }
        int voxels = (int) PyMath.prod(shape);
        boolean[] mask = FingerprintExtractor.nonzeroMask(data, voxels);
        FingerprintExtractor.fillHoles(mask, shape);
        int[][] bbox = FingerprintExtractor.boundingBox(mask, shape);
        int[] cropped = {bbox[0][1] - bbox[0][0], bbox[1][1] - bbox[1][0], bbox[2][1] - bbox[2][0]};
        boolean[] croppedMask = crop(mask, shape, bbox);
        for (int ch = 0; ch < c; ch++) {
            data[ch] = crop(data[ch], shape, bbox);
            var props = plans.foregroundIntensityPropertiesPerChannel().get(String.valueOf(ch));
            boolean useMask = configuration.useMaskForNorm() != null && ch < configuration.useMaskForNorm().size()
                    && Boolean.TRUE.equals(configuration.useMaskForNorm().get(ch));
            IntensityNormalization.apply(data[ch], configuration.normalizationSchemes().get(ch), useMask, croppedMask,
                    props, source + ", channel " + ch);
        }
        double[] target = targetSpacing(spacing);
        int[] newShape = Resampler.newShape(cropped, spacing, target);
        for (int ch = 0; ch < c; ch++) {
            data[ch] = Resampler.resample(data[ch], cropped, newShape, spacing, target,
                    configuration.resamplingFnDataKwargs());
        }
        return new Preprocessed(data, newShape, shape, bbox, cropped, spacing, target,
                PyMath.prod(cropped) / PyMath.prod(shape));
    }

    /** The configuration's spacing; a 2d configuration keeps the first axis's own spacing. */
    double[] targetSpacing(double[] originalSpacing) {
        double[] s = configuration.spacing();
        if (s.length == 3) {
            return s.clone();
        }
        return new double[]{originalSpacing[0], s[0], s[1]};
    }

    /** numpy's {@code a.transpose(perm)} of a C-order array of 3 axes. */
    public static float[] transpose(float[] a, int[] shape, int[] perm) {
        float[] out = new float[a.length];
        forEachTransposed(shape, perm, (to, from) -> out[to] = a[from]);
        return out;
    }

    /** {@link #transpose(float[], int[], int[])} for labels. */
    public static int[] transpose(int[] a, int[] shape, int[] perm) {
        int[] out = new int[a.length];
        forEachTransposed(shape, perm, (to, from) -> out[to] = a[from]);
        return out;
    }

    /** Receives each output index of a transpose with the input index it takes its value from. */
    private interface IndexPair {
        void accept(int to, int from);
    }

    /** Walks the output of a 3-axis transpose in C order; one loop for every element type. */
    private static void forEachTransposed(int[] shape, int[] perm, IndexPair pair) {
        checkPermutation(perm);
        int[] inStrides = {shape[1] * shape[2], shape[2], 1};
        int[] outShape = PyMath.take(shape, perm);
        int[] s = {inStrides[perm[0]], inStrides[perm[1]], inStrides[perm[2]]};
        int i = 0;
        for (int p = 0; p < outShape[0]; p++) {
            for (int q = 0; q < outShape[1]; q++) {
                int base = p * s[0] + q * s[1];
                for (int r = 0; r < outShape[2]; r++) {
                    pair.accept(i++, base + r * s[2]);
                }
            }
        }
    }

    private static void checkPermutation(int[] perm) {
        int[] sorted = perm.clone();
        Arrays.sort(sorted);
        if (!Arrays.equals(sorted, new int[]{0, 1, 2})) {
            throw new InvalidInputException("transpose " + Arrays.toString(perm) + " is not a permutation of [0, 1, 2]; "
                    + "check transpose_forward / transpose_backward in the plans.");
        }
    }

    static float[] crop(float[] a, int[] shape, int[][] bbox) {
        float[] out = new float[boxSize(bbox)];
        copyBoxRows(a, out, shape, bbox, true);
        return out;
    }

    static boolean[] crop(boolean[] a, int[] shape, int[][] bbox) {
        boolean[] out = new boolean[boxSize(bbox)];
        copyBoxRows(a, out, shape, bbox, true);
        return out;
    }

    /** Pastes {@code cropped} labels into a zero array of {@code shape} at {@code bbox}. */
    public static int[] uncrop(int[] cropped, int[] shape, int[][] bbox) {
        int[] out = new int[shape[0] * shape[1] * shape[2]];
        copyBoxRows(out, cropped, shape, bbox, false);
        return out;
    }

    private static int boxSize(int[][] bbox) {
        return (bbox[0][1] - bbox[0][0]) * (bbox[1][1] - bbox[1][0]) * (bbox[2][1] - bbox[2][0]);
    }

    /**
     * Copies the rows of box {@code bbox} between an array {@code whole} of {@code shape} and the packed array
     * {@code box}: out of the whole array when {@code toBox}, else into it. Arrays of any one element type.
     */
    private static void copyBoxRows(Object whole, Object box, int[] shape, int[][] bbox, boolean toBox) {
        int w = bbox[2][1] - bbox[2][0];
        int i = 0;
        for (int z = bbox[0][0]; z < bbox[0][1]; z++) {
            for (int y = bbox[1][0]; y < bbox[1][1]; y++) {
                int row = CaseData.index(shape, z, y, bbox[2][0]);
                if (toBox)
                    System.arraycopy(whole, row, box, i, w);
                else
                    System.arraycopy(box, i, whole, row, w);
                i += w;
            }
        }
    }
}
