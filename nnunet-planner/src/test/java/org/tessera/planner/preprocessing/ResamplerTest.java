package org.tessera.planner.preprocessing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.tessera.planner.Numpy;
import org.tessera.planner.Plans;
import org.tessera.volume.resample.Resize;

/**
 * The resampler against scipy, run at test time: scikit-image's resize with mode 'edge' and no anti-aliasing
 * is {@code ndimage.zoom(x, new / old, order, mode='nearest', grid_mode=True)} clipped to the input's range,
 * and nnU-Net's separate-z path resizes each slice so and then calls {@code map_coordinates} along z. Skipped
 * (with a message) when numpy or scipy are missing.
 */
class ResamplerTest {

    /** The Python side: reads shape, new shape, order, order_z, separate axis and values; prints the result. */
    private static final String SCIPY = String.join("\n",
            "import sys",
            "from scipy import ndimage as ndi",
            "lines = sys.stdin.read().split('\\n')",
            "shape = [int(v) for v in lines[0].split()]",
            "new = [int(v) for v in lines[1].split()]",
            "order, order_z, axis = [int(v) for v in lines[2].split()]",
            "x = numpy.array([float(v) for v in lines[3].split()]).reshape(shape)",
            "def resize(a, shape_out, order):",
            "    out = ndi.zoom(a, numpy.array(shape_out) / numpy.array(a.shape), order=order, mode='nearest', grid_mode=True)",
            "    assert list(out.shape) == list(shape_out), (out.shape, shape_out)",
            "    return numpy.clip(out, a.min(), a.max())",
            "if axis < 0:",
            "    y = resize(x, new, order)",
            "else:",
            "    mid_shape = list(new); mid_shape[axis] = shape[axis]",
            "    plane_new = [new[d] for d in range(3) if d != axis]",
            "    mid = numpy.zeros(mid_shape)",
            "    for s in range(shape[axis]):",
            "        sl = [slice(None)] * 3; sl[axis] = s; sl = tuple(sl)",
            "        mid[sl] = resize(x[sl], plane_new, order)",
            "    if shape[axis] == new[axis]:",
            "        y = mid",
            "    else:",
            "        scale = [float(mid_shape[d]) / new[d] for d in range(3)]",
            "        grid = numpy.mgrid[:new[0], :new[1], :new[2]].astype(float)",
            "        coords = numpy.array([scale[d] * (grid[d] + 0.5) - 0.5 for d in range(3)])",
            "        y = ndi.map_coordinates(mid, coords, order=order_z, mode='nearest')",
            "print(' '.join(repr(float(v)) for v in y.ravel()))");

    private static double[] scipy(double[] x, int[] shape, int[] newShape, int order, int orderZ, int axis) {
        String input = join(shape) + "\n" + join(newShape) + "\n" + order + " " + orderZ + " " + axis + "\n"
                + Arrays.stream(x).mapToObj(v -> String.format(Locale.ROOT, "%.17g", v)).collect(Collectors.joining(" "));
        String out = Numpy.run(SCIPY, input, "numpy", "scipy");
        return Arrays.stream(out.split("\\s+")).mapToDouble(Double::parseDouble).toArray();
    }

    private static String join(int[] v) {
        return Arrays.stream(v).mapToObj(Integer::toString).collect(Collectors.joining(" "));
    }

