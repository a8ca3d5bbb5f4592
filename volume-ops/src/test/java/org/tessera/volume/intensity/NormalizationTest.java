package org.tessera.volume.intensity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

import org.junit.jupiter.api.Test;
import org.tessera.volume.InvalidInputException;

class NormalizationTest {

    @Test
    void percentileMatchesNumpyLinearInterpolation() {
        // numpy.percentile([1, 2, 3, 4], [10, 50, 95]) = 1.3, 2.5, 3.85
        double[] sorted = { 1, 2, 3, 4 };
        assertEquals(1.3, Normalization.percentileOfSorted(sorted, 10), 1e-12);
        assertEquals(2.5, Normalization.percentileOfSorted(sorted, 50), 1e-12);
        assertEquals(3.85, Normalization.percentileOfSorted(sorted, 95), 1e-12);
        assertEquals(4, Normalization.percentileOfSorted(sorted, 100), 1e-12);
    }

    @Test
    void percentileMapsLowerToZeroAndUpperToOne() {
        float[] values = new float[101];
        for (int i = 0; i <= 100; i++)
            values[i] = 10 + 2 * i; // 10..210
        RandomAccessibleInterval<FloatType> out = Normalization.percentile(1, 99).apply(ArrayImgs.floats(values, 101));
        // p1 = 12, p99 = 208
        assertEquals(0, at(out, 1), 1e-6);
        assertEquals(1, at(out, 99), 1e-6);
        assertEquals((110 - 12) / 196.0, at(out, 50), 1e-6);
    }

    @Test
    void zscoreGivesZeroMeanUnitStd() {
        float[] values = { 1, 2, 3, 4, 5, 6 };
        RandomAccessibleInterval<FloatType> out = Normalization.zscore().apply(ArrayImgs.floats(values, 6));
        double sum = 0, sq = 0;
        for (FloatType v : Views.flatIterable(out)) {
            sum += v.get();
            sq += v.get() * v.get();
        }
        assertEquals(0, sum / 6, 1e-6);
        assertEquals(1, sq / 6, 1e-5);
    }

    @Test
    void fixedSchemeAndBadPercentiles() {
        RandomAccessibleInterval<FloatType> out = Normalization.fixed(0, 255)
                .apply(ArrayImgs.floats(new float[] { 0, 255, 51 }, 3));
        assertEquals(0.2, at(out, 2), 1e-6);
        assertThrows(InvalidInputException.class, () -> Normalization.percentile(99, 1));
    }

    private static float at(RandomAccessibleInterval<FloatType> img, long x) {
        return img.getAt(x).get();
    }

    /** Selecting the order statistics gives what sorting gives, bit for bit, with many ties and without. */
    @org.junit.jupiter.api.Test
    void percentilesBySelectionEqualThoseOfTheSortedValues() {
        java.util.Random random = new java.util.Random(3);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + random.nextInt(trial < 100 ? 40 : 5000);
            int levels = 1 + random.nextInt(trial % 2 == 0 ? 4 : 100000); // few distinct values: many ties
            double[] values = new double[n];
            for (int i = 0; i < n; i++)
                values[i] = random.nextInt(levels) * 0.37 - 5;
            double[] sorted = values.clone();
            java.util.Arrays.sort(sorted);
            for (double q : new double[] { 0, 0.5, 1, 37.3, 50, 99.5, 99.8, 100 }) {
                double expected = Normalization.percentileOfSorted(sorted, q);
                org.junit.jupiter.api.Assertions.assertEquals(expected, Normalization.percentile(values.clone(), q), 0,
                        "n " + n + ", q " + q);
            }
        }
    }

    /**
     * Integer images are counted in a histogram instead of kept value by value: the same {offset, factor} as
     * the values themselves give, bit for bit, for 8- and 16-bit ranges, signed, with a fractional value
     * arriving part way (the counts turn back into values), and for min-max.
     */
    @Test
    void histogramSampleGivesTheSameMapAsTheValues() {
        java.util.Random random = new java.util.Random(5);
        Normalization[] schemes = { Normalization.percentile(1, 99.8), Normalization.percentile(0, 100),
                Normalization.percentile(2.5, 50), Normalization.minmax() };
        for (int trial = 0; trial < 60; trial++) {
            int n = 1 + random.nextInt(trial < 30 ? 50 : 20000);
            int low = trial % 3 == 0 ? -32768 : 0, levels = trial % 2 == 0 ? 256 : 65536;
            double[] values = new double[n];
            for (int i = 0; i < n; i++)
                values[i] = low + random.nextInt(levels);
            if (trial % 5 == 4)
                values[random.nextInt(n)] = 0.25; // a float value: the rest of the sample is kept as values
            for (Normalization norm : schemes) {
                Normalization.Sample sample = norm.newSample(n);
                for (double v : values)
                    sample.add(v);
                double[] expected = norm.offsetAndFactorOfSample(values.clone());
                double[] actual = norm.offsetAndFactorOf(sample);
                assertEquals(expected[0], actual[0], 0, norm + ", trial " + trial);
                assertEquals(expected[1], actual[1], 0, norm + ", trial " + trial);
            }
        }
    }

    /** What the in-memory path computes for a 16-bit image equals the value-by-value map. */
    @Test
    void unsignedShortImageNormalizesAsItsValues() {
        short[] pixels = new short[4096];
        java.util.Random random = new java.util.Random(9);
        double[] values = new double[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (short) random.nextInt(65536);
            values[i] = pixels[i] & 0xffff;
        }
        Normalization norm = Normalization.percentile(1, 99.8);
        double[] expected = norm.offsetAndFactorOfSample(values);
        double[] actual = norm.offsetAndFactor(ArrayImgs.unsignedShorts(pixels, 64, 64));
        assertEquals(expected[0], actual[0], 0);
        assertEquals(expected[1], actual[1], 0);
    }
}
