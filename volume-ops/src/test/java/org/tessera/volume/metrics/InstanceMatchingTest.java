package org.tessera.volume.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.LongArray;
import net.imglib2.type.numeric.integer.LongType;

import org.junit.jupiter.api.Test;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.metrics.InstanceMatching.Scores;

/**
 * Hand-made images with known answers. Rule under test: a pair matches at threshold t when IoU >= t. Thresholds
 * are 0.5, 0.55, ..., 0.95 (index 0..9); AP = TP / (TP + FP + FN); DSB = mean AP over the ten.
 */
class InstanceMatchingTest {

    private static final double EPS = 1e-12;

    /** A 2D label image from rows of space-separated ids, first row y = 0. */
    private static ArrayImg<LongType, LongArray> image(String... rows) {
        long[][] values = Arrays.stream(rows).map(r -> Arrays.stream(r.trim().split(" +")).mapToLong(Long::parseLong)
                .toArray()).toArray(long[][]::new);
        return ArrayImgs.longs(Arrays.stream(values).flatMapToLong(Arrays::stream).toArray(), values[0].length,
                values.length);
    }

    private static void assertCounts(Scores s, long tp, long fp, long fn) {
        assertEquals(List.of(tp, fp, fn), List.of(s.truePositives(), s.falsePositives(), s.falseNegatives()),
                "TP, FP, FN at " + s.threshold());
    }

    /** TP, FP, FN {@code upTo} at thresholds 0..last, {@code after} above, and the DSB score. */
    private static void assertStep(List<Scores> s, int last, long[] upTo, long[] after, double dsb) {
        for (int i = 0; i < s.size(); i++) {
            long[] c = i <= last ? upTo : after;
            assertCounts(s.get(i), c[0], c[1], c[2]);
        }
        assertEquals(dsb, InstanceMatching.dsbScore(s), EPS);
    }

    @Test
    void perfectMatchWithOtherIdsScoresOneEverywhere() {
        // ids need not agree, nor be consecutive: 3 -> 1, 7 -> 2, 100 -> 5
        var truth = image("3 3 0 7", "0 0 0 7", "100 0 0 0");
        var prediction = image("1 1 0 2", "0 0 0 2", "5 0 0 0");
        InstanceMatching m = InstanceMatching.of(prediction, truth);
        for (Scores s : m.atDsbThresholds()) {
            assertCounts(s, 3, 0, 0);
            assertEquals(1, s.averagePrecision(), EPS);
            assertEquals(1, s.panopticQuality(), EPS);
            assertEquals(1, s.meanMatchedIou(), EPS);
        }
        assertEquals(1, InstanceMatching.dsbScore(m.atDsbThresholds()), EPS);
    }

    @Test
    void mergeMatchesOnlyTheLargerTrueObject() {
        // prediction 5 (8 voxels) covers true 1 (6) and true 2 (2): IoU 6/8 = 0.75 and 2/8 = 0.25.
        // t = 0.5..0.75 (6 thresholds): TP 1, FP 0, FN 1 -> AP 1/2; t = 0.8..0.95: TP 0, FP 1, FN 2 -> AP 0.
        // DSB = 6 * 0.5 / 10 = 0.3
        InstanceMatching m = InstanceMatching.of(image("5 5 5 5", "5 5 5 5"), image("1 1 1 2", "1 1 1 2"));
        List<Scores> s = m.atDsbThresholds();
        assertStep(s, 5, new long[] { 1, 0, 1 }, new long[] { 0, 1, 2 }, 0.3);
        assertEquals(0.5, s.get(5).averagePrecision(), EPS);
        assertEquals(0.75, s.get(5).meanMatchedIou(), EPS);
    }

    @Test
    void foregroundDiceIgnoresHowObjectsAreSplit() {
        // a merge and a split cover the same voxels as the truth: binary Dice 1 although AP is 1/2
        assertEquals(1, InstanceMatching.of(image("4 4 4 4"), image("1 1 2 2")).foreground().dice(), EPS);
        // prediction 3 voxels, truth 2, overlap 1: 2 * 1 / 5; pooled with a perfect image of 2 voxels: 2 * 3 / 9
        InstanceMatching.Foreground a = InstanceMatching.of(image("7 7 7 0"), image("0 0 1 1")).foreground();
        assertEquals(0.4, a.dice(), EPS);
        InstanceMatching.Foreground b = InstanceMatching.of(image("0 0 5 5"), image("0 0 8 8")).foreground();
        assertEquals(6.0 / 9, a.plus(b).dice(), EPS);
    }

