package org.tessera.planner;

import org.tessera.volume.InvalidInputException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * nnU-Net v2's default experiment planner: from a dataset fingerprint and dataset.json it derives the
 * 2d, 3d_fullres and (when the median image is much larger than a patch) 3d_lowres + 3d_cascade_fullres
 * configurations, number for number. Rules from nnU-Net's default_experiment_planner.py and
 * network_topology.py; the memory estimate from dynamic-network-architectures' PlainConvUNet.
 * Everything is in nnU-Net array order (z, y, x). A {@link PlannerPreset} selects the residual-encoder
 * variants (nnUNetPlannerResEncM/L/XL), which change only the reference values, the shrink and batch rules
 * and the network.
 */
public final class ExperimentPlanner {

    public static final double ANISO_THRESHOLD = 3;
    public static final double REFERENCE_VAL_3D = 560_000_000d;
    public static final double REFERENCE_VAL_2D = 85_000_000d;
    public static final double REFERENCE_GB = 8;
    public static final int REFERENCE_BS_3D = 2;
    public static final int REFERENCE_BS_2D = 12;
    public static final int BASE_FEATURES = 32;
    public static final int MAX_FEATURES_3D = 320;
    public static final int MAX_FEATURES_2D = 512;
    public static final int MIN_BATCH_SIZE = 2;
    public static final double MAX_DATASET_COVERED = 0.05;
    public static final double LOWRES_CREATION_THRESHOLD = 0.25;
    public static final double LOWRES_SPACING_FACTOR = 1.03;
    public static final String RESAMPLING_FN = "resample_data_or_seg_to_shape";

    private final Fingerprint fingerprint;
    private final DatasetJson dataset;
    private final String datasetName;
    private PlannerPreset preset = PlannerPreset.DEFAULT;
    private Double gpuMemoryGb;
    private String plansName;
    private String preprocessorName = "DefaultPreprocessor";
    private final Map<String, Long> estimateCache = new HashMap<>();

    public ExperimentPlanner(Fingerprint fingerprint, DatasetJson dataset, String datasetName) {
        this.fingerprint = fingerprint;
        this.dataset = dataset;
        this.datasetName = datasetName;
        dataset.checkMatches(fingerprint, "dataset_fingerprint.json");
    }

    /** The planner variant (default {@link PlannerPreset#DEFAULT}); also sets the default plans name and GPU target. */
    public ExperimentPlanner preset(PlannerPreset p) {
        this.preset = java.util.Objects.requireNonNull(p, "preset");
        estimateCache.clear();
        return this;
    }

    public PlannerPreset preset() {
        return preset;
    }

    /** GPU memory target in GB (default: the preset's, 8 for nnU-Net's default planner); scales the reference values. */
    public ExperimentPlanner gpuMemoryGb(double gb) {
        if (!(gb > 0) || Double.isInfinite(gb)) {
            throw new InvalidInputException("GPU memory target is " + gb + " GB; give a positive number such as 8.");
        }
        this.gpuMemoryGb = gb;
        return this;
    }

    /** The GPU memory target in effect, in GB. */
    public double gpuMemoryGb() {
        return gpuMemoryGb != null ? gpuMemoryGb : preset.gpuTargetGb();
    }

    /** The plans name in effect (default: the preset's, e.g. nnUNetPlans). */
    public String plansName() {
        return plansName != null ? plansName : preset.plansName();
    }

    public ExperimentPlanner plansName(String name) {
        this.plansName = name;
        return this;
    }

    public ExperimentPlanner preprocessorName(String name) {
        this.preprocessorName = name;
        return this;
    }

    // ------------------------------------------------------------ dataset-level decisions

    /** Fullres target spacing (array order, not transposed): median, with the anisotropy rule. */
    public double[] fullresTargetSpacing() {
        double[][] spacings = fingerprint.spacingMatrix();
        double[] target = PyMath.columnPercentile(spacings, 50);
        double[] targetSize = PyMath.columnPercentile(fingerprint.shapeMatrix(), 50);
        int worst = PyMath.argmax(target);
        double maxOtherSpacing = Double.NEGATIVE_INFINITY;
        double minOtherSize = Double.POSITIVE_INFINITY;
        for (int d = 0; d < target.length; d++) {
            if (d != worst) {
                maxOtherSpacing = Math.max(maxOtherSpacing, target[d]);
                minOtherSize = Math.min(minOtherSize, targetSize[d]);
            }
        }
        boolean anisoSpacing = target[worst] > ANISO_THRESHOLD * maxOtherSpacing;
        boolean anisoVoxels = targetSize[worst] * ANISO_THRESHOLD < minOtherSize;
        if (anisoSpacing && anisoVoxels) {
            double[] axis = new double[spacings.length];
            for (int i = 0; i < axis.length; i++) {
                axis[i] = spacings[i][worst];
            }
            double t = PyMath.percentile(axis, 10);
            if (t < maxOtherSpacing) {
                t = Math.max(maxOtherSpacing, t) + 1e-5;
            }
            target[worst] = t;
        }
        return target;
    }