    private static double[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextDouble() * 100 - 20;
        }
        return x;
    }

    private static void assertClose(double[] expected, double[] actual, double tolerance) {
        assertEquals(expected.length, actual.length);
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(expected[i] - actual[i]);
            if (d > worst) {
                worst = d;
                at = i;
            }
        }
        assertTrue(worst <= tolerance, "largest difference " + worst + " at flat index " + at + " (scipy "
                + (at < 0 ? "" : expected[at] + ", here " + actual[at]) + ")");
    }

    @Test
    void cubicResizeMatchesScipyZoomWithEdgeModeAndClipping() {
        // down along one axis, up along another, unchanged along the third; sizes odd and even
        int[] shape = {7, 13, 10};
        int[] newShape = {7, 21, 6};
        double[] x = random(7 * 13 * 10, 1);
        double[] expected = scipy(x, shape, newShape, 3, 0, -1);
        assertClose(expected, Resize.resize(x, shape, newShape, 3), 1e-9);
        // a short axis (the prefilter's boundary dominates) and an upsampled one
        int[] small = {3, 2, 5};
        int[] smallNew = {8, 5, 4};
        double[] y = random(30, 2);
        assertClose(scipy(y, small, smallNew, 3, 0, -1), Resize.resize(y, small, smallNew, 3), 1e-9);
    }

    @Test
    void linearAndNearestResizeMatchScipy() {
        int[] shape = {5, 9, 12};
        int[] newShape = {11, 4, 17};
        double[] x = random(5 * 9 * 12, 3);
        assertClose(scipy(x, shape, newShape, 1, 0, -1), Resize.resize(x, shape, newShape, 1), 1e-12);
        assertClose(scipy(x, shape, newShape, 0, 0, -1), Resize.resize(x, shape, newShape, 0), 0);
    }

    @Test
    void cubicClipsOvershootToTheInputRange() {
        // a step overshoots with a cubic spline; skimage clips it back into [min, max]
        double[] step = {0, 0, 0, 0, 10, 10, 10, 10};
        double[] up = Resize.resize(step, new int[]{8}, new int[]{29}, 3);
        assertEquals(0, Arrays.stream(up).min().orElseThrow());
        assertEquals(10, Arrays.stream(up).max().orElseThrow());
    }

    @Test
    void separateZMatchesScipyPerSliceThenNearestAlongZ() {
        // (z, y, x) spacing (4, 1, 1.1) -> (2.5, 0.8, 0.8): anisotropy 4 > 3, z the only coarsest axis
        int[] shape = {6, 11, 9};
        double[] spacing = {4, 1, 1.1};
        double[] target = {2.5, 0.8, 0.8};
        int[] newShape = Resampler.newShape(shape, spacing, target);
        assertArrayEquals(new int[]{10, 14, 12}, newShape);
        assertEquals(0, Resampler.separateAxis(spacing, target, null));
        double[] x = random(6 * 11 * 9, 4);
        float[] xf = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            xf[i] = (float) x[i];
            x[i] = xf[i];
        }
        float[] got = Resampler.resample(xf, shape, newShape, spacing, target,
                new Plans.ResamplingKwargs(false, 3, 0, null));
        double[] expected = scipy(x, shape, newShape, 3, 0, 0);
        double[] gotD = new double[got.length];
        for (int i = 0; i < got.length; i++) {
            gotD[i] = got[i];
            expected[i] = (float) expected[i];
        }
        assertClose(expected, gotD, 0);
        // and the probabilities' order 1 along the same path, separate axis in the middle
        int[] shape2 = {9, 5, 8};
        double[] spacing2 = {1, 3.5, 0.9};
        double[] target2 = {1, 1, 1};
        int[] new2 = Resampler.newShape(shape2, spacing2, target2);
        assertEquals(1, Resampler.separateAxis(spacing2, target2, null));
        double[] y = random(9 * 5 * 8, 5);
        assertClose(scipy(y, shape2, new2, 1, 0, 1), Resampler.resizeSeparate(y, shape2, new2, 1, 1, 0), 1e-12);
    }

    @Test
    void separateAxisFollowsNnUNetsRules() {
        // current spacing decides first
        assertEquals(0, Resampler.separateAxis(new double[]{5, 1, 1}, new double[]{1, 1, 1}, null));
        // else the target's
        assertEquals(2, Resampler.separateAxis(new double[]{1, 1, 1}, new double[]{1, 1, 3.5}, null));
        // anisotropy of exactly 3 is not more than 3
        assertEquals(-1, Resampler.separateAxis(new double[]{3, 1, 1}, new double[]{1, 1, 1}, null));
        // two axes tie for the largest spacing: no separate z
        assertEquals(-1, Resampler.separateAxis(new double[]{4, 4, 1}, new double[]{1, 1, 1}, null));
        // force_separate_z overrides, using the current spacing
        assertEquals(-1, Resampler.separateAxis(new double[]{5, 1, 1}, new double[]{1, 1, 1}, false));
        assertEquals(1, Resampler.separateAxis(new double[]{1, 2, 1}, new double[]{1, 1, 1}, true));
    }

    @Test
    void newShapeRoundsHalfToEvenAsPython() {
        // 2.5 -> 2, 3.5 -> 4 (Python's round), and the product order spacing / new * shape
        assertArrayEquals(new int[]{2, 4, 7}, Resampler.newShape(new int[]{5, 7, 7}, new double[]{1, 1, 1},
                new double[]{2, 2, 1}));
    }

    @Test
    void unchangedShapeIsReturnedAsIs() {
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8};
        assertSame(x, Resampler.resample(x, new int[]{2, 2, 2}, new int[]{2, 2, 2}, new double[]{5, 1, 1},
                new double[]{5.1, 1, 1}, new Plans.ResamplingKwargs(false, 3, 0, null)));
    }
}
