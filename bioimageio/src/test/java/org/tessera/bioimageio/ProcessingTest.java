package org.tessera.bioimageio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.unet.Model;
import org.tessera.unet.ModelZoo;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.tiling.OutputKind;

/**
 * Each processing step of the spec, on a hand-made package around an Identity network: the test output is a
 * direct computation of the step in the test, the import runs the package's test through Tessera's path
 * (normalization, wrapped graph, output kind), so an import that passes reproduces the step. A wrong expected
 * output shows that the check can fail.
 */
class ProcessingTest {

    @TempDir
    Path dir;

    private int n;
    private final List<String> log = new ArrayList<>();

    private Model imported(Handmade h, double[] expected) throws Exception {
        return imported(h, h.input(), expected);
    }

    private Model imported(Handmade h, double[] input, double[] expected) throws Exception {
        h.write(input, expected);
        ModelZoo zoo = Packages.zoo(dir.resolve("models"));
        int before = log.size();
        Model model = Packages.importPackage(h.dir, "m" + n++, zoo, log::add);
        // the import refuses a package whose own test fails; here it must have run and passed
        assertTrue(log.subList(before, log.size()).stream().anyMatch(l -> l.startsWith("package test passed")),
                "the package test ran: " + log);
        return model;
    }

    private Handmade pkg() {
        return new Handmade(dir.resolve("p" + n));
    }

    private static String maxDiff(List<String> log) {
        return log.stream().filter(l -> l.startsWith("package test passed")).reduce((a, b) -> b).orElse("?");
    }

    @Test
    void scaleRangePerChannelOverSpaceBecomesThePercentileNormalization() throws Exception {
        Handmade h = pkg();
        h.axes = "byxc";
        h.pre = "      - id: scale_range\n        kwargs: {axes: [y, x], min_percentile: 2.5, max_percentile: 97.0}\n";
        double[] x = h.input();
        double[][] range = new double[2][];
        for (int c = 0; c < 2; c++)
            range[c] = new double[] { Handmade.percentile(h.channelValues(x, c), 2.5), Handmade.percentile(h.channelValues(x, c), 97) };
        Model m = imported(h, h.map(x, (v, c) -> (v - range[c][0]) / (range[c][1] - range[c][0] + 1e-6)));
        assertEquals("percentile", m.card().normalization().scheme().name().toLowerCase());
        assertEquals(2.5, m.card().normalization().lower());
        assertEquals(OutputKind.PROBABILITIES, m.card().output().kind());
        System.out.println("scale_range: " + maxDiff(log));
    }

    @Test
    void zeroMeanUnitVariancePerSample() throws Exception {
        Handmade h = pkg();
        h.pre = "      - id: zero_mean_unit_variance\n        kwargs: {axes: [x, y], eps: 1.0e-6}\n";
        double[] x = h.input();
        double[][] ms = new double[2][2];
        for (int c = 0; c < 2; c++) {
            double[] v = h.channelValues(x, c);
            double mean = java.util.Arrays.stream(v).average().orElseThrow(), var = 0;
            for (double e : v)
                var += (e - mean) * (e - mean);
            ms[c] = new double[] { mean, Math.sqrt(var / v.length) };
        }
        Model m = imported(h, h.map(x, (v, c) -> (v - ms[c][0]) / (ms[c][1] + 1e-6)));
        assertEquals("zscore", m.card().normalization().scheme().name().toLowerCase());
        System.out.println("zero_mean_unit_variance: " + maxDiff(log));
    }

    @Test
    void elementwiseStepsRunInTheGraphWithPerChannelValues() throws Exception {
        Handmade h = pkg();
        h.axes = "bxyc"; // channel last, x before y
        h.pre = "      - id: fixed_zero_mean_unit_variance\n        kwargs: {mean: [40.0, 90.0], std: [10.0, 20.0], axis: channel}\n"
                + "      - id: scale_linear\n        kwargs: {gain: [2.0, -1.0], offset: [0.5, 0.25], axis: channel}\n"
                + "      - id: clip\n        kwargs: {min: -1.5, max: 2.0}\n";
        double[] mean = { 40, 90 }, std = { 10, 20 }, gain = { 2, -1 }, offset = { 0.5, 0.25 };
        double[] x = h.input();
        imported(h, h.map(x, (v, c) -> Math.min(2, Math.max(-1.5, ((v - mean[c]) / (std[c] + 1e-6)) * gain[c] + offset[c]))));
        System.out.println("fixed_zero_mean_unit_variance + scale_linear + clip: " + maxDiff(log));
    }

