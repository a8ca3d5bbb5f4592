package org.tessera.bioimageio;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.real.FloatType;

import org.tessera.unet.Engine;
import org.tessera.unet.OrtEngine;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.intensity.Normalization;
import org.tessera.volume.io.Npy;
import org.tessera.volume.tiling.OutputKind;

/**
 * The package's own test, as Tessera runs the converted model: the test input through the card's
 * normalization (whole image, per channel) and the wrapped network, the output through the card's output
 * kind (softmax / sigmoid), compared with the test output at the package's tolerance (bioimage.io spec 0.5,
 * ReproducibilityTolerance: an element mismatches when |out - expected| > absolute + relative * |expected|;
 * defaults relative 1e-3, absolute 1e-4, at most 100 mismatched elements per million).
 */
final class PackageTest {

    /** The outcome; {@code tensorInput}/{@code tensorOutput} are the network's own input and output (the golden pair). */
    record Report(double maxAbsDiff, long mismatched, long elements, Description.Tolerance tolerance,
            float[] tensorInput, long[] inputShape, float[] tensorOutput, long[] outputShape) {

        boolean passed() {
            return mismatched * 1e6 <= tolerance.mismatchedPerMillion() * elements && !Double.isNaN(maxAbsDiff);
        }

        String summary() {
            return "max |difference| " + (maxAbsDiff == 0 ? "0" : String.format("%.3g", maxAbsDiff)) + ", " + mismatched + " of " + elements
                    + " values outside " + tolerance.absolute() + " + " + tolerance.relative() + " * |expected| ("
                    + tolerance.source() + ", at most " + (long) tolerance.mismatchedPerMillion() + " per million)";
        }
    }

    private PackageTest() {}