    @Test
    void evenMergeTiesAtExactlyOneHalfAndMatchesOneObject() {
        // prediction 4 covers true 1 and true 2 alike: IoU 0.5 each. At 0.5 (>=) one of them matches:
        // TP 1, FP 0, FN 1 -> AP 1/2; above: TP 0, FP 1, FN 2. DSB = 0.5 / 10 = 0.05
        List<Scores> s = InstanceMatching.of(image("4 4 4 4"), image("1 1 2 2")).atDsbThresholds();
        assertStep(s, 0, new long[] { 1, 0, 1 }, new long[] { 0, 1, 2 }, 0.05);
    }

    @Test
    void splitMatchesOneHalfAtOneHalfOnly() {
        // true 3 predicted as halves 1 and 2: IoU 0.5 each. At 0.5: TP 1, FP 1, FN 0 -> AP 1/2, precision 1/2,
        // recall 1; above: TP 0, FP 2, FN 1 -> AP 0. DSB = 0.05
        List<Scores> s = InstanceMatching.of(image("1 1 2 2"), image("3 3 3 3")).atDsbThresholds();
        assertStep(s, 0, new long[] { 1, 1, 0 }, new long[] { 0, 2, 1 }, 0.05);
        assertEquals(0.5, s.get(0).precision(), EPS);
        assertEquals(1, s.get(0).recall(), EPS);
        assertEquals(0, s.get(1).f1(), EPS);
    }

    @Test
    void missedNucleusIsAFalseNegativeAtEveryThreshold() {
        // true 2 has no prediction: TP 1, FP 0, FN 1 -> AP 1/2, precision 1, recall 1/2, F1 2/3,
        // PQ = 1 / (1 + 0 + 1/2) = 2/3
        InstanceMatching m = InstanceMatching.of(image("9 9 0 0 0"), image("1 1 0 2 2"));
        for (Scores s : m.atDsbThresholds()) {
            assertCounts(s, 1, 0, 1);
            assertEquals(0.5, s.averagePrecision(), EPS);
            assertEquals(1, s.precision(), EPS);
            assertEquals(0.5, s.recall(), EPS);
            assertEquals(2.0 / 3, s.f1(), EPS);
            assertEquals(2.0 / 3, s.panopticQuality(), EPS);
        }
        assertEquals(0.5, InstanceMatching.dsbScore(m.atDsbThresholds()), EPS);
    }

    @Test
    void falsePositiveLowersPrecisionNotRecall() {
        // prediction 4 lies on background: TP 1, FP 1, FN 0 -> AP 1/2, precision 1/2, recall 1, PQ 2/3
        Scores s = InstanceMatching.of(image("9 9 0 4 4"), image("1 1 0 0 0")).at(0.5);
        assertCounts(s, 1, 1, 0);
        assertEquals(0.5, s.averagePrecision(), EPS);
        assertEquals(0.5, s.precision(), EPS);
        assertEquals(1, s.recall(), EPS);
        assertEquals(2.0 / 3, s.panopticQuality(), EPS);
    }

    @Test
    void iouEqualToAThresholdMatchesAtThatThreshold() {
        // IoU 3/5 = 0.6 exactly: matched at 0.5, 0.55 and 0.6 (IoU >= t), not from 0.65 on. DSB = 3 / 10
        List<Scores> s = InstanceMatching.of(image("2 2 2 0 0"), image("1 1 1 1 1")).atDsbThresholds();
        assertStep(s, 2, new long[] { 1, 0, 0 }, new long[] { 0, 1, 1 }, 0.3);
        assertEquals(0.6, s.get(2).meanMatchedIou(), EPS);
        assertEquals(0.6, s.get(2).panopticQuality(), EPS);
    }

    @Test
    void iouBetweenThresholdsMatchesUpToTheLowerOne() {
        // IoU 5/8 = 0.625: matched at 0.5, 0.55, 0.6; not at 0.65. DSB = 3 / 10
        List<Scores> s = InstanceMatching.of(image("2 2 2 2 2 0 0 0"), image("1 1 1 1 1 1 1 1")).atDsbThresholds();
        assertStep(s, 2, new long[] { 1, 0, 0 }, new long[] { 0, 1, 1 }, 0.3);
    }

