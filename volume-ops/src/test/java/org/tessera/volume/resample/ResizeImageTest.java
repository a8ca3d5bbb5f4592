package org.tessera.volume.resample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;

import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.real.FloatType;

import org.junit.jupiter.api.Test;

/** The image path (plane by plane, then along z) against the whole-array passes of {@link Resize#resize}. */
class ResizeImageTest {

    private static double[] random(int n, long seed) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++)
            v[i] = r.nextInt(1000) / 7.0 - 40;
        return v;
    }

    private static float[] data(Img<FloatType> img) {
        float[] out = new float[(int) img.size()];
        int i = 0;
        for (FloatType t : img)
            out[i++] = t.get();
        return out;
    }

    @Test
    void volumesMatchTheWholeArrayResizeForEveryOrder() {
        int[][] cases = { { 13, 11, 7, 20, 9, 12 }, { 16, 16, 10, 8, 8, 23 }, { 9, 14, 5, 9, 14, 11 }, { 12, 7, 6, 5, 13, 6 } };
        for (int[] c : cases)
            for (int order : new int[] { 0, 1, 3 }) {
                double[] v = random(c[0] * c[1] * c[2], 31L * order + c[0]);
                float[] f = new float[v.length];
                for (int i = 0; i < v.length; i++)
                    f[i] = (float) v[i];
                double[] values = new double[v.length];
                for (int i = 0; i < v.length; i++)
                    values[i] = f[i];
                double[] expected = Resize.resize(values, new int[] { c[2], c[1], c[0] }, new int[] { c[5], c[4], c[3] }, order);
                float[] actual = data(Resize.image(ArrayImgs.floats(f, c[0], c[1], c[2]), new long[] { c[3], c[4], c[5] }, order));
                assertEquals(expected.length, actual.length);
                for (int i = 0; i < actual.length; i++)
                    assertEquals(expected[i], actual[i], 1e-4, "order " + order + " at " + i); // float cast of ~100
            }
    }

    @Test
    void planesOneAtATimeEqualTheWholeImageBitForBit() {
        double[] v = random(10 * 9 * 8, 4);
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++)
            f[i] = (float) v[i];
        long[] target = { 17, 6, 19 };
        for (int order : new int[] { 0, 1 }) {
            float[] whole = data(Resize.image(ArrayImgs.floats(f, 10, 9, 8), target, order));
            Resize.Planes planes = new Resize.Planes(ArrayImgs.floats(f, 10, 9, 8), target, order);
            assertEquals(19, planes.depth());
            for (int z = 0; z < planes.depth(); z++) {
                float[] expected = java.util.Arrays.copyOfRange(whole, z * 17 * 6, (z + 1) * 17 * 6);
                assertArrayEquals(expected, planes.plane(z), "order " + order + ", plane " + z);
            }
        }
        Resize.Planes spline = new Resize.Planes(ArrayImgs.floats(f, 10, 9, 8), target, 3);
        assertThrows(IllegalStateException.class, () -> spline.plane(0), "a spline along z needs every plane");
    }

    @Test
    void imagesIn2dAreResizedExactlyAsTheWholeArray() {
        double[] v = random(23 * 17, 9);
        float[] f = new float[v.length];
        double[] values = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
            values[i] = f[i];
        }
        for (int order : new int[] { 0, 1, 3 }) {
            double[] expected = Resize.resize(values, new int[] { 17, 23 }, new int[] { 40, 11 }, order);
            float[] actual = data(Resize.image(ArrayImgs.floats(f, 23, 17), new long[] { 11, 40 }, order));
            for (int i = 0; i < actual.length; i++)
                assertEquals((float) expected[i], actual[i], 0, "order " + order + " at " + i);
        }
    }
}
