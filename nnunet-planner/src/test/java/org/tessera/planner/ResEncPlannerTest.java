package org.tessera.planner;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.tessera.volume.InvalidInputException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The residual-encoder presets (spec section 14): the two memory estimates nnU-Net's comments quote, and the
 * public reference cases of section 12 planned with each preset. The spec publishes no ResEnc plans for those
 * cases; the expected patches and batch sizes here follow from the section 14 rules (cross-checked by hand
 * from the estimate formula), and everything the presets share with the default planner must stay equal.
 */
class ResEncPlannerTest {

    static Plans lung(PlannerPreset p) {
        Fingerprint fp = Fingerprint.builder()
                .addCases(63, new double[]{1.244979977607727, 0.78515625, 0.78515625}, new int[]{252, 512, 512})
                .channel(0, ExperimentPlannerTest.CT_PROPS).build();
        return new ExperimentPlanner(fp, ExperimentPlannerTest.dataset(Map.of("0", "CT"), 2, 63, ".nii.gz"), "Dataset006_Lung")
                .preset(p).plan();
    }

    static Plans hippocampus(PlannerPreset p) {
        Fingerprint fp = Fingerprint.builder()
                .addCases(260, new double[]{1, 1, 1}, new int[]{36, 50, 35})
                .channel(0, ExperimentPlannerTest.MR_PROPS).medianRelativeSizeAfterCropping(1.0).build();
        return new ExperimentPlanner(fp, ExperimentPlannerTest.dataset(Map.of("0", "MRI"), 3, 260, ".nii.gz"),
                "Dataset004_Hippocampus").preset(p).plan();
    }

    @Test
    void theTwoReferenceEstimatesOfNnUnetsComments() {
        int[][] s3 = {{1, 1, 1}, {2, 2, 2}, {2, 2, 2}, {2, 2, 2}, {2, 2, 2}, {2, 2, 2}};
        assertEquals(558_319_104L, NetworkTopology.residualEncoderFeatureMapSize(new int[]{128, 128, 128}, s3,
                new int[]{32, 64, 128, 256, 320, 320}, new int[]{1, 3, 4, 6, 6, 6}, new int[]{1, 1, 1, 1, 1}, 3, true));
        int[][] s2 = {{1, 1}, {2, 2}, {2, 2}, {2, 2}, {2, 2}, {2, 2}, {2, 2}};
        assertEquals(129_793_792L, NetworkTopology.residualEncoderFeatureMapSize(new int[]{512, 512}, s2,
                new int[]{32, 64, 128, 256, 512, 512, 512}, new int[]{1, 3, 4, 6, 6, 6, 6}, new int[]{1, 1, 1, 1, 1, 1}, 3, true));
    }

    @Test
    void withoutDeepSupervisionOnlyTheFullResolutionOutputCounts() {
        int[][] s3 = {{1, 1, 1}, {2, 2, 2}, {2, 2, 2}, {2, 2, 2}};
        // 40x56x40 = 89,600 voxels: stem 32 + stage 0 (2*1)*32 + ... + 3 classes at full resolution
        assertEquals(23_609_600L, NetworkTopology.residualEncoderFeatureMapSize(new int[]{40, 56, 40}, s3,
                new int[]{32, 64, 128, 256}, new int[]{1, 3, 4, 6}, new int[]{1, 1, 1}, 3, false));
    }

