package org.tessera.planner.predict;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

import org.tessera.planner.CaseData;
import org.tessera.planner.Plans;
import org.tessera.planner.preprocessing.Preprocessor;
import org.tessera.planner.preprocessing.Resampler;
import org.tessera.unet.AdaptiveBatchRunner;
import org.tessera.unet.Engine;
import org.tessera.unet.Model;
import org.tessera.unet.SegmentOptions;
import org.tessera.unet.SegmentResult;
import org.tessera.unet.TileTooLargeException;
import org.tessera.unet.TiledInference;
import org.tessera.unet.TimedEngine;
import org.tessera.unet.VolumeSegmenter;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Progress;
import org.tessera.volume.Volume;
import org.tessera.volume.tiling.OutputKind;
import org.tessera.volume.tiling.Stitcher;
import org.tessera.volume.tiling.TileGrid;
import org.tessera.volume.tiling.TileMode;
import org.tessera.volume.tiling.TileSizes;

/**
 * Prediction with an nnU-Net-style bundle, as nnU-Net v2's predictor: {@link Preprocessor} (transpose, crop
 * to nonzero, normalize, resample to the configuration's spacing), Gaussian sliding window over the
 * preprocessed array with the configuration's patch ({@link TileGrid#gaussian}, logits averaged by the
 * {@link Stitcher}), optional mirroring ({@link MirroringEngine}), logits resampled back to the cropped
 * shape with the plan's probability resampling (linear, separate-z rules), argmax, uncrop (background
 * outside the crop) and transpose back. A 2d configuration predicts each slice along the transposed first
 * axis. Labels and probabilities keep the input's geometry (spacing, unit, orientation).
 * <p>
 * Options used: batch, step and probabilities; the tile is the configuration's patch and the mode is always
 * Gaussian (asking for another tile or halo mode is an error).
 */
public final class PlanPredictor implements VolumeSegmenter {

    private final Bundle bundle;
    private final Engine engine;
    private final boolean mirroring;
    private final Consumer<String> log;

    /**
     * @param engine    runs model.onnx (the caller closes it)
     * @param mirroring mirror along the bundle's mirror axes ({@link Bundle#mirrorAxes}) and average, as nnU-Net does by default
     * @param log       receives notable events; may be null
     */
    public PlanPredictor(Bundle bundle, Engine engine, boolean mirroring, Consumer<String> log) {
        this.bundle = bundle;
        this.engine = engine;
        this.mirroring = mirroring;
        this.log = log == null ? s -> { } : log;
    }

    public Model model() {
        return bundle.model();
    }

    @Override
    public String id() {
        return bundle.model().id();
    }

    @Override
    public java.util.List<String> classes() {
        return bundle.model().card().output().classes();
    }

    public Bundle bundle() {
        return bundle;
    }

    public boolean mirroring() {
        return mirroring;
    }

    @Override
    public SegmentResult segment(Volume input, SegmentOptions options, Progress progress) {
        long start = System.nanoTime();
        String id = model().id();
        if (options.mode() == TileMode.HALO) // auto means nnU-Net's own window here
            throw new InvalidInputException("Model '" + id + "' is an nnU-Net bundle: it predicts with nnU-Net's "
                    + "Gaussian sliding window; use tiling gaussian, not " + options.mode().name().toLowerCase());
        if (options.tile() != null)
            throw new InvalidInputException("Model '" + id + "' is an nnU-Net bundle: its tile is the plan's patch size "
                    + TileSizes.format(model().card().patchSize()) + " (x, y[, z]); leave the tile size on auto");
        if (options.attentionMaps())
            throw VolumeSegmenter.noAttentionMaps("Model '" + id + "' is an nnU-Net bundle: it", "");
        if (!(options.step() > 0 && options.step() <= 1))
            throw new InvalidInputException("tile step " + options.step() + " must be in (0, 1]; nnU-Net uses 0.5");
        boolean twoD = bundle.preprocessor().is2d();
        if (!twoD && input.spatialDims() == 2)
            throw new InvalidInputException("Model '" + id + "' uses the 3d configuration \"" + bundle.configurationName()
                    + "\"; the image is 2D. Use a 3D stack, or a bundle of a 2d configuration");

        progress.status("Preprocessing (" + bundle.configurationName() + ")");
        Preprocessor.Preprocessed pre = bundle.preprocessor().run(input);
        int classes = model().card().outputChannels();
        int[] patch = bundle.configuration().patchSize(); // transposed nnU-Net order
        int[] mirrorAxes = bundle.mirrorAxes();
        boolean mirrored = mirroring && mirrorAxes.length > 0;
        TimedEngine timed = new TimedEngine(mirrored ? new MirroringEngine(engine, mirrorAxes) : engine);
        float[][] logits;
        int tiles;
        int batch;
        try {
            Sliding s = twoD ? slices(pre, patch, classes, options, timed, mirrored, progress)
                    : volume(pre, patch, classes, options, timed, mirrored, progress);
            logits = s.logits;
            tiles = s.tiles;
            batch = s.batch;
        } catch (TileTooLargeException e) {
            throw new InvalidInputException("Out of memory on " + engine.device() + " even with a batch of 1 and the "
                    + "plan's patch " + TileSizes.format(patch) + "; free memory, or use --device cpu with more Java "
                    + "heap (-Xmx)", e);
        }

        progress.status("Resampling the prediction back");
        Plans.ResamplingKwargs kwargs = bundle.configuration().resamplingFnProbabilitiesKwargs();
        if (kwargs == null)
            kwargs = new Plans.ResamplingKwargs(false, 1, 0, null);
        for (int c = 0; c < classes; c++)
            logits[c] = Resampler.resample(logits[c], pre.shape(), pre.shapeAfterCropping(), pre.targetSpacing(),
                    pre.originalSpacing(), kwargs);
        int[] labels = labels(logits);
        int[] backward = bundle.plans().transposeBackward();
        int[] full = pre.shapeBeforeCropping();
        int[] restored = Preprocessor.transpose(Preprocessor.uncrop(labels, full, pre.bbox()), full, backward);
        long[] dims = input.spatialShape();
        Volume labelVolume = input.withImage(labelImage(restored, dims, classes), false);
        Volume probabilities = null;
        if (options.probabilities())
            probabilities = input.withImage(probabilityImage(logits, pre, backward, dims), true);
        // the patch in the input's axes: untransposed (3d), then x, y, z
        int[] tileXyz = reversed(twoD ? patch : new int[]{patch[backward[0]], patch[backward[1]], patch[backward[2]]});
        return new SegmentResult(labelVolume, probabilities, List.of(), tileXyz, tiles, batch, engine.device(),
                timed.nanos(), System.nanoTime() - start);
    }

