package org.tessera.volume.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.IntType;
import net.imglib2.util.Intervals;
import net.imglib2.view.Views;

import org.tessera.volume.InvalidInputException;
import org.tessera.volume.classic.Components;
import org.tessera.volume.classic.Grid;

/**
 * Object-level scores between a predicted and a true instance label image (2D or 3D; 0 is background, every
 * other value one object, ids in any order and not necessarily consecutive), as StarDist's {@code matching}
 * computes them (Schmidt et al., "Cell Detection with Star-Convex Polygons", MICCAI 2018).
 *
 * <p>One pass over the voxels counts the voxels of every object and of every overlapping (predicted, true) pair;
 * memory grows with the number of objects and overlapping pairs, never with ids squared. A pair matches at
 * threshold t when its IoU {@literal >=} t (StarDist's rule; the Data Science Bowl's text says "greater than",
 * which differs only for an IoU exactly equal to a threshold). StarDist finds the one-to-one matching with an
 * assignment solver; for t {@literal >=} 0.5 no solver is needed: an IoU above 0.5 makes the pair each
 * object's only candidate, and an IoU of exactly 0.5 can tie only between a prediction and two true objects
 * (or the reverse) each of which has no other candidate, where any choice gives the same count and IoU sum.
 * So taking pairs by decreasing IoU while both objects are free is exact, and thresholds below 0.5 are refused.
 */
public final class InstanceMatching {

    /** The IoU thresholds of the 2018 Data Science Bowl: 0.5, 0.55, ..., 0.95. */
    public static final List<Double> DSB_THRESHOLDS = IntStream.rangeClosed(0, 9).mapToObj(k -> (50 + 5 * k) / 100.0)
            .toList();

    private static final long MAX_LABEL = 0xFFFF_FFFFL;

    private final Pair[] pairsByIou;
    private final int predictedObjects;
    private final int trueObjects;
    private final Foreground foreground;

    private record Pair(long predicted, long truth, double iou) {}

    private InstanceMatching(Pair[] pairsByIou, int predictedObjects, int trueObjects, Foreground foreground) {
        this.pairsByIou = pairsByIou;
        this.predictedObjects = predictedObjects;
        this.trueObjects = trueObjects;
        this.foreground = foreground;
    }

    /**
     * Voxels inside some object: predicted, true, and both; for the binary (object versus background) Dice, which
     * ignores how the foreground is split into objects.
     */
    public record Foreground(long predicted, long truth, long overlap) {

        public double dice() {
            return predicted + truth > 0 ? 2.0 * overlap / (predicted + truth) : 1;
        }

        public Foreground plus(Foreground other) {
            return new Foreground(predicted + other.predicted, truth + other.truth, overlap + other.overlap);
        }
    }

    /**
     * Counts of one threshold, for one image or summed over several. Ratios with a zero denominator are 0, as in
     * StarDist.
     *
     * @param matchedIouSum the IoU summed over the matched pairs
     */
    public record Scores(double threshold, long truePositives, long falsePositives, long falseNegatives,
            double matchedIouSum) {

        public double precision() { return ratio(truePositives, truePositives + falsePositives); }

        public double recall() { return ratio(truePositives, truePositives + falseNegatives); }

        public double f1() { return ratio(2.0 * truePositives, 2.0 * truePositives + falsePositives + falseNegatives); }

        /** TP / (TP + FP + FN): the Data Science Bowl's "average precision", StarDist's "accuracy". */
        public double averagePrecision() {
            return ratio(truePositives, truePositives + falsePositives + falseNegatives);
        }

        public double meanMatchedIou() { return ratio(matchedIouSum, truePositives); }

        /** Kirillov et al., "Panoptic Segmentation", CVPR 2019, Eq. 1: matched IoU sum / (TP + FP/2 + FN/2). */
        public double panopticQuality() {
            return ratio(matchedIouSum, truePositives + (falsePositives + falseNegatives) / 2.0);
        }

        /** Both images' objects together (StarDist's {@code matching_dataset}, {@code by_image=False}). */
        public Scores plus(Scores other) {
            if (other.threshold != threshold)
                throw new IllegalArgumentException("thresholds " + threshold + " and " + other.threshold);
            return new Scores(threshold, truePositives + other.truePositives, falsePositives + other.falsePositives,
                    falseNegatives + other.falseNegatives, matchedIouSum + other.matchedIouSum);
        }

        private static double ratio(double numerator, double denominator) {
            return denominator > 0 ? numerator / denominator : 0;
        }
    }

