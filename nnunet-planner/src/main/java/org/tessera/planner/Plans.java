package org.tessera.planner;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An nnU-Net v2 plans file ({@code nnUNetPlans.json}). Spacings, shapes and transposes are in nnU-Net array
 * order after {@code transposeForward}. Read with {@link PlansJson#read(Path)}, which also accepts the
 * older per-configuration keys (pool_op_kernel_sizes, conv_kernel_sizes, UNet_base_num_features).
 */
public record Plans(String datasetName,
                   String plansName,
                   double[] originalMedianSpacingAfterTransp,
                   int[] originalMedianShapeAfterTransp,
                   String imageReaderWriter,
                   int[] transposeForward,
                   int[] transposeBackward,
                   Map<String, Configuration> configurations,
                   String experimentPlannerUsed,
                   String labelManager,
                   Map<String, IntensityProperties> foregroundIntensityPropertiesPerChannel) {

    public Plans {
        configurations = Collections.unmodifiableMap(new LinkedHashMap<>(configurations));
        foregroundIntensityPropertiesPerChannel = Collections.unmodifiableMap(new LinkedHashMap<>(foregroundIntensityPropertiesPerChannel));
    }

    public Configuration configuration(String name) {
        Configuration c = configurations.get(name);
        if (c == null) {
            throw new org.tessera.volume.InvalidInputException("The plans of " + datasetName + " have no configuration \"" + name
                    + "\"; available: " + configurations.keySet() + ".");
        }
        return c;
    }

    /**
     * The configuration with everything it inherits ("inherits_from") filled in, as nnU-Net's plans manager
     * resolves it: the child's own fields win.
     */
    public Configuration resolved(String name) {
        return resolved(name, 0);
    }

    private Configuration resolved(String name, int depth) {
        Configuration c = configuration(name);
        if (c.inheritsFrom() == null) {
            return c;
        }
        if (depth > configurations.size()) {
            throw new org.tessera.volume.InvalidInputException("The plans of " + datasetName + " have a cycle of \"inherits_from\" at \"" + name + "\".");
        }
        return c.over(resolved(c.inheritsFrom(), depth + 1));
    }

    public void write(Path file) {
        PlansJson.write(this, file);
    }

    public String toJson() {
        return PlansJson.toJson(this);
    }

    /** Keyword arguments of nnU-Net's resample_data_or_seg_to_shape. */
    public record ResamplingKwargs(boolean isSeg, int order, int orderZ, Boolean forceSeparateZ) {
    }

    /**
     * The network: dynamic-network-architectures class name and its keyword arguments. {@code extraArchKwargs}
     * keeps any further arguments of other architectures (as raw JSON) so that they survive a round trip.
     */
    public record Architecture(String networkClassName,
                               int nStages,
                               int[] featuresPerStage,
                               String convOp,
                               int[][] kernelSizes,
                               int[][] strides,
                               int[] nConvPerStage,
                               int[] nConvPerStageDecoder,
                               boolean convBias,
                               String normOp,
                               double normEps,
                               boolean normAffine,
                               String dropoutOp,
                               String nonlin,
                               boolean nonlinInplace,
                               List<String> kwRequiresImport,
                               Map<String, com.fasterxml.jackson.databind.JsonNode> extraArchKwargs) {

        public static final String PLAIN_CONV_UNET = "dynamic_network_architectures.architectures.unet.PlainConvUNet";

        /** nnU-Net's default PlainConvUNet for the given topology (InstanceNorm, LeakyReLU, conv bias). */
        public static Architecture plainConvUNet(int[] featuresPerStage, int[][] kernelSizes, int[][] strides,
                                                 int[] nConvPerStage, int[] nConvPerStageDecoder) {
            int dim = kernelSizes[0].length;
            return new Architecture(PLAIN_CONV_UNET, strides.length, featuresPerStage,
                    "torch.nn.modules.conv.Conv" + dim + "d", kernelSizes, strides, nConvPerStage, nConvPerStageDecoder,
                    true, "torch.nn.modules.instancenorm.InstanceNorm" + dim + "d", 1e-5, true, null,
                    "torch.nn.LeakyReLU", true, List.of("conv_op", "norm_op", "dropout_op", "nonlin"), Map.of());
        }

        public static final String RESIDUAL_ENCODER_UNET = "dynamic_network_architectures.architectures.unet.ResidualEncoderUNet";

        /**
         * nnU-Net's ResidualEncoderUNet of the residual-encoder presets; {@code blocksPerStage} is written as
         * n_blocks_per_stage and kept in {@link #nConvPerStage()}.
         */
        public static Architecture residualEncoderUNet(int[] featuresPerStage, int[][] kernelSizes, int[][] strides,
                                                       int[] blocksPerStage, int[] nConvPerStageDecoder) {
            Architecture p = plainConvUNet(featuresPerStage, kernelSizes, strides, blocksPerStage, nConvPerStageDecoder);
            return new Architecture(RESIDUAL_ENCODER_UNET, p.nStages, p.featuresPerStage, p.convOp, p.kernelSizes, p.strides,
                    p.nConvPerStage, p.nConvPerStageDecoder, p.convBias, p.normOp, p.normEps, p.normAffine, p.dropoutOp,
                    p.nonlin, p.nonlinInplace, p.kwRequiresImport, p.extraArchKwargs);
        }

        /** Whether the encoder is residual: {@link #nConvPerStage()} then counts blocks (n_blocks_per_stage). */
        public boolean residualEncoder() {
            return networkClassName.endsWith(".ResidualEncoderUNet") || networkClassName.equals("ResidualEncoderUNet");
        }

        public int dimension() {
            return kernelSizes.length > 0 ? kernelSizes[0].length : strides[0].length;
        }
    }

    /**
     * One configuration ("2d", "3d_fullres", ...). A configuration that only inherits ("3d_cascade_fullres")
     * has most fields null; {@link Plans#resolved(String)} fills them in. {@code medianImageSizeInVoxels}
     * keeps nnU-Net's JSON types (floats from a median, whole numbers for 3d_lowres).
     */
    public record Configuration(String dataIdentifier,
                                String preprocessorName,
                                Integer batchSize,
                                int[] patchSize,
                                List<Number> medianImageSizeInVoxels,
                                double[] spacing,
                                List<String> normalizationSchemes,
                                List<Boolean> useMaskForNorm,
                                String resamplingFnData,
                                String resamplingFnSeg,
                                ResamplingKwargs resamplingFnDataKwargs,
                                ResamplingKwargs resamplingFnSegKwargs,
                                String resamplingFnProbabilities,
                                ResamplingKwargs resamplingFnProbabilitiesKwargs,
                                Architecture architecture,
                                Boolean batchDice,
                                String inheritsFrom,
                                String previousStage,
                                String nextStage) {

        /** A configuration that only names its parent and, for the cascade, its previous stage. */
        public static Configuration inheriting(String inheritsFrom, String previousStage) {
            return new Configuration(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                    null, null, inheritsFrom, previousStage, null);
        }

        public Configuration withBatchDice(boolean v) {
            return new Configuration(dataIdentifier, preprocessorName, batchSize, patchSize, medianImageSizeInVoxels, spacing,
                    normalizationSchemes, useMaskForNorm, resamplingFnData, resamplingFnSeg, resamplingFnDataKwargs,
                    resamplingFnSegKwargs, resamplingFnProbabilities, resamplingFnProbabilitiesKwargs, architecture, v,
                    inheritsFrom, previousStage, nextStage);
        }

        public Configuration withNextStage(String v) {
            return new Configuration(dataIdentifier, preprocessorName, batchSize, patchSize, medianImageSizeInVoxels, spacing,
                    normalizationSchemes, useMaskForNorm, resamplingFnData, resamplingFnSeg, resamplingFnDataKwargs,
                    resamplingFnSegKwargs, resamplingFnProbabilities, resamplingFnProbabilitiesKwargs, architecture, batchDice,
                    inheritsFrom, previousStage, v);
        }

        /** This configuration's fields, falling back to {@code parent}'s where this one has none. */
        Configuration over(Configuration parent) {
            return new Configuration(
                    or(dataIdentifier, parent.dataIdentifier), or(preprocessorName, parent.preprocessorName),
                    or(batchSize, parent.batchSize), or(patchSize, parent.patchSize),
                    or(medianImageSizeInVoxels, parent.medianImageSizeInVoxels), or(spacing, parent.spacing),
                    or(normalizationSchemes, parent.normalizationSchemes), or(useMaskForNorm, parent.useMaskForNorm),
                    or(resamplingFnData, parent.resamplingFnData), or(resamplingFnSeg, parent.resamplingFnSeg),
                    or(resamplingFnDataKwargs, parent.resamplingFnDataKwargs),
                    or(resamplingFnSegKwargs, parent.resamplingFnSegKwargs),
                    or(resamplingFnProbabilities, parent.resamplingFnProbabilities),
                    or(resamplingFnProbabilitiesKwargs, parent.resamplingFnProbabilitiesKwargs),
                    or(architecture, parent.architecture), or(batchDice, parent.batchDice),
                    null, or(previousStage, parent.previousStage), or(nextStage, parent.nextStage));
        }

        private static <T> T or(T a, T b) {
            return a != null ? a : b;
        }
    }
}