    @Test
    void ensureDtypeCastsAndBinarizeThresholds() throws Exception {
        Handmade h = pkg();
        h.channels = 1;
        h.pre = "      - id: scale_linear\n        kwargs: {gain: 0.5, offset: 3.0}\n"
                + "      - id: ensure_dtype\n        kwargs: {dtype: uint8}\n";
        h.post = "      - id: binarize\n        kwargs: {threshold: 30.0}\n"
                + "      - id: ensure_dtype\n        kwargs: {dtype: float32}\n";
        double[] x = h.input();
        Model m = imported(h, h.map(x, v -> Math.floor(v * 0.5 + 3) > 30 ? 1 : 0));
        // one binary channel: labels where it exceeds 0.5, shown as (1 - v, v)
        assertEquals(OutputKind.PROBABILITIES, m.card().output().kind());
        assertEquals(List.of("background", "out0"), m.card().output().classes());
        System.out.println("ensure_dtype + binarize: " + maxDiff(log));
    }

    @Test
    void aNetworkOfIntegersIsFedAndReadThroughCasts() throws Exception {
        Handmade h = pkg();
        h.type = OnnxGraph.UINT8; // the network takes and gives uint8
        h.pre = "      - id: scale_linear\n        kwargs: {gain: 1.5}\n";
        double[] x = h.input();
        // float -> uint8 truncates toward zero, as numpy's astype does
        imported(h, h.map(x, v -> Math.floor(v * 1.5)));
        System.out.println("uint8 network: " + maxDiff(log));
    }

    @Test
    void aLeadingCastRunsWhenNoStatisticsStepFollows() throws Exception {
        Handmade h = pkg();
        h.channels = 1;
        h.pre = "      - id: ensure_dtype\n        kwargs: {dtype: int8}\n"
                + "      - id: scale_linear\n        kwargs: {gain: 0.5}\n";
        double[] x = h.map(h.input(), v -> v - 50.25); // around 0, so that int8 keeps the values
        h.seed = 1;
        double[] in = x;
        Model m = imported(h, in, h.map(in, v -> (v < 0 ? Math.ceil(v) : Math.floor(v)) * 0.5));
        assertEquals("none", m.card().normalization().scheme().name().toLowerCase());
    }

    @Test
    void finalSigmoidBecomesTheSigmoidOutputKind() throws Exception {
        Handmade h = pkg();
        h.pre = "      - id: scale_linear\n        kwargs: {gain: 0.05, offset: -3.0}\n";
        h.post = "      - id: sigmoid\n";
        double[] x = h.input();
        Model m = imported(h, h.map(x, v -> Handmade.sigmoid(v * 0.05 - 3)));
        assertEquals(OutputKind.SIGMOID, m.card().output().kind());
        assertEquals(List.of("background", "out0", "out1"), m.card().output().classes());
    }

    @Test
    void finalSoftmaxBecomesTheLogitsOutputKind() throws Exception {
        Handmade h = pkg();
        h.axes = "bcyx";
        h.pre = "      - id: scale_linear\n        kwargs: {gain: 0.1}\n";
        h.post = "      - id: softmax\n        kwargs: {axis: channel}\n";
        double[] x = h.input();
        double[] y = h.map(x, v -> v * 0.1);
        // softmax over the two channels of each pixel: pixel i of channel 0 pairs with i + plane in bcyx
        int plane = h.space[0] * h.space[1];
        double[] soft = new double[y.length];
        for (int i = 0; i < plane; i++) {
            double a = y[i], b = y[i + plane], mx = Math.max(a, b);
            double ea = Math.exp(a - mx), eb = Math.exp(b - mx);
            soft[i] = ea / (ea + eb);
            soft[i + plane] = eb / (ea + eb);
        }
        Model m = imported(h, soft);
        assertEquals(OutputKind.LOGITS, m.card().output().kind());
    }