    private record Sliding(float[][] logits, int tiles, int batch) {}

    /** 3d configuration: one sliding window over the preprocessed array. */
    private Sliding volume(Preprocessor.Preprocessed pre, int[] patch, int classes, SegmentOptions options,
            Engine timed, boolean mirrored, Progress progress) {
        List<RandomAccessibleInterval<? extends RealType<?>>> channels = images(pre);
        long[] shapeXyz = {pre.shape()[2], pre.shape()[1], pre.shape()[0]};
        TileGrid grid = TileGrid.gaussian(shapeXyz, reversed(patch), options.step());
        progress.status(grid.size() + " tiles of " + TileSizes.format(reversed(patch)) + " on " + engine.device()
                + (mirrored ? ", mirrored" : ""));
        AdaptiveBatchRunner runner = new AdaptiveBatchRunner(timed, options.batchFor(reversed(patch), engine), log);
        Stitcher stitcher = slide(new TiledInference(grid, channels, false), classes, runner, progress);
        return new Sliding(channelArrays(stitcher.outputs(), classes), grid.size(), runner.batchSize());
    }

    /** 2d configuration: a sliding window per slice along the transposed first axis. */
    private Sliding slices(Preprocessor.Preprocessed pre, int[] patch, int classes, SegmentOptions options,
            Engine timed, boolean mirrored, Progress progress) {
        List<RandomAccessibleInterval<? extends RealType<?>>> volumes = images(pre);
        int depth = pre.shape()[0];
        int plane = pre.shape()[1] * pre.shape()[2];
        long[] planeXy = {pre.shape()[2], pre.shape()[1]};
        TileGrid grid = TileGrid.gaussian(planeXy, reversed(patch), options.step());
        progress.status(depth + " slices of " + grid.size() + " tiles of " + TileSizes.format(reversed(patch)) + " on "
                + engine.device() + (mirrored ? ", mirrored" : ""));
        AdaptiveBatchRunner runner = new AdaptiveBatchRunner(timed, options.batchFor(reversed(patch), engine), log);
        float[][] logits = new float[classes][depth * plane];
        for (int z = 0; z < depth; z++) {
            List<RandomAccessibleInterval<? extends RealType<?>>> slice = new ArrayList<>();
            for (RandomAccessibleInterval<? extends RealType<?>> v : volumes)
                slice.add(Views.hyperSlice(v, 2, z));
            Stitcher stitcher = slide(new TiledInference(grid, slice, false), classes, runner,
                    Progress.part(progress, "slice " + (z + 1), z, depth));
            float[][] out = channelArrays(stitcher.outputs(), classes);
            for (int c = 0; c < classes; c++)
                System.arraycopy(out[c], 0, logits[c], z * plane, plane);
        }
        return new Sliding(logits, depth * grid.size(), runner.batchSize());
    }

    /** The logits of one sliding window: importance-weighted averages, kept raw for resampling. */
    private static Stitcher slide(TiledInference tiles, int classes, AdaptiveBatchRunner runner, Progress progress) {
        Stitcher stitcher = Stitcher.builder(tiles.grid(), classes).kind(OutputKind.LOGITS).outputs().build();
        tiles.run(runner, progress, (tile, out, shape) -> stitcher.add(tile, out));
        return stitcher;
    }