    static Report run(Conversion.Result r, Path onnx, Path testInput, Path testOutput, Description.Tolerance tolerance,
            String where) {
        long[][] shape = new long[1][];
        Npy.Array in = read(testInput, where);
        float[] x = r.input().toTessera(values(in), in.shape(), shape, where + ": test input " + testInput.getFileName());
        long[] inShape = shape[0];
        @SuppressWarnings("unchecked")
        int channels = ((java.util.List<String>) ((Map<String, Object>) r.card().get("input")).get("channels")).size();
        if (inShape[1] != channels)
            throw new InvalidInputException(where + ": the test input has " + inShape[1] + " channels, the description "
                    + channels + "; axes and test tensor do not match");
        normalize(x, inShape, normalization(r.normalization()));
        Npy.Array expectedArray = read(testOutput, where);
        float[] expected = r.output().toTessera(values(expectedArray), expectedArray.shape(), shape,
                where + ": test output " + testOutput.getFileName());
        long[] expectedShape = shape[0];

        Engine.Result out;
        try (OrtEngine engine = OrtEngine.open(onnx, "bioimageio test", OrtEngine.Options.cpu(
                Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()))))) {
            FloatBuffer buffer = Engine.allocate(x.length);
            buffer.put(x).flip();
            out = engine.run(buffer, inShape);
        } catch (org.tessera.unet.EngineException e) {
            throw new InvalidInputException(where + ": the network fails on its own test input " + Arrays.toString(inShape)
                    + ": " + e.getMessage(), e);
        }
        float[] actual = postprocess(out.data(), out.shape(), r.kind(), r.paired());
        long[] actualShape = out.shape().clone();
        if (r.paired())
            actualShape[1] = 1;
        actual = cropSpace(actual, actualShape, r.crop()); // the padding the graph added to a smaller output
        if (!Arrays.equals(actualShape, expectedShape))
            throw new InvalidInputException(where + ": on its test input the model gives " + Arrays.toString(actualShape)
                    + " (N, C, [D,] H, W) but the test output is " + Arrays.toString(expectedShape)
                    + "; the description's axes or sizes do not match the weights");
        double worst = 0;
        long mismatched = 0;
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[i];
            if (Double.isNaN(e) && Double.isNaN(a))
                continue;
            double diff = Math.abs(a - e);
            if (!(diff <= worst))
                worst = diff;
            if (!(diff <= tolerance.absolute() + tolerance.relative() * Math.abs(e)))
                mismatched++;
        }
        return new Report(worst, mismatched, expected.length, tolerance, x, inShape, out.data(), out.shape());
    }

    /** A (N, C, [D,] H, W) array without {@code crop} (x, y[, z]) voxels on each side; {@code shape} is updated. */
    static float[] cropSpace(float[] data, long[] shape, int[] crop) {
        int dims = shape.length - 2;
        long[] to = shape.clone();
        boolean any = false;
        for (int k = 0; k < dims; k++) {
            to[2 + dims - 1 - k] -= 2L * crop[k];
            any |= crop[k] > 0;
        }
        if (!any)
            return data;
        float[] out = new float[Math.toIntExact(Engine.product(to))];
        int[] counter = new int[to.length];
        for (int i = 0; i < out.length; i++) {
            long src = 0;
            for (int a = 0; a < to.length; a++) {
                int c = a < 2 ? 0 : crop[dims - 1 - (a - 2)];
                src = src * shape[a] + counter[a] + c;
            }
            out[i] = data[(int) src];
            for (int a = to.length - 1; a >= 0; a--) {
                if (++counter[a] < to[a])
                    break;
                counter[a] = 0;
            }
        }
        System.arraycopy(to, 0, shape, 0, to.length);
        return out;
    }

    private static Npy.Array read(Path file, String where) {
        try {
            return Npy.read(file);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(where + ": " + e.getMessage(), e);
        }
    }

    private static double[] values(Npy.Array a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++)
            v[i] = a.getDouble(i);
        return v;
    }

    /** The normalization a converted card names (zscore, percentile or none). */
    static Normalization normalization(Map<String, Object> card) {
        return switch (String.valueOf(card.get("scheme"))) {
            case "zscore" -> Normalization.zscore();
            case "percentile" -> Normalization.percentile(((Number) card.get("lower")).doubleValue(),
                    ((Number) card.get("upper")).doubleValue());
            default -> Normalization.none();
        };
    }

    /** A normalization of each (sample, channel) of a tensor, as the Segmenter applies it to a whole channel. */
    static void normalize(float[] x, long[] shape, Normalization n) {
        int spatial = 1;
        long[] dims = new long[shape.length - 2];
        for (int k = 2; k < shape.length; k++) {
            spatial *= (int) shape[k];
            dims[shape.length - 1 - k] = shape[k]; // imglib2 order x, y[, z]
        }
        for (int start = 0; start < x.length; start += spatial) {
            float[] slice = Arrays.copyOfRange(x, start, start + spatial);
            ArrayImg<FloatType, FloatArray> img = ArrayImgs.floats(slice, dims);
            double[] of = n.offsetAndFactor(img);
            float offset = (float) of[0], factor = (float) of[1];
            for (int i = 0; i < spatial; i++)
                x[start + i] = (slice[i] - offset) * factor;
        }
    }

    /** The package's final activation on the network's output (the card's output kind), per voxel. */
    static float[] postprocess(float[] data, long[] shape, OutputKind kind, boolean paired) {
        int n = (int) shape[0], c = (int) shape[1];
        int spatial = data.length / Math.max(1, n * c);
        if (paired) {
            float[] out = new float[n * spatial];
            for (int b = 0; b < n; b++)
                System.arraycopy(data, (b * c + 1) * spatial, out, b * spatial, spatial);
            return out;
        }
        if (kind == OutputKind.PROBABILITIES)
            return data;
        float[] out = new float[data.length], values = new float[c], probabilities = new float[c];
        for (int b = 0; b < n; b++)
            for (int v = 0; v < spatial; v++) {
                for (int k = 0; k < c; k++)
                    values[k] = data[(b * c + k) * spatial + v];
                kind.probabilities(values, probabilities);
                for (int k = 0; k < c; k++)
                    out[(b * c + k) * spatial + v] = probabilities[k];
            }
        return out;
    }
}