    @Test
    void format04StepsWithTheirModesAndJointAxes() throws Exception {
        // 0.4: fixed mean/std per channel (the values lie along the axis that 'axes' leaves out), per-sample
        // percentiles, a per-channel gain, binarize with one threshold
        Handmade h = pkg();
        h.format04 = true;
        h.axes = "byxc";
        h.pre = "      - name: zero_mean_unit_variance\n        kwargs: {mode: fixed, axes: yx, mean: [40.0, 90.0], std: [10.0, 20.0]}\n"
                + "      - name: scale_linear\n        kwargs: {axes: yx, gain: [1.0, 2.0], offset: 0.5}\n";
        h.post = "      - name: binarize\n        kwargs: {threshold: 1.0}\n";
        double[] mean = { 40, 90 }, std = { 10, 20 }, gain = { 1, 2 };
        double[] x = h.input();
        imported(h, h.map(x, (v, c) -> ((v - mean[c]) / (std[c] + 1e-6)) * gain[c] + 0.5 > 1.0 ? 1 : 0));
        Handmade r = pkg();
        r.format04 = true;
        r.pre = "      - name: scale_range\n        kwargs: {mode: per_sample, axes: xy, min_percentile: 5, max_percentile: 95}\n";
        double[] y = r.input();
        double[][] range = new double[2][];
        for (int c = 0; c < 2; c++)
            range[c] = new double[] { Handmade.percentile(r.channelValues(y, c), 5), Handmade.percentile(r.channelValues(y, c), 95) };
        Model m = imported(r, r.map(y, (v, c) -> (v - range[c][0]) / (range[c][1] - range[c][0] + 1e-6)));
        assertEquals(5.0, m.card().normalization().lower());
        System.out.println("0.4 steps: " + maxDiff(log));
    }

    @Test
    void binarizeWithAThresholdPerChannel() throws Exception {
        Handmade h = pkg();
        h.post = "      - id: binarize\n        kwargs: {threshold: [45.0, 85.0], axis: channel}\n";
        double[] thr = { 45, 85 };
        double[] x = h.input();
        Model m = imported(h, h.map(x, (v, c) -> v > thr[c] ? 1 : 0));
        assertEquals(OutputKind.PROBABILITIES, m.card().output().kind());
    }

