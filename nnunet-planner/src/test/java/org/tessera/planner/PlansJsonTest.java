package org.tessera.planner;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.volume.InvalidInputException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlansJsonTest {

    private static Set<String> keys(JsonNode n) {
        Set<String> s = new TreeSet<>();
        n.fieldNames().forEachRemaining(s::add);
        return s;
    }

    @Test
    void writtenPlansHaveNnUNetV2FieldsAndTypes() throws Exception {
        JsonNode root = JsonFields.MAPPER.readTree(ExperimentPlannerTest.lung().toJson());
        assertEquals(new TreeSet<>(List.of("dataset_name", "plans_name", "original_median_spacing_after_transp",
                "original_median_shape_after_transp", "image_reader_writer", "transpose_forward", "transpose_backward",
                "configurations", "experiment_planner_used", "label_manager", "foreground_intensity_properties_per_channel")), keys(root));
        List<String> order = new ArrayList<>();
        root.fieldNames().forEachRemaining(order::add);
        assertEquals("dataset_name", order.get(0));
        JsonNode full = root.get("configurations").get("3d_fullres");
        assertEquals(new TreeSet<>(List.of("data_identifier", "preprocessor_name", "batch_size", "patch_size",
                "median_image_size_in_voxels", "spacing", "normalization_schemes", "use_mask_for_norm", "resampling_fn_data",
                "resampling_fn_seg", "resampling_fn_data_kwargs", "resampling_fn_seg_kwargs", "resampling_fn_probabilities",
                "resampling_fn_probabilities_kwargs", "architecture", "batch_dice")), keys(full));
        assertTrue(full.get("patch_size").get(0).isInt());
        assertTrue(full.get("median_image_size_in_voxels").get(0).isDouble());
        assertTrue(root.get("configurations").get("3d_lowres").get("median_image_size_in_voxels").get(0).isInt());
        assertTrue(full.get("spacing").get(1).isDouble());
        assertTrue(root.get("original_median_shape_after_transp").get(0).isInt());
        JsonNode kw = full.get("resampling_fn_data_kwargs");
        assertEquals(false, kw.get("is_seg").asBoolean());
        assertEquals(3, kw.get("order").asInt());
        assertEquals(0, kw.get("order_z").asInt());
        assertTrue(kw.get("force_separate_z").isNull());
        assertEquals(1, full.get("resampling_fn_seg_kwargs").get("order").asInt());
        assertEquals(1, full.get("resampling_fn_probabilities_kwargs").get("order").asInt());
        assertEquals("resample_data_or_seg_to_shape", full.get("resampling_fn_probabilities").asText());
        JsonNode arch = full.get("architecture");
        assertEquals("dynamic_network_architectures.architectures.unet.PlainConvUNet", arch.get("network_class_name").asText());
        assertEquals("[\"conv_op\",\"norm_op\",\"dropout_op\",\"nonlin\"]", arch.get("_kw_requires_import").toString());
        JsonNode ak = arch.get("arch_kwargs");
        assertEquals(new TreeSet<>(List.of("n_stages", "features_per_stage", "conv_op", "kernel_sizes", "strides",
                "n_conv_per_stage", "n_conv_per_stage_decoder", "conv_bias", "norm_op", "norm_op_kwargs", "dropout_op",
                "dropout_op_kwargs", "nonlin", "nonlin_kwargs")), keys(ak));
        assertEquals("torch.nn.modules.conv.Conv3d", ak.get("conv_op").asText());
        assertEquals("torch.nn.modules.instancenorm.InstanceNorm3d", ak.get("norm_op").asText());
        assertEquals(1e-5, ak.get("norm_op_kwargs").get("eps").asDouble());
        assertTrue(ak.get("norm_op_kwargs").get("affine").asBoolean());
        assertTrue(ak.get("dropout_op").isNull());
        assertEquals("torch.nn.LeakyReLU", ak.get("nonlin").asText());
        assertTrue(ak.get("nonlin_kwargs").get("inplace").asBoolean());
        assertEquals("3d_cascade_fullres", root.get("configurations").get("3d_lowres").get("next_stage").asText());
        assertEquals("{\"inherits_from\":\"3d_fullres\",\"previous_stage\":\"3d_lowres\"}",
                root.get("configurations").get("3d_cascade_fullres").toString());
        assertEquals("nnUNetPlans_2d", root.get("configurations").get("2d").get("data_identifier").asText());
    }

    @Test
    void roundTripThroughAFile(@TempDir Path dir) {
        Plans p = ExperimentPlannerTest.lung();
        Path f = dir.resolve("nnUNetPlans.json");
        p.write(f);
        Plans back = PlansJson.read(f);
        assertEquals(p.toJson(), back.toJson());
        assertArrayEquals(new int[]{80, 192, 160}, back.configuration("3d_lowres").patchSize());
    }

    @Test
    void olderSchemaIsReadIntoTheSameModel() {
        String json = "{\"dataset_name\": \"Dataset004_Hippocampus\", \"plans_name\": \"nnUNetPlans\","
                + "\"transpose_forward\": [0, 1, 2], \"transpose_backward\": [0, 1, 2],"
                + "\"configurations\": {\"3d_fullres\": {\"data_identifier\": \"nnUNetPlans_3d_fullres\","
                + "\"preprocessor_name\": \"DefaultPreprocessor\", \"batch_size\": 9, \"patch_size\": [40, 56, 40],"
                + "\"median_image_size_in_voxels\": [36.0, 50.0, 35.0], \"spacing\": [1.0, 1.0, 1.0],"
                + "\"normalization_schemes\": [\"ZScoreNormalization\"], \"use_mask_for_norm\": [false],"
                + "\"UNet_class_name\": \"PlainConvUNet\", \"UNet_base_num_features\": 32,"
                + "\"n_conv_per_stage_encoder\": [2, 2, 2, 2], \"n_conv_per_stage_decoder\": [2, 2, 2],"
                + "\"num_pool_per_axis\": [3, 3, 3],"
                + "\"pool_op_kernel_sizes\": [[1, 1, 1], [2, 2, 2], [2, 2, 2], [2, 2, 2]],"
                + "\"conv_kernel_sizes\": [[3, 3, 3], [3, 3, 3], [3, 3, 3], [3, 3, 3]], \"unet_max_num_features\": 320,"
                + "\"resampling_fn_data\": \"resample_data_or_seg_to_shape\","
                + "\"resampling_fn_data_kwargs\": {\"is_seg\": false, \"order\": 3, \"order_z\": 0, \"force_separate_z\": null},"
                + "\"batch_dice\": false},"
                + "\"3d_fullres_bs4\": {\"inherits_from\": \"3d_fullres\", \"batch_size\": 4}},"
                + "\"experiment_planner_used\": \"ExperimentPlanner\", \"label_manager\": \"LabelManager\","
                + "\"foreground_intensity_properties_per_channel\": {}}";
        Plans p = PlansJson.fromJson(json, "old_plans.json");
        Plans.Architecture a = p.configuration("3d_fullres").architecture();
        assertEquals(Plans.Architecture.PLAIN_CONV_UNET, a.networkClassName());
        assertEquals(4, a.nStages());
        assertArrayEquals(new int[]{32, 64, 128, 256}, a.featuresPerStage());
        assertArrayEquals(new int[][]{{1, 1, 1}, {2, 2, 2}, {2, 2, 2}, {2, 2, 2}}, a.strides());
        assertArrayEquals(new int[]{2, 2, 2}, a.nConvPerStageDecoder());
        assertEquals("torch.nn.modules.conv.Conv3d", a.convOp());
        Plans.Configuration bs4 = p.resolved("3d_fullres_bs4");
        assertEquals(4, bs4.batchSize());
        assertArrayEquals(new int[]{40, 56, 40}, bs4.patchSize());
        assertEquals(3, bs4.resamplingFnDataKwargs().order());
        // written back in the current schema
        assertTrue(p.toJson().contains("\"arch_kwargs\""));
    }

    @Test
    void unknownParentIsReported() {
        String json = "{\"configurations\": {\"x\": {\"inherits_from\": \"3d_fullres\"}}}";
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> PlansJson.fromJson(json, "p.json"));
        assertTrue(e.getMessage().contains("p.json") && e.getMessage().contains("3d_fullres"), e.getMessage());
    }

    @Test
    void architectureWithMismatchedStagesIsReported() {
        String json = "{\"configurations\": {\"2d\": {\"architecture\": {\"network_class_name\": \"x\", \"arch_kwargs\": {"
                + "\"n_stages\": 3, \"features_per_stage\": [32, 64], \"strides\": [[1, 1], [2, 2]], \"kernel_sizes\": [[3, 3], [3, 3]]}}}}}";
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> PlansJson.fromJson(json, "p.json"));
        assertTrue(e.getMessage().contains("n_stages"), e.getMessage());
    }

    @Test
    void unknownArchitectureArgumentsKeepTheirOrder() throws java.io.IOException {
        // Found by PlansFuzzTest#plans: they were kept in a Map.copyOf, whose order changes from run to run.
        String fixture = new String(PlansJsonTest.class.getResourceAsStream("/fixtures/tiny-plainconvunet-3d/plans.json")
                .readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        String json = fixture.replaceFirst("\"arch_kwargs\"\\s*:\\s*\\{",
                "\"arch_kwargs\": {\"zeta\": 1, \"alpha\": 2, \"mu\": 3, \"beta\": 4, \"omega\": 5, ");
        String written = PlansJson.toJson(PlansJson.fromJson(json, "plans.json"));
        int z = written.indexOf("\"zeta\""), a = written.indexOf("\"alpha\""), m = written.indexOf("\"mu\""),
                b = written.indexOf("\"beta\""), o = written.indexOf("\"omega\"");
        assertTrue(z > 0 && z < a && a < m && m < b && b < o, written);
        assertEquals(written, PlansJson.toJson(PlansJson.fromJson(written, "written plans.json")));
    }
}