    @Test
    void volumeWithObjectsAcrossPlanes() {
        // 3 x 2 x 2 (x, y, z). True 1: x = 0 (4 voxels), true 2: x = 2 (4 voxels). Prediction 5 = true 1 (IoU 1);
        // prediction 6 = true 2 plus voxel (1, 0, 0): IoU 4/5 = 0.8.
        // t = 0.5..0.8 (7 thresholds): TP 2 -> AP 1; t = 0.85..0.95: TP 1, FP 1, FN 1 -> AP 1/3.
        // DSB = (7 + 3 * 1/3) / 10 = 0.8
        var truth = ArrayImgs.unsignedShorts(new short[] { 1, 0, 2, 1, 0, 2, 1, 0, 2, 1, 0, 2 }, 3, 2, 2);
        var prediction = ArrayImgs.unsignedShorts(new short[] { 5, 6, 6, 5, 0, 6, 5, 0, 6, 5, 0, 6 }, 3, 2, 2);
        InstanceMatching m = InstanceMatching.of(prediction, truth);
        List<Scores> s = m.atDsbThresholds();
        assertStep(s, 6, new long[] { 2, 0, 0 }, new long[] { 1, 1, 1 }, 0.8);
        assertEquals(0.9, s.get(6).meanMatchedIou(), EPS);
        assertEquals(1.0 / 3, s.get(7).averagePrecision(), EPS);
        assertEquals(2, m.predictedObjects());
        assertEquals(2, m.trueObjects());
    }

    @Test
    void imagesArePooledByObjectNotAveraged() {
        // perfect (TP 3) + miss (TP 1, FN 1): pooled AP = 4 / 5 = 0.8; the mean of the two images' AP would be 0.75
        var perfect = image("3 3 0 7", "0 0 0 7", "100 0 0 0");
        var perImage = List.of(InstanceMatching.of(perfect, perfect).atDsbThresholds(),
                InstanceMatching.of(image("9 9 0 0 0"), image("1 1 0 2 2")).atDsbThresholds());
        List<Scores> total = InstanceMatching.total(perImage);
        assertEquals(10, total.size());
        assertCounts(total.get(0), 4, 0, 1);
        assertEquals(0.8, total.get(0).averagePrecision(), EPS);
        assertEquals(0.8, InstanceMatching.dsbScore(total), EPS);
    }

    @Test
    void emptyImagesScoreZeroAsInStarDist() {
        var empty = image("0 0", "0 0");
        Scores s = InstanceMatching.of(empty, empty).at(0.5);
        assertCounts(s, 0, 0, 0);
        assertEquals(0, s.averagePrecision(), EPS);
        assertEquals(0, s.panopticQuality(), EPS);
    }

    @Test
    void largeIdsAreCountedSparsely() {
        // ids up to 2^32 - 1 in one small image: a dense table of ids would not fit
        Scores s = InstanceMatching.of(image("4294967295 0 1000000"), image("1 0 4000000000")).at(0.95);
        assertCounts(s, 2, 0, 0);
        assertThrows(InvalidInputException.class, () -> InstanceMatching.of(image("4294967296"), image("1")));
    }

    @Test
    void componentsOfAMaskAreItsInstances() {
        // 8-connected: the diagonal pair is one object, the right column another
        var labels = InstanceMatching.components(image("255 0 0 255", "0 255 0 255"));
        int[] expected = { 1, 0, 0, 2, 0, 1, 0, 2 };
        int i = 0;
        for (var v : labels)
            assertEquals(expected[i++], v.get());
        // 26-connected in 3D: voxels touching at a corner only
        var corner = InstanceMatching.components(ArrayImgs.unsignedBytes(new byte[] { 1, 0, 0, 0, 0, 0, 0, 1 }, 2, 2, 2));
        assertEquals(1, corner.getAt(1, 1, 1).get());
    }

    @Test
    void rejectsMismatchedShapesNonIntegersAndLowThresholds() {
        var a = ArrayImgs.unsignedShorts(4, 4);
        var b = ArrayImgs.unsignedShorts(4, 5);
        assertTrue(assertThrows(InvalidInputException.class, () -> InstanceMatching.of(a, b)).getMessage()
                .contains("[4, 5]"));
        var f = ArrayImgs.floats(new float[] { 1.5f }, 1);
        var z = ArrayImgs.floats(new float[] { 1 }, 1);
        String message = assertThrows(InvalidInputException.class, () -> InstanceMatching.of(f, z)).getMessage();
        assertTrue(message.contains("prediction") && message.contains("1.5"), message);
        assertThrows(IllegalArgumentException.class, () -> InstanceMatching.of(z, z).at(0.3));
    }
}