    /** transpose_forward: the axis of the coarsest target spacing first, the others in order. */
    public int[] transposeForward() {
        double[] target = fullresTargetSpacing();
        int m = PyMath.argmax(target);
        int[] tf = new int[3];
        tf[0] = m;
        int k = 1;
        for (int d = 0; d < 3; d++) {
            if (d != m) {
                tf[k++] = d;
            }
        }
        return tf;
    }

    static int[] inverse(int[] perm) {
        int[] inv = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            inv[perm[i]] = i;
        }
        return inv;
    }

    /** Median shape at the fullres spacing (not transposed): per case round half even, then median. */
    public double[] medianShapeAtTargetSpacing() {
        double[] target = fullresTargetSpacing();
        double[][] spacings = fingerprint.spacingMatrix();
        double[][] shapes = fingerprint.shapeMatrix();
        double[][] newShapes = new double[spacings.length][3];
        for (int i = 0; i < spacings.length; i++) {
            for (int d = 0; d < 3; d++) {
                newShapes[i][d] = PyMath.roundHalfEven(spacings[i][d] / target[d] * shapes[i][d]);
            }
        }
        return PyMath.columnMedian(newShapes);
    }

    /** nnU-Net's normalization class for a channel name (case-insensitive; unknown names get z-scoring). */
    public static String normalizationScheme(String channelName) {
        String n = channelName.toLowerCase(Locale.ROOT);
        switch (n) {
            case "ct":
                return "CTNormalization";
            case "nonorm":
                return "NoNormalization";
            case "zscore":
                return "ZScoreNormalization";
            case "rescale_to_0_1":
                return "RescaleTo01Normalization";
            case "rgb_to_0_1":
                return "RGBTo01Normalization";
            default:
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("ct_to_(-?\\d+)_(-?\\d+)").matcher(n);
                if (m.matches()) {
                    long lo = Long.parseLong(m.group(1));
                    long hi = Long.parseLong(m.group(2));
                    if (lo >= hi) {
                        throw new InvalidInputException("Channel name \"" + channelName + "\" asks for a CT window from " + lo + " to " + hi
                                + "; the lower bound must be below the upper, e.g. \"ct_to_-1000_1000\".");
                    }
                    return "CTWindow" + (lo < 0 ? "Neg" : "") + Math.abs(lo) + "To" + (hi < 0 ? "Neg" : "") + Math.abs(hi) + "Normalization";
                }
                return "ZScoreNormalization";
        }
    }

    /** Only z-scoring leaves the outside of the mask at zero, so only it may use the mask. */
    static boolean canUseMask(String scheme) {
        return scheme.equals("ZScoreNormalization");
    }

    List<String> normalizationSchemes() {
        List<String> out = new ArrayList<>();
        dataset.channelNames().values().forEach(n -> out.add(normalizationScheme(n)));
        return out;
    }

    List<Boolean> useMaskForNorm() {
        boolean mask = fingerprint.medianRelativeSizeAfterCropping() < 3 / 4.0 || Boolean.TRUE.equals(dataset.useMaskForNorm());
        List<Boolean> out = new ArrayList<>();
        for (String s : normalizationSchemes()) {
            out.add(mask && canUseMask(s));
        }
        return out;
    }

    /** The reader/writer nnU-Net picks: the dataset.json override, else the first that takes the file ending. */
    public String imageReaderWriter() {
        String o = dataset.overwriteImageReaderWriter();
        if (o != null && !o.equals("None")) {
            return o;
        }
        String e = dataset.fileEnding().toLowerCase(Locale.ROOT);
        switch (e) {
            case ".png":
            case ".bmp":
                return "NaturalImage2DIO";
            case ".tif":
                // nnU-Net tries the 2D reader first and falls back to the 3D TIFF reader
                return is2dDataset() ? "NaturalImage2DIO" : "Tiff3DIO";
            case ".tiff":
                return "Tiff3DIO";
            case ".nii.gz":
            case ".nii":
            case ".nrrd":
            case ".mha":
            case ".gipl":
                return "SimpleITKIO";
            default:
                throw new InvalidInputException(dataset.source() + ": \"file_ending\" \"" + dataset.fileEnding()
                        + "\" has no nnU-Net reader; use .nii.gz, .nrrd, .mha, .png, .bmp, .tif or .tiff, "
                        + "or name one in \"overwrite_image_reader_writer\".");
        }
    }

    private boolean is2dDataset() {
        for (int[] s : fingerprint.shapesAfterCrop()) {
            if (s[0] != 1) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------ planning

    /** Plans all configurations. */
    public Plans plan() {
        estimateCache.clear();
        int[] tf = transposeForward();
        int[] tb = inverse(tf);
        double[] fullresSpacing = PyMath.take(fullresTargetSpacing(), tf);
        double[] median = PyMath.take(medianShapeAtTargetSpacing(), tf);
        double approxVoxels = PyMath.prod(median) * dataset.numTraining();

        Plans.Configuration fullres = null;
        Plans.Configuration lowres = null;
        if (median[0] != 1) {
            fullres = planConfiguration(fullresSpacing, median, false, dataId("3d_fullres"), approxVoxels);
            double medianVoxels = PyMath.prod(median);
            double patchVoxels = PyMath.prod(fullres.patchSize());
            double[] lowresSpacing = fullresSpacing.clone();
            while (patchVoxels / medianVoxels < LOWRES_CREATION_THRESHOLD) {
                double maxSpacing = Double.NEGATIVE_INFINITY;
                for (double s : lowresSpacing) {
                    maxSpacing = Math.max(maxSpacing, s);
                }
                boolean[] coarsen = new boolean[3];
                boolean any = false;
                for (int d = 0; d < 3; d++) {
                    coarsen[d] = maxSpacing / lowresSpacing[d] > 2;
                    any |= coarsen[d];
                }
                for (int d = 0; d < 3; d++) {
                    if (!any || coarsen[d]) {
                        lowresSpacing[d] *= LOWRES_SPACING_FACTOR;
                    }
                }
                double[] scaled = new double[3];
                double[] rounded = new double[3];
                for (int d = 0; d < 3; d++) {
                    scaled[d] = fullresSpacing[d] / lowresSpacing[d] * median[d];
                    rounded[d] = PyMath.roundHalfEven(scaled[d]);
                }
                medianVoxels = PyMath.prod(scaled);
                lowres = planConfiguration(lowresSpacing.clone(), rounded, true, dataId("3d_lowres"),
                        medianVoxels * dataset.numTraining());
                patchVoxels = PyMath.prod(lowres.patchSize());
            }
            if (PyMath.prod(median) / medianVoxels < 2) {
                lowres = null;
            }
            if (lowres != null) {
                lowres = lowres.withBatchDice(false);
                fullres = fullres.withBatchDice(true);
            } else {
                fullres = fullres.withBatchDice(false);
            }
        }
        Plans.Configuration plan2d = planConfiguration(Arrays.copyOfRange(fullresSpacing, 1, 3),
                Arrays.copyOfRange(median, 1, 3), false, dataId("2d"), approxVoxels).withBatchDice(true);

        Map<String, Plans.Configuration> configs = new LinkedHashMap<>();
        configs.put("2d", plan2d);
        if (lowres != null) {
            configs.put("3d_lowres", fullres != null ? lowres.withNextStage("3d_cascade_fullres") : lowres);
        }
        if (fullres != null) {
            configs.put("3d_fullres", fullres);
            if (lowres != null) {
                configs.put("3d_cascade_fullres", Plans.Configuration.inheriting("3d_fullres", "3d_lowres"));
            }
        }
        double[] origSpacing = PyMath.take(PyMath.columnMedian(fingerprint.spacingMatrix()), tf);
        double[] origShape = PyMath.take(PyMath.columnMedian(fingerprint.shapeMatrix()), tf);
        int[] origShapeInt = new int[3];
        for (int d = 0; d < 3; d++) {
            origShapeInt[d] = (int) PyMath.roundHalfEven(origShape[d]);
        }
        return new Plans(datasetName, plansName(), origSpacing, origShapeInt, imageReaderWriter(), tf, tb, configs,
                preset.plannerName(), "LabelManager", fingerprint.foregroundIntensityPropertiesPerChannel());
    }

    private String dataId(String config) {
        return preset.dataIdentifier(plansName(), config);
    }

    /**
     * One configuration for a (transposed) spacing and median shape: initial patch, topology, shrinking
     * until the memory estimate fits, batch size. {@code integralMedian} writes the median as whole numbers
     * (3d_lowres), else as floats.
     */
    public Plans.Configuration planConfiguration(double[] spacing, double[] medianShape, boolean integralMedian,
                                                 String dataIdentifier, double approxVoxelsDataset) {
        int dim = spacing.length;
        for (double s : spacing) {
            if (!(s > 0)) {
                throw new InvalidInputException("Spacing must be positive, found " + Arrays.toString(spacing) + ".");
            }
        }
        int maxFeatures = dim == 2 ? MAX_FEATURES_2D : MAX_FEATURES_3D;
        double[] patch = initialPatchSize(spacing);
        for (int d = 0; d < dim; d++) {
            patch[d] = Math.min(patch[d], medianShape[d]);
        }
        NetworkTopology topo = NetworkTopology.compute(spacing, patch, NetworkTopology.MIN_FEATURE_MAP_SIZE);
        int[] patchSize = topo.patchSize();
        long estimate = estimate(patchSize, topo, maxFeatures);

        double reference = preset.reference(dim) * (gpuMemoryGb() / preset.gpuTargetGb());
        int refBs = dim == 2 ? REFERENCE_BS_2D : REFERENCE_BS_3D;
        while (preset.tooLarge(estimate, refBs, reference)) {
            double[] ratio = new double[dim];
            for (int d = 0; d < dim; d++) {
                ratio[d] = patchSize[d] / medianShape[d];
            }
            int axis = PyMath.lastOfArgsort(ratio);
            int[] tmp = patchSize.clone();
            tmp[axis] -= topo.mustBeDivisibleBy()[axis];
            int[] divisible = NetworkTopology.compute(spacing, tmp).mustBeDivisibleBy();
            int[] shrunk = patchSize.clone();
            shrunk[axis] -= divisible[axis];
            if (shrunk[axis] < 1) {
                throw new InvalidInputException("Cannot fit a patch into the GPU memory target of " + gpuMemoryGb()
                        + " GB for spacing " + Arrays.toString(spacing) + "; give a larger GPU memory target.");
            }
            topo = NetworkTopology.compute(spacing, shrunk);
            patchSize = topo.patchSize();
            estimate = estimate(patchSize, topo, maxFeatures);
        }
        long batch = PyMath.roundHalfEven(reference / estimate * refBs);
        long cap = PyMath.roundHalfEven(approxVoxelsDataset * preset.maxDatasetCovered() / PyMath.prod(patchSize));
        int batchSize = (int) Math.max(Math.min(batch, cap), MIN_BATCH_SIZE);

        int nStages = topo.numStages();
        Plans.Architecture arch = preset.architecture(
                NetworkTopology.featuresPerStage(nStages, BASE_FEATURES, maxFeatures), topo.kernelSizes(), topo.strides());
        List<Number> median = new ArrayList<>();
        for (double m : medianShape) {
            median.add(integralMedian ? (Number) (int) m : (Number) m);
        }
        return new Plans.Configuration(dataIdentifier, preprocessorName, batchSize, patchSize, median, spacing.clone(),
                normalizationSchemes(), useMaskForNorm(),
                RESAMPLING_FN, RESAMPLING_FN,
                new Plans.ResamplingKwargs(false, 3, 0, null),
                new Plans.ResamplingKwargs(true, 1, 0, null),
                RESAMPLING_FN, new Plans.ResamplingKwargs(false, 1, 0, null),
                arch, null, null, null, null);
    }

    /** First patch: the aspect ratio of 1/spacing scaled to 256^3 (3D) or 2048^2 (2D) voxels, rounded. */
    static double[] initialPatchSize(double[] spacing) {
        int dim = spacing.length;
        double[] t = new double[dim];
        for (int d = 0; d < dim; d++) {
            t[d] = 1 / spacing[d];
        }
        double scale = dim == 3 ? Math.pow(256.0 * 256 * 256 / PyMath.prod(t), 1.0 / 3)
                : Math.pow(2048.0 * 2048 / PyMath.prod(t), 1.0 / 2);
        double[] out = new double[dim];
        for (int d = 0; d < dim; d++) {
            out[d] = PyMath.roundHalfEven(t[d] * scale);
        }
        return out;
    }

    private long estimate(int[] patchSize, NetworkTopology topo, int maxFeatures) {
        String key = Arrays.toString(patchSize) + "_" + Arrays.deepToString(topo.strides());
        return estimateCache.computeIfAbsent(key, k -> {
            int n = topo.numStages();
            return preset.estimate(patchSize, topo.strides(),
                    NetworkTopology.featuresPerStage(n, BASE_FEATURES, maxFeatures), dataset.numLabels());
        });
    }
}
