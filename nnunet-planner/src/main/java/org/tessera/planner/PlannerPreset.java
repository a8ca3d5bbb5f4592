package org.tessera.planner;

import org.tessera.volume.InvalidInputException;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What one nnU-Net v2 experiment planner changes in the planning rules: the default {@code ExperimentPlanner}
 * (PlainConvUNet) or one of the residual-encoder presets of nnU-Net's residual_encoder_unet_planners.py
 * (ResidualEncoderUNet, "nnU-Net Revisited"). Everything else is shared by {@link ExperimentPlanner}.
 */
public enum PlannerPreset {

    /** nnU-Net's default planner: PlainConvUNet, 8 GB, shrink while E / ref_bs * 2 > ref, batch cap 5%. */
    DEFAULT("ExperimentPlanner", "nnUNetPlans", 8, 560_000_000d, 85_000_000d, 0.05, true, false),
    RES_ENC_M("nnUNetPlannerResEncM", "nnUNetResEncUNetMPlans", 8, 680_000_000d, 135_000_000d, 1, false, true),
    RES_ENC_L("nnUNetPlannerResEncL", "nnUNetResEncUNetLPlans", 24, 2_100_000_000d, 380_000_000d, 1, false, true),
    RES_ENC_XL("nnUNetPlannerResEncXL", "nnUNetResEncUNetXLPlans", 40, 3_600_000_000d, 560_000_000d, 1, false, true);

    /** Residual blocks per encoder stage of the presets, cut to the number of stages. */
    static final int[] RES_ENC_BLOCKS = {1, 3, 4, 6, 6, 6, 6, 6, 6, 6, 6, 6};

    private final String plannerName;
    private final String plansName;
    private final double gpuTargetGb;
    private final double reference3d;
    private final double reference2d;
    private final double maxDatasetCovered;
    private final boolean shrinkPerReferenceBatch;
    private final boolean residualEncoder;

    PlannerPreset(String plannerName, String plansName, double gpuTargetGb, double reference3d, double reference2d,
                  double maxDatasetCovered, boolean shrinkPerReferenceBatch, boolean residualEncoder) {
        this.plannerName = plannerName;
        this.plansName = plansName;
        this.gpuTargetGb = gpuTargetGb;
        this.reference3d = reference3d;
        this.reference2d = reference2d;
        this.maxDatasetCovered = maxDatasetCovered;
        this.shrinkPerReferenceBatch = shrinkPerReferenceBatch;
        this.residualEncoder = residualEncoder;
    }

    /** The planner's name as nnU-Net spells it ({@code -pl}), also written as experiment_planner_used. */
    public String plannerName() {
        return plannerName;
    }

    /** The default plans name (plans file {@code <plansName>.json}). */
    public String plansName() {
        return plansName;
    }

    /** GPU memory the reference values correspond to, and the default target, in GB. */
    public double gpuTargetGb() {
        return gpuTargetGb;
    }

    /** Reference memory estimate for a 3D (dim 3) or 2D configuration at {@link #gpuTargetGb()}. */
    public double reference(int dim) {
        return dim == 2 ? reference2d : reference3d;
    }

    /** Share of the data set one batch may cover at most (0.05 default, 1 for the residual presets). */
    public double maxDatasetCovered() {
        return maxDatasetCovered;
    }

    public boolean residualEncoder() {
        return residualEncoder;
    }

    /** Whether the patch must still shrink for this estimate (the default divides by the reference batch). */
    boolean tooLarge(long estimate, int referenceBatch, double reference) {
        return shrinkPerReferenceBatch ? estimate / (double) referenceBatch * 2 > reference : estimate > reference;
    }

    /** data_identifier of a configuration: the presets share the default 2d and 3d_fullres data. */
    String dataIdentifier(String plansName, String configuration) {
        if (residualEncoder && (configuration.equals("2d") || configuration.equals("3d_fullres"))) {
            return DEFAULT.plansName + "_" + configuration;
        }
        return plansName + "_" + configuration;
    }

    /** Encoder convolutions (plain) or residual blocks (residual encoder) per stage. */
    int[] encoderUnits(int nStages) {
        return residualEncoder ? Arrays.copyOf(RES_ENC_BLOCKS, nStages) : filled(nStages, 2);
    }

    /** Convolutions per decoder stage. */
    int[] decoderConvs(int nStages) {
        return filled(nStages - 1, residualEncoder ? 1 : 2);
    }

    Plans.Architecture architecture(int[] features, int[][] kernels, int[][] strides) {
        int n = strides.length;
        return residualEncoder
                ? Plans.Architecture.residualEncoderUNet(features, kernels, strides, encoderUnits(n), decoderConvs(n))
                : Plans.Architecture.plainConvUNet(features, kernels, strides, encoderUnits(n), decoderConvs(n));
    }

    /** The network's memory estimate (feature-map voxels), without deep supervision, as nnU-Net plans with. */
    long estimate(int[] patchSize, int[][] strides, int[] features, int numClasses) {
        int n = strides.length;
        return residualEncoder
                ? NetworkTopology.residualEncoderFeatureMapSize(patchSize, strides, features, encoderUnits(n),
                decoderConvs(n), numClasses, false)
                : NetworkTopology.convFeatureMapSize(patchSize, strides, features, encoderUnits(n), decoderConvs(n), numClasses);
    }

    /** The preset named as nnU-Net names the planner (case-insensitive); a clear error lists the valid names. */
    public static PlannerPreset byName(String name) {
        for (PlannerPreset p : values()) {
            if (p.plannerName.equalsIgnoreCase(name == null ? "" : name.trim())) {
                return p;
            }
        }
        throw new InvalidInputException("Unknown planner \"" + name + "\"; valid planners: " + names() + ".");
    }

    /** The valid planner names, comma separated. */
    public static String names() {
        return Arrays.stream(values()).map(PlannerPreset::plannerName).collect(Collectors.joining(", "));
    }

    private static int[] filled(int n, int v) {
        int[] a = new int[Math.max(n, 0)];
        Arrays.fill(a, v);
        return a;
    }
}