    public static InstanceMatching of(RandomAccessibleInterval<? extends RealType<?>> prediction,
            RandomAccessibleInterval<? extends RealType<?>> truth) {
        if (!Arrays.equals(prediction.dimensionsAsLongArray(), truth.dimensionsAsLongArray()))
            throw new InvalidInputException("Prediction " + Arrays.toString(prediction.dimensionsAsLongArray())
                    + " and truth " + Arrays.toString(truth.dimensionsAsLongArray())
                    + " differ in size; compare instance label images of the same shape");
        RunCounter predictedSizes = new RunCounter(), trueSizes = new RunCounter(), overlaps = new RunCounter();
        Cursor<? extends RealType<?>> pc = Views.flatIterable(prediction).cursor();
        Cursor<? extends RealType<?>> tc = Views.flatIterable(truth).cursor();
        long voxels = Intervals.numElements(prediction);
        for (long i = 0; i < voxels; i++) {
            long p = label(pc.next(), "prediction"), t = label(tc.next(), "truth");
            if (p != 0)
                predictedSizes.add(p);
            if (t != 0)
                trueSizes.add(t);
            if (p != 0 && t != 0)
                overlaps.add(p << 32 | t);
        }
        Map<Long, long[]> predictedSize = predictedSizes.counts(), trueSize = trueSizes.counts();
        Foreground foreground = new Foreground(total(predictedSize), total(trueSize), total(overlaps.counts()));
        List<Pair> pairs = new ArrayList<>();
        overlaps.counts().forEach((key, n) -> {
            long p = key >>> 32, t = key & MAX_LABEL;
            long union = predictedSize.get(p)[0] + trueSize.get(t)[0] - n[0];
            pairs.add(new Pair(p, t, (double) n[0] / union));
        });
        // ties broken by ids, so that the order (and a tie at exactly 0.5) does not depend on hashing
        pairs.sort(Comparator.comparingDouble(Pair::iou).reversed().thenComparingLong(Pair::predicted)
                .thenComparingLong(Pair::truth));
        return new InstanceMatching(pairs.toArray(Pair[]::new), predictedSize.size(), trueSize.size(), foreground);
    }

    private static long total(Map<Long, long[]> counts) {
        return counts.values().stream().mapToLong(n -> n[0]).sum();
    }

    /** An instance id: a whole number in 0..2^32-1. */
    private static long label(RealType<?> v, String which) {
        double d = v.getRealDouble();
        long l = (long) d;
        if (l != d || l < 0 || l > MAX_LABEL)
            throw new InvalidInputException("The " + which + " image holds the value " + d + ", which is not an "
                    + "instance id; give instance label images of whole numbers 0.." + MAX_LABEL + " (0 = background)");
        return l;
    }

    public int predictedObjects() { return predictedObjects; }

    public int trueObjects() { return trueObjects; }

    public Foreground foreground() { return foreground; }

    /** The one-to-one matching of the pairs with IoU {@literal >=} threshold; threshold in [0.5, 1]. */
    public Scores at(double threshold) {
        if (!(threshold >= 0.5 && threshold <= 1))
            throw new IllegalArgumentException("IoU threshold " + threshold + " outside [0.5, 1]");
        Set<Long> matchedPredicted = new HashSet<>(), matchedTrue = new HashSet<>();
        double iouSum = 0;
        for (Pair pair : pairsByIou) {
            if (pair.iou < threshold)
                break;
            if (!matchedPredicted.contains(pair.predicted) && !matchedTrue.contains(pair.truth)) {
                matchedPredicted.add(pair.predicted);
                matchedTrue.add(pair.truth);
                iouSum += pair.iou;
            }
        }
        int tp = matchedPredicted.size();
        return new Scores(threshold, tp, predictedObjects - tp, trueObjects - tp, iouSum);
    }

    public List<Scores> atDsbThresholds() {
        return DSB_THRESHOLDS.stream().map(this::at).toList();
    }

    /** The 2018 Data Science Bowl score: the mean average precision over the thresholds given. */
    public static double dsbScore(List<Scores> perThreshold) {
        return perThreshold.stream().mapToDouble(Scores::averagePrecision).average().orElse(0);
    }

    /** Per threshold, the scores of several images summed (each list in the same threshold order). */
    public static List<Scores> total(List<List<Scores>> perImage) {
        return perImage.stream().reduce((a, b) -> IntStream.range(0, a.size()).mapToObj(i -> a.get(i).plus(b.get(i)))
                .toList()).orElseThrow(() -> new IllegalArgumentException("no images"));
    }

    /**
     * The connected components (8-connected in 2D, 26 in 3D, as scikit-image's {@code label}) of the nonzero
     * voxels, numbered 1..n: instance labels for a binary mask.
     */
    public static RandomAccessibleInterval<IntType> components(RandomAccessibleInterval<? extends RealType<?>> mask) {
        double[] unitSpacing = new double[mask.numDimensions()];
        Arrays.fill(unitSpacing, 1);
        Grid grid = Grid.of(mask, unitSpacing);
        boolean[] foreground = new boolean[grid.size()];
        int i = 0;
        for (RealType<?> v : Views.flatIterable(mask))
            foreground[i++] = v.getRealDouble() != 0;
        return ArrayImgs.ints(Components.label(grid, foreground, true), grid.dims());
    }

    /**
     * Counts per key, adding runs of equal keys at once: labels come in runs along x, so the map is touched once
     * per run, not once per voxel.
     */
    private static final class RunCounter {
        private final Map<Long, long[]> counts = new HashMap<>();
        private long key;
        private long run;

        void add(long k) {
            if (run > 0 && k == key) {
                run++;
                return;
            }
            flush();
            key = k;
            run = 1;
        }

        Map<Long, long[]> counts() {
            flush();
            return counts;
        }

        private void flush() {
            if (run > 0)
                counts.computeIfAbsent(key, k -> new long[1])[0] += run;
            run = 0;
        }
    }
}