    /** The preprocessed channels as imglib2 images (x', y', z') over the transposed C-order arrays. */
    private static List<RandomAccessibleInterval<? extends RealType<?>>> images(Preprocessor.Preprocessed pre) {
        int[] s = pre.shape();
        List<RandomAccessibleInterval<? extends RealType<?>>> out = new ArrayList<>();
        for (float[] ch : pre.data())
            out.add(ArrayImgs.floats(ch, s[2], s[1], s[0]));
        return out;
    }

    /** Per channel the values of an (x, y[, z], c) image in C order (x fastest). */
    private static float[][] channelArrays(RandomAccessibleInterval<FloatType> image, int channels) {
        int last = image.numDimensions() - 1;
        float[][] out = new float[channels][];
        for (int c = 0; c < channels; c++) {
            RandomAccessibleInterval<FloatType> ch = Views.hyperSlice(image, last, c);
            long n = 1;
            for (int d = 0; d < ch.numDimensions(); d++)
                n *= ch.dimension(d);
            float[] a = new float[Math.toIntExact(n)];
            Cursor<FloatType> cursor = Views.flatIterable(ch).cursor();
            for (int i = 0; i < a.length; i++)
                a[i] = cursor.next().get();
            out[c] = a;
        }
        return out;
    }

    /** Per voxel the argmax of the resampled logits (class-major arrays), as the stitcher decodes logits. */
    private static int[] labels(float[][] logits) {
        int[] labels = new int[logits[0].length];
        float[] values = new float[logits.length];
        for (int i = 0; i < labels.length; i++) {
            for (int c = 0; c < values.length; c++)
                values[c] = logits[c][i];
            labels[i] = OutputKind.LOGITS.label(values);
        }
        return labels;
    }

    /** Labels in (z, y, x) C order as an image of the input's spatial dimensions (x, y[, z]). */
    private static RandomAccessibleInterval<? extends RealType<?>> labelImage(int[] labels, long[] dims, int classes) {
        if (classes <= 256) {
            byte[] b = new byte[labels.length];
            for (int i = 0; i < b.length; i++)
                b[i] = (byte) labels[i];
            return ArrayImgs.unsignedBytes(b, dims);
        }
        short[] s = new short[labels.length];
        for (int i = 0; i < s.length; i++)
            s[i] = (short) labels[i];
        return ArrayImgs.unsignedShorts(s, dims);
    }

    /**
     * Softmax of the resampled logits, pasted into the uncropped array (background probability 1 outside the
     * crop, as nnU-Net), transposed back; channel axis last. The exponentials stay in double here, whereas
     * {@link OutputKind#probabilities} rounds each to float: sharing that would change the last bits of a
     * bundle's probabilities.
     */
    private static ArrayImg<FloatType, FloatArray> probabilityImage(float[][] logits, Preprocessor.Preprocessed pre,
            int[] backward, long[] dims) {
        int classes = logits.length;
        int voxels = logits[0].length;
        int[] full = pre.shapeBeforeCropping();
        int fullVoxels = full[0] * full[1] * full[2];
        float[] all = new float[classes * fullVoxels];
        double[] e = new double[classes];
        float[][] soft = new float[classes][voxels];
        for (int i = 0; i < voxels; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++)
                max = Math.max(max, logits[c][i]);
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                e[c] = Math.exp(logits[c][i] - max);
                sum += e[c];
            }
            for (int c = 0; c < classes; c++)
                soft[c][i] = (float) (e[c] / sum);
        }
        int[][] bbox = pre.bbox();
        int w = bbox[2][1] - bbox[2][0];
        for (int c = 0; c < classes; c++) {
            float[] channel = new float[fullVoxels];
            if (c == 0)
                java.util.Arrays.fill(channel, 1f);
            int i = 0;
            for (int z = bbox[0][0]; z < bbox[0][1]; z++)
                for (int y = bbox[1][0]; y < bbox[1][1]; y++) {
                    System.arraycopy(soft[c], i, channel, CaseData.index(full, z, y, bbox[2][0]), w);
                    i += w;
                }
            float[] back = Preprocessor.transpose(channel, full, backward);
            System.arraycopy(back, 0, all, c * fullVoxels, fullVoxels);
        }
        long[] withChannels = java.util.Arrays.copyOf(dims, dims.length + 1);
        withChannels[dims.length] = classes;
        return ArrayImgs.floats(all, withChannels);
    }

    private static int[] reversed(int[] v) {
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++)
            r[i] = v[v.length - 1 - i];
        return r;
    }

    @Override
    public String toString() {
        return "PlanPredictor[" + model().id() + " " + bundle.configurationName() + " on " + engine.device()
                + (mirroring ? ", mirrored" : "") + "]";
    }
}