    @Test
    void aWrongTestOutputIsRefusedWithTheMeasuredDifference() throws Exception {
        Handmade h = pkg();
        h.pre = "      - id: scale_linear\n        kwargs: {gain: [2.0, 3.0], axis: channel}\n";
        double[] x = h.input();
        // gains swapped: what a wrong reading of the channel axis would give
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> imported(h, h.map(x, (v, c) -> v * (c == 0 ? 3.0 : 2.0))));
        assertTrue(e.getMessage().contains("own test fails") && e.getMessage().contains("max |difference|"), e.getMessage());
        System.out.println("wrong test output: " + e.getMessage());
    }

    @Test
    void aNetworkOfOneFixedSizeGetsThatTile() throws Exception {
        Handmade h = pkg();
        h.networkShape = new long[] { 1, 2, 16, 24 }; // bcyx; the description allows 8 + n * 8
        Model m = imported(h, h.input());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] { 24, 16 }, m.card().fixedInputSize());
        Handmade bad = pkg();
        bad.networkShape = new long[] { 1, 2, 20, 24 }; // 20 is not 8 + n * 8
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> imported(bad, bad.input()));
        assertTrue(e.getMessage().contains("has the fixed size 20"), e.getMessage());
    }

    @Test
    void anOutputSmallerThanItsInputIsPaddedBackAndItsBorderIsHalo() throws Exception {
        Handmade h = pkg();
        h.network = Packages.valid3x3Average();
        h.outputShrink = 2; // output size = input size - 2 (offset -2)
        h.post = "      - id: scale_linear\n        kwargs: {gain: 0.01}\n";
        double[] x = h.input();
        int w = h.space[0], hh = h.space[1];
        double[] expected = new double[2 * (hh - 2) * (w - 2)];
        for (int c = 0; c < 2; c++)
            for (int y = 0; y < hh - 2; y++)
                for (int xx = 0; xx < w - 2; xx++) {
                    double sum = 0;
                    for (int dy = 0; dy < 3; dy++)
                        for (int dx = 0; dx < 3; dx++)
                            sum += x[(c * hh + y + dy) * w + xx + dx];
                    expected[(c * (hh - 2) + y) * (w - 2) + xx] = sum / 9 * 0.01;
                }
        Model m = imported(h, x, expected);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] { 1, 1 }, m.card().halo());
        System.out.println("offset -2 output: " + maxDiff(log));
        // it segments any image at the image's size, blended or cropped
        org.tessera.volume.Volume one = org.tessera.volume.phantom.Phantoms.nuclei2D(50, 40, 3, false, 2).image();
        @SuppressWarnings({ "unchecked", "rawtypes" })
        net.imglib2.RandomAccessibleInterval<net.imglib2.type.numeric.real.DoubleType> c = (net.imglib2.RandomAccessibleInterval) one.image();
        var flipped = net.imglib2.view.Views.zeroMin(net.imglib2.view.Views.invertAxis(c, 0));
        org.tessera.volume.Volume two = org.tessera.volume.Volume.withChannels(net.imglib2.view.Views.stack(c, flipped), one.spacing());
        int[] labels = Format04Test.labels(m, two, org.tessera.unet.SegmentOptions.defaults().withTile(new int[] { 32, 24 })
                .withMode(org.tessera.volume.tiling.TileMode.HALO));
        assertEquals(50 * 40, labels.length);
        // away from the image's border every 3 x 3 window lies inside the image: label 1 where channel 1's mean wins
        net.imglib2.RandomAccess<? extends net.imglib2.type.numeric.RealType<?>> a = one.image().randomAccess();
        int checked = 0, ones = 0;
        for (int y = 1; y < 39; y++)
            for (int xx = 1; xx < 49; xx++) {
                double m0 = 0, m1 = 0;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++) {
                        m0 += a.setPositionAndGet(xx + dx, y + dy).getRealDouble();
                        m1 += a.setPositionAndGet(49 - (xx + dx), y + dy).getRealDouble(); // channel 1 is x-flipped
                    }
                int expectedLabel = m1 > m0 ? 1 : 0;
                assertEquals(expectedLabel, labels[y * 50 + xx], "pixel " + xx + "," + y);
                checked++;
                ones += expectedLabel;
            }
        assertTrue(ones > 0 && ones < checked, "both labels occur");
    }

    @Test
    void timeAndIndexAxesOfSizeOneAreDropped() throws Exception {
        Handmade h = pkg();
        h.axes = "tbixyc";
        h.pre = "      - id: scale_linear\n        kwargs: {gain: -1.0}\n";
        imported(h, h.map(h.input(), v -> -v));
    }

    @Test
    void stepsTilesCannotReproduceAreRefusedByName() throws Exception {
        for (String[] c : new String[][] {
                { "pre", "      - id: scale_mean_variance\n        kwargs: {reference_tensor: raw}\n", "scale_mean_variance" },
                { "post", "      - id: zero_mean_unit_variance\n", "statistics of the whole output" },
                { "pre", "      - id: scale_range\n        kwargs: {axes: [y]}\n", "leaves out space axis x" },
                { "pre", "      - id: zero_mean_unit_variance\n        kwargs: {axes: [channel, y, x]}\n", "mixes the 2 channels" },
                { "pre", "      - id: zero_mean_unit_variance\n        kwargs: {mode: per_dataset, axes: [y, x]}\n", "per_dataset" },
                { "pre", "      - id: gaussian_blur\n", "'gaussian_blur' is not a bioimage.io processing step" } }) {
            Handmade h = pkg();
            if (c[0].equals("pre"))
                h.pre = c[1];
            else
                h.post = c[1];
            double[] x = h.input();
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> imported(h, x));
            assertTrue(e.getMessage().contains(c[2]), e.getMessage());
        }
    }
}