    @Test
    void presetTable() {
        assertEquals("ExperimentPlanner, nnUNetPlannerResEncM, nnUNetPlannerResEncL, nnUNetPlannerResEncXL", PlannerPreset.names());
        assertEquals(PlannerPreset.RES_ENC_L, PlannerPreset.byName("nnunetplannerresencl"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> PlannerPreset.byName("nnUNetPlannerResEncS"));
        assertTrue(e.getMessage().contains("nnUNetPlannerResEncS") && e.getMessage().contains(PlannerPreset.names()), e.getMessage());
        assertEquals(680_000_000d, PlannerPreset.RES_ENC_M.reference(3));
        assertEquals(135_000_000d, PlannerPreset.RES_ENC_M.reference(2));
        assertEquals(2_100_000_000d, PlannerPreset.RES_ENC_L.reference(3));
        assertEquals(380_000_000d, PlannerPreset.RES_ENC_L.reference(2));
        assertEquals(3_600_000_000d, PlannerPreset.RES_ENC_XL.reference(3));
        assertEquals(560_000_000d, PlannerPreset.RES_ENC_XL.reference(2));
        assertEquals(8, PlannerPreset.RES_ENC_M.gpuTargetGb());
        assertEquals(24, PlannerPreset.RES_ENC_L.gpuTargetGb());
        assertEquals(40, PlannerPreset.RES_ENC_XL.gpuTargetGb());
        assertEquals(1, PlannerPreset.RES_ENC_XL.maxDatasetCovered());
        assertEquals(0.05, PlannerPreset.DEFAULT.maxDatasetCovered());
    }

    @Test
    void hippocampusWithEachPreset() {
        // same patch and topology as the default; the batch is round(ref / E * 2) with E = 23,609,600, capped by
        // round(260 * 36*50*35 / (40*56*40)) = 183 (100% of the data set instead of 5%)
        int[] expectedBatch = {58, 178, 183};
        PlannerPreset[] presets = {PlannerPreset.RES_ENC_M, PlannerPreset.RES_ENC_L, PlannerPreset.RES_ENC_XL};
        for (int i = 0; i < presets.length; i++) {
            Plans p = hippocampus(presets[i]);
            Plans.Configuration c = p.configuration("3d_fullres");
            assertArrayEquals(new int[]{40, 56, 40}, c.patchSize(), presets[i].plannerName());
            assertEquals(expectedBatch[i], c.batchSize(), presets[i].plannerName());
            assertArrayEquals(new int[][]{{1, 1, 1}, {2, 2, 2}, {2, 2, 2}, {2, 2, 2}}, c.architecture().strides());
            assertArrayEquals(new int[]{1, 3, 4, 6}, c.architecture().nConvPerStage());
            assertArrayEquals(new int[]{1, 1, 1}, c.architecture().nConvPerStageDecoder());
            assertEquals(Plans.Architecture.RESIDUAL_ENCODER_UNET, c.architecture().networkClassName());
            assertFalse(p.configurations().containsKey("3d_lowres"));
            assertEquals("nnUNetPlans_3d_fullres", c.dataIdentifier());
            assertEquals("nnUNetPlans_2d", p.configuration("2d").dataIdentifier());
        }
    }

    @Test
    void lungWithEachPreset() {
        // M: the default's [80,192,160] patch already fits (E = 651,081,600 <= 680M without the / ref_bs * 2 factor)
        Plans m = lung(PlannerPreset.RES_ENC_M);
        Plans.Configuration mf = m.configuration("3d_fullres");
        assertArrayEquals(new int[]{80, 192, 160}, mf.patchSize());
        assertEquals(2, mf.batchSize());
        assertArrayEquals(new int[][]{{1, 1, 1}, {2, 2, 2}, {2, 2, 2}, {2, 2, 2}, {2, 2, 2}, {1, 2, 2}}, mf.architecture().strides());
        assertArrayEquals(new int[]{32, 64, 128, 256, 320, 320}, mf.architecture().featuresPerStage());
        assertArrayEquals(new int[]{1, 3, 4, 6, 6, 6}, mf.architecture().nConvPerStage());
        Plans.Configuration ml = m.configuration("3d_lowres");
        assertArrayEquals(new double[]{2.3855103790575867, 1.5044405671133478, 1.5044405671133478}, ml.spacing(), 1e-12);
        assertEquals(List.of(132, 267, 267), ml.medianImageSizeInVoxels());
        assertEquals("nnUNetResEncUNetMPlans_3d_lowres", ml.dataIdentifier());
        assertEquals("nnUNetPlans_3d_fullres", mf.dataIdentifier());
        assertEquals(13, m.configuration("2d").batchSize()); // round(135M / 129,441,792 * 12)
        assertArrayEquals(new int[]{512, 512}, m.configuration("2d").patchSize());

        // L: a 7-stage [112,256,256] patch (E = 1,945,316,352 <= 2.1G), lowres at 1.673 x 1.055 x 1.055
        Plans l = lung(PlannerPreset.RES_ENC_L);
        Plans.Configuration lf = l.configuration("3d_fullres");
        assertArrayEquals(new int[]{112, 256, 256}, lf.patchSize());
        assertEquals(2, lf.batchSize());
        assertArrayEquals(new int[][]{{1, 1, 1}, {2, 2, 2}, {2, 2, 2}, {2, 2, 2}, {2, 2, 2}, {1, 2, 2}, {1, 2, 2}},
                lf.architecture().strides());
        assertArrayEquals(new int[]{1, 3, 4, 6, 6, 6, 6}, lf.architecture().nConvPerStage());
        Plans.Configuration ll = l.configuration("3d_lowres");
        assertEquals(List.of(188, 381, 381), ll.medianImageSizeInVoxels());
        assertArrayEquals(new int[]{112, 256, 256}, ll.patchSize());
        assertEquals(35, l.configuration("2d").batchSize());

        // XL: [128,320,320] (E = 3,471,443,200 <= 3.6G); the lowres candidate covers too little and is dropped
        Plans xl = lung(PlannerPreset.RES_ENC_XL);
        Plans.Configuration xf = xl.configuration("3d_fullres");
        assertArrayEquals(new int[]{128, 320, 320}, xf.patchSize());
        assertEquals(2, xf.batchSize());
        assertFalse(xl.configurations().containsKey("3d_lowres"));
        assertEquals(52, xl.configuration("2d").batchSize());
    }

    @Test
    void defaultPlannerIsUnchanged() {
        Plans d = ExperimentPlannerTest.lung();
        assertEquals("ExperimentPlanner", d.experimentPlannerUsed());
        assertEquals("nnUNetPlans", d.plansName());
        assertEquals(Plans.Architecture.PLAIN_CONV_UNET, d.configuration("3d_fullres").architecture().networkClassName());
        assertEquals("nnUNetPlans_3d_lowres", d.configuration("3d_lowres").dataIdentifier());
    }

    @Test
    void gpuTargetScalesFromThePresetsOwn() {
        Fingerprint fp = Fingerprint.builder()
                .addCases(63, new double[]{1.244979977607727, 0.78515625, 0.78515625}, new int[]{252, 512, 512})
                .channel(0, ExperimentPlannerTest.CT_PROPS).build();
        ExperimentPlanner pl = new ExperimentPlanner(fp, ExperimentPlannerTest.dataset(Map.of("0", "CT"), 2, 63, ".nii.gz"), "L")
                .preset(PlannerPreset.RES_ENC_L);
        assertEquals(24, pl.gpuMemoryGb());
        // L at 8 GB: reference 2.1G * 8 / 24 = 700M (M's own is 680M); Lung shrinks to M's patch all the same
        int[] atEight = pl.gpuMemoryGb(8).plan().configuration("3d_fullres").patchSize();
        assertArrayEquals(new int[]{80, 192, 160}, atEight);
    }

    @Test
    void plansJsonHasNnUnetsResEncLayout() {
        Plans p = lung(PlannerPreset.RES_ENC_M);
        JsonNode root = JsonFields.parse(p.toJson(), "plans");
        assertEquals("nnUNetResEncUNetMPlans", root.get("plans_name").asText());
        assertEquals("nnUNetPlannerResEncM", root.get("experiment_planner_used").asText());
        JsonNode arch = root.get("configurations").get("3d_fullres").get("architecture");
        assertEquals("dynamic_network_architectures.architectures.unet.ResidualEncoderUNet", arch.get("network_class_name").asText());
        List<String> keys = new ArrayList<>();
        arch.get("arch_kwargs").fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("n_stages", "features_per_stage", "conv_op", "kernel_sizes", "strides", "n_blocks_per_stage",
                "n_conv_per_stage_decoder", "conv_bias", "norm_op", "norm_op_kwargs", "dropout_op", "dropout_op_kwargs",
                "nonlin", "nonlin_kwargs"), keys);
        JsonNode k = arch.get("arch_kwargs");
        assertEquals("[1,3,4,6,6,6]", k.get("n_blocks_per_stage").toString());
        assertEquals("[1,1,1,1,1]", k.get("n_conv_per_stage_decoder").toString());
        assertTrue(k.get("conv_bias").asBoolean());
        assertEquals("torch.nn.modules.instancenorm.InstanceNorm3d", k.get("norm_op").asText());
        assertEquals(1e-5, k.get("norm_op_kwargs").get("eps").asDouble());
        assertTrue(k.get("norm_op_kwargs").get("affine").asBoolean());
        assertEquals("torch.nn.LeakyReLU", k.get("nonlin").asText());
        assertEquals("[\"conv_op\",\"norm_op\",\"dropout_op\",\"nonlin\"]", arch.get("_kw_requires_import").toString());

        // and it reads back to the same plans, blocks in place of convolutions, nothing left over
        Plans back = PlansJson.fromJson(p.toJson(), "plans");
        Plans.Architecture a = back.configuration("3d_fullres").architecture();
        assertArrayEquals(new int[]{1, 3, 4, 6, 6, 6}, a.nConvPerStage());
        assertTrue(a.residualEncoder());
        assertTrue(a.extraArchKwargs().isEmpty(), a.extraArchKwargs().toString());
        assertEquals(p.toJson(), back.toJson());
    }
}
