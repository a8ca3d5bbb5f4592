package org.tessera.planner;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.volume.InvalidInputException;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InputValidationTest {

    private static final String PROPS = "{\"0\": {\"max\": 1, \"mean\": 0.5, \"median\": 0.5, \"min\": 0, "
            + "\"percentile_00_5\": 0, \"percentile_99_5\": 1, \"std\": 0.2}}";

    private static String message(Runnable r) {
        return assertThrows(InvalidInputException.class, r::run).getMessage();
    }

    @Test
    void fingerprintRoundTrip(@TempDir Path dir) {
        Fingerprint fp = Fingerprint.builder().channel(0, ExperimentPlannerTest.CT_PROPS).medianRelativeSizeAfterCropping(0.9)
                .addCase(new double[]{2.5, 0.7, 0.7}, new int[]{100, 512, 512})
                .addCase(new double[]{1.25, 0.8, 0.8}, new int[]{200, 500, 500}).build();
        Path f = dir.resolve("dataset_fingerprint.json");
        fp.write(f);
        Fingerprint back = Fingerprint.read(f);
        assertEquals(fp.toJson(), back.toJson());
        assertArrayEquals(new int[]{200, 500, 500}, back.shapesAfterCrop().get(1));
        assertEquals(0.9, back.medianRelativeSizeAfterCropping());
        assertEquals(ExperimentPlannerTest.CT_PROPS, back.foregroundIntensityPropertiesPerChannel().get("0"));
    }

    @Test
    void numbersTooLargeForADoubleAreRefused() {
        // Found by PlansFuzzTest#fingerprint: 1e400 read as infinity, which the written file could not hold.
        String m = message(() -> Fingerprint.fromJson("{\"spacings\": [[1e400, 1, 1]], \"shapes_after_crop\": [[1, 2, 3]], "
                + "\"foreground_intensity_properties_per_channel\": " + PROPS + ", \"median_relative_size_after_cropping\": 1}", "fp.json"));
        assertTrue(m.contains("fp.json") && m.contains("finite"), m);
        String p = message(() -> PlansJson.fromJson("{\"configurations\": {\"3d_fullres\": {\"spacing\": [1, -1e999, 1]}}}", "plans.json"));
        assertTrue(p.contains("plans.json") && p.contains("finite"), p);
    }

    @Test
    void fingerprintWithoutSpacingsNamesFileAndField() {
        String m = message(() -> Fingerprint.fromJson("{\"shapes_after_crop\": [[1, 2, 3]], "
                + "\"foreground_intensity_properties_per_channel\": " + PROPS + ", \"median_relative_size_after_cropping\": 1}", "fp.json"));
        assertTrue(m.contains("fp.json") && m.contains("\"spacings\""), m);
    }

    @Test
    void fingerprintWithCaseCountMismatch() {
        String m = message(() -> Fingerprint.fromJson("{\"spacings\": [[1, 1, 1], [1, 1, 1]], \"shapes_after_crop\": [[1, 2, 3]], "
                + "\"foreground_intensity_properties_per_channel\": " + PROPS + ", \"median_relative_size_after_cropping\": 1}", "fp.json"));
        assertTrue(m.startsWith("fp.json") && m.contains("one entry per training case"), m);
    }

    @Test
    void fingerprintWithTwoAxes() {
        String m = message(() -> Fingerprint.fromJson("{\"spacings\": [[1, 1]], \"shapes_after_crop\": [[2, 3]], "
                + "\"foreground_intensity_properties_per_channel\": " + PROPS + ", \"median_relative_size_after_cropping\": 1}", "fp.json"));
        assertTrue(m.contains("(1, y, x)"), m);
    }

    @Test
    void fingerprintWithNegativeSpacing() {
        String m = message(() -> Fingerprint.fromJson("{\"spacings\": [[1, -1, 1]], \"shapes_after_crop\": [[2, 3, 4]], "
                + "\"foreground_intensity_properties_per_channel\": " + PROPS + ", \"median_relative_size_after_cropping\": 1}", "fp.json"));
        assertTrue(m.contains("\"spacings\"[0][1]") && m.contains("positive"), m);
    }

    @Test
    void notJson() {
        String m = message(() -> Fingerprint.fromJson("{\"spacings\": [", "fp.json"));
        assertTrue(m.contains("fp.json") && m.contains("not valid JSON"), m);
    }

    @Test
    void datasetJsonReadsChannelsLabelsAndRegions() {
        DatasetJson d = DatasetJson.fromJson("{\"channel_names\": {\"0\": \"T2\", \"1\": \"ADC\"}, \"labels\": {\"background\": 0,"
                + " \"whole_tumor\": [1, 2, 3], \"tumor_core\": [2, 3], \"enhancing\": 3}, \"regions_class_order\": [1, 2, 3],"
                + " \"numTraining\": 484, \"file_ending\": \".nii.gz\"}", "dataset.json");
        assertEquals(2, d.numChannels());
        assertEquals(4, d.numLabels());
        assertTrue(d.isRegionBased());
        assertEquals(List.of(2, 3), d.labels().get("tumor_core"));
        assertEquals(List.of(1, 2, 3), d.regionsClassOrder());
        assertEquals(484, d.numTraining());
        assertEquals(".nii.gz", d.fileEnding());
    }

    @Test
    void datasetJsonAcceptsTheOldModalityKey() {
        DatasetJson d = DatasetJson.fromJson("{\"modality\": {\"0\": \"CT\"}, \"labels\": {\"background\": 0, \"liver\": 1},"
                + " \"numTraining\": 3, \"file_ending\": \".nii.gz\"}", "dataset.json");
        assertEquals(Map.of("0", "CT"), d.channelNames());
    }

    @Test
    void datasetJsonMistakesAreNamed() {
        String noTraining = message(() -> DatasetJson.fromJson("{\"channel_names\": {\"0\": \"CT\"}, \"labels\": {\"background\": 0},"
                + " \"file_ending\": \".nii.gz\"}", "ds.json"));
        assertTrue(noTraining.contains("ds.json") && noTraining.contains("numTraining"), noTraining);
        String noChannels = message(() -> DatasetJson.fromJson("{\"labels\": {\"background\": 0}, \"numTraining\": 2,"
                + " \"file_ending\": \".nii.gz\"}", "ds.json"));
        assertTrue(noChannels.contains("channel_names") && noChannels.contains("{\"0\": \"CT\"}"), noChannels);
        String regions = message(() -> DatasetJson.fromJson("{\"channel_names\": {\"0\": \"CT\"}, \"labels\": {\"background\": 0,"
                + " \"a\": [1, 2]}, \"numTraining\": 2, \"file_ending\": \".nii.gz\"}", "ds.json"));
        assertTrue(regions.contains("regions_class_order"), regions);
        String badLabel = message(() -> DatasetJson.fromJson("{\"channel_names\": {\"0\": \"CT\"}, \"labels\": {\"background\": \"zero\"},"
                + " \"numTraining\": 2, \"file_ending\": \".nii.gz\"}", "ds.json"));
        assertTrue(badLabel.contains("\"labels\"[\"background\"]"), badLabel);
        String ending = message(() -> DatasetJson.fromJson("{\"channel_names\": {\"0\": \"CT\"}, \"labels\": {\"background\": 0},"
                + " \"numTraining\": 2, \"file_ending\": \"nii.gz\"}", "ds.json"));
        assertTrue(ending.contains("\".nii.gz\""), ending);
    }

    @Test
    void channelCountMismatchBetweenFingerprintAndDatasetJson() {
        Fingerprint fp = Fingerprint.builder().channel(0, ExperimentPlannerTest.CT_PROPS)
                .addCase(new double[]{1, 1, 1}, new int[]{10, 10, 10}).build();
        DatasetJson ds = DatasetJson.fromJson("{\"channel_names\": {\"0\": \"T1\", \"1\": \"T2\"}, \"labels\": {\"background\": 0,"
                + " \"a\": 1}, \"numTraining\": 1, \"file_ending\": \".nii.gz\"}", "ds.json");
        String m = message(() -> new ExperimentPlanner(fp, ds, "D"));
        assertTrue(m.contains("1 channel(s)") && m.contains("ds.json") && m.contains("names 2"), m);
    }

    @Test
    void unknownFileEndingHasNoReader() {
        Fingerprint fp = Fingerprint.builder().channel(0, ExperimentPlannerTest.CT_PROPS)
                .addCase(new double[]{1, 1, 1}, new int[]{10, 10, 10}).build();
        DatasetJson ds = DatasetJson.of(Map.of("0", "CT"), Map.of("background", 0, "a", 1), 1, ".jpg");
        String m = message(() -> new ExperimentPlanner(fp, ds, "D").plan());
        assertTrue(m.contains(".jpg") && m.contains("overwrite_image_reader_writer"), m);
    }
}
