package org.tessera.planner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.tessera.volume.InvalidInputException;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz tests of the nnU-Net JSON readers (plans.json, dataset_fingerprint.json): any text either reads, resolves
 * and writes back to the same plan, or is refused with an {@link InvalidInputException} naming the file; anything
 * else is a finding. The normal build runs the seeds in {@code PlansFuzzTestInputs/<method>/}; {@code JAZZER_FUZZ=1}
 * fuzzes (see the README).
 */
class PlansFuzzTest {

    private static final String SOURCE = "fuzzed/plans.json";

    @Timeout(10) // a reader that takes longer loops or decodes far more than the input holds: a finding
    @FuzzTest
    @DictionaryEntries({ "\"configurations\"", "\"3d_fullres\"", "\"2d\"", "\"inherits_from\"", "\"architecture\"",
            "\"arch_kwargs\"", "\"n_stages\"", "\"strides\"", "\"kernel_sizes\"", "\"features_per_stage\"",
            "\"network_class_name\"", "\"conv_kernel_sizes\"", "\"pool_op_kernel_sizes\"", "\"patch_size\"",
            "\"spacing\"", "\"batch_size\"", "\"median_image_size_in_voxels\"", "\"transpose_forward\"",
            "\"foreground_intensity_properties_per_channel\"", "\"resampling_fn_data_kwargs\"", "\"order\"",
            "\"UNet_base_num_features\"", "\"unet_max_num_features\"", "null", "-1", "1e400", "2147483648" })
    void plans(byte[] bytes) {
        String json = new String(bytes, StandardCharsets.UTF_8);
        Plans plans;
        try {
            plans = PlansJson.fromJson(json, SOURCE);
        } catch (InvalidInputException e) {
            assertNamed(e, SOURCE);
            return;
        }
        for (String name : plans.configurations().keySet()) {
            try {
                plans.resolved(name);
            } catch (InvalidInputException e) {
                assertFalse(e.getMessage() == null || e.getMessage().isBlank(), "a refusal needs a message");
            }
        }
        String written = PlansJson.toJson(plans);
        assertEquals(written, PlansJson.toJson(PlansJson.fromJson(written, "written plans")),
                "a plan read, written and read again must write the same text");
    }

    @Timeout(10)
    @FuzzTest
    @DictionaryEntries({ "\"spacings\"", "\"shapes_after_crop\"", "\"foreground_intensity_properties_per_channel\"",
            "\"median_relative_size_after_cropping\"", "\"max\"", "\"mean\"", "\"median\"", "\"min\"",
            "\"percentile_00_5\"", "\"percentile_99_5\"", "\"std\"", "null", "-1", "1e400" })
    void fingerprint(byte[] bytes) {
        String source = "fuzzed/dataset_fingerprint.json";
        Fingerprint fp;
        try {
            fp = Fingerprint.fromJson(new String(bytes, StandardCharsets.UTF_8), source);
        } catch (InvalidInputException e) {
            assertNamed(e, source);
            return;
        }
        String written = fp.toJson();
        assertEquals(written, Fingerprint.fromJson(written, "written fingerprint").toJson(),
                "a fingerprint read, written and read again must write the same text");
    }

    private static void assertNamed(InvalidInputException e, String source) {
        assertTrue(e.getMessage() != null && e.getMessage().contains(source), "a refusal must name the file: "
                + e.getMessage());
    }

    /**
     * Writes the seeds: plans and fingerprints written by Tessera's planner, the nnU-Net plans of the test
     * fixtures, an older-schema plan, and damaged ones. {@code mvn -o -pl nnunet-planner -am verify
     * -Dtest=PlansFuzzTest -Dtessera.writeSeeds=true -Dsurefire.failIfNoSpecifiedTests=false}
     */
    @Test
    @EnabledIfSystemProperty(named = "tessera.writeSeeds", matches = "true")
    void writeSeeds() throws IOException {
        Path root = Path.of(System.getProperty("tessera.root"),
                "nnunet-planner/src/test/resources/org/tessera/planner/PlansFuzzTestInputs");
        Path plans = Files.createDirectories(root.resolve("plans"));
        Path fingerprints = Files.createDirectories(root.resolve("fingerprint"));
        String hippocampus = PlansJson.toJson(ExperimentPlannerTest.hippocampus());
        Files.writeString(plans.resolve("hippocampus.json"), hippocampus);
        for (String fixture : new String[] { "tiny-nnunet-3d", "tiny-plainconvunet-3d" })
            Files.write(plans.resolve(fixture + ".json"),
                    PlansFuzzTest.class.getResourceAsStream("/fixtures/" + fixture + "/plans.json").readAllBytes());
        Files.writeString(plans.resolve("older-schema.json"), """
                {"dataset_name": "Dataset001_Old", "transpose_forward": [0, 1, 2], "transpose_backward": [0, 1, 2],
                 "configurations": {"3d_fullres": {"patch_size": [32, 32, 32], "spacing": [1.0, 1.0, 1.0],
                   "batch_size": 2, "UNet_class_name": "ResidualEncoderUNet", "UNet_base_num_features": 16,
                   "conv_kernel_sizes": [[3, 3, 3], [3, 3, 3]], "pool_op_kernel_sizes": [[1, 1, 1], [2, 2, 2]]},
                  "3d_lowres": {"inherits_from": "3d_fullres", "spacing": [2.0, 2.0, 2.0], "next_stage": "3d_cascade"}}}
                """);
        Files.writeString(plans.resolve("cut-short.json"), hippocampus.substring(0, hippocampus.length() / 2));
        Files.writeString(plans.resolve("missing-parent.json"),
                "{\"configurations\": {\"a\": {\"inherits_from\": \"b\"}}}");
        Fingerprint fp = Fingerprint.builder()
                .addCases(3, new double[] { 1.5, 0.8, 0.8 }, new int[] { 20, 64, 60 })
                .addCase(new double[] { 2.0, 0.7, 0.7 }, new int[] { 18, 70, 66 })
                .channel(0, ExperimentPlannerTest.CT_PROPS).channel(1, ExperimentPlannerTest.MR_PROPS)
                .medianRelativeSizeAfterCropping(0.9).build();
        String fpJson = fp.toJson();
        Files.writeString(fingerprints.resolve("two-channels.json"), fpJson);
        Files.writeString(fingerprints.resolve("cut-short.json"), fpJson.substring(0, fpJson.length() / 2));
        Files.writeString(fingerprints.resolve("shape-mismatch.json"), fpJson.replaceFirst("\\[\\s*20", "[ 20, 1"));
        assertTrue(Arrays.asList(plans.toFile().list()).contains("hippocampus.json"));
    }
}
