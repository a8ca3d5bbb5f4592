package org.tessera.unet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;

import net.imglib2.FinalInterval;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.util.Intervals;
import net.imglib2.view.Views;

import org.tessera.volume.Progress;
import org.tessera.volume.Volume;
import org.tessera.volume.resample.Resize;

/**
 * A network run at the spacing it was trained at, as the nnU-Net bundles are: an image whose spacing differs
 * from the card's {@code trainingSpacing} by more than 25% on some axis (same unit) is resized to that spacing
 * (cubic spline, as nnU-Net resamples images), segmented, and its class probabilities resized back to the
 * image's own grid (linear, as nnU-Net resamples probabilities) before the argmax. Attention maps come back
 * the same way. Images at about the training spacing, or in another unit, go straight to the network.
 */
public final class ResamplingSegmenter implements VolumeSegmenter {

    /** Relative spacing difference on some axis above which the image is resampled. */
    static final double TOLERANCE = 0.25;

    private final Segmenter network;
    private final double[] trained;
    private final String unit;
    private final Consumer<String> log;

    private ResamplingSegmenter(Segmenter network, Consumer<String> log) {
        this.network = network;
        this.trained = network.model().card().trainingSpacing();
        this.unit = network.model().card().spacingUnit();
        this.log = log == null ? s -> { } : log;
    }

    /** The network itself when its card records no training spacing, else the network behind resampling. */
    public static VolumeSegmenter around(Segmenter network, Consumer<String> log) {
        return network.model().card().trainingSpacing() == null ? network : new ResamplingSegmenter(network, log);
    }

    /** The network behind the resampling. */
    public Segmenter network() { return network; }

    @Override
    public String id() { return network.id(); }

    @Override
    public List<String> classes() { return network.classes(); }

    @Override
    public List<String> attentionOutputs(SegmentOptions options) { return network.attentionOutputs(options); }

    @Override
    public void check(SegmentOptions options) { network.check(options); }

    /** Whether {@link #segment} resizes this image (its spacing and shape only are read) to the training spacing. */
    public boolean resamples(Volume input) {
        return trainingShape(input) != null;
    }

    /** The voxels per axis at the training spacing, or null when the image needs no resampling. */
    long[] trainingShape(Volume input) {
        double[] spacing = input.spacing();
        if (unit == null || !unit.equals(input.unit()) || trained.length != spacing.length)
            return null;
        boolean differs = false;
        long[] shape = input.spatialShape();
        long[] out = new long[shape.length];
        for (int d = 0; d < shape.length; d++) {
            differs |= Math.abs(spacing[d] / trained[d] - 1) > TOLERANCE;
            out[d] = Math.max(1, Math.round(spacing[d] / trained[d] * shape[d]));
        }
        return differs ? out : null;
    }

    @Override
    public SegmentResult segment(Volume input, SegmentOptions options, Progress progress) {
        long start = System.nanoTime();
        long[] shape = trainingShape(input);
        if (shape == null)
            return network.segment(input, options, progress);
        log.accept("model '" + id() + "' was trained at spacing " + Arrays.toString(trained) + " " + unit + ": resampling the "
                + "image (" + Arrays.toString(input.spacing()) + ", " + join(input.spatialShape()) + " voxels) to "
                + join(shape) + " voxels and back");
        Volume atTraining = Volume.withChannels(perChannel(input, shape, 3), trained).withUnit(unit);
        SegmentResult r = network.segment(atTraining, options.withProbabilities(true), progress);
        long[] own = input.spatialShape();
        List<AttentionMap> attention = new ArrayList<>();
        for (AttentionMap a : r.attention())
            attention.add(new AttentionMap(a.name(), input.withImage(Resize.image(a.map().image(), own, 1), false)));
        Volume probabilities = null;
        Img<UnsignedByteType> labels;
        if (options.probabilities()) {
            float[][] each = resizedBack(r.probabilities().image(), own);
            List<Img<FloatType>> channels = new ArrayList<>();
            for (float[] c : each)
                channels.add(ArrayImgs.floats(c, own));
            probabilities = input.withImage(Views.stack(channels), true);
            int plane = Math.toIntExact(own[0] * own[1]);
            labels = argmax(each.length, own, z -> each, z -> z * plane);
        } else { // labels only: the probabilities come back one plane at a time, never as whole float volumes
            labels = streamedArgmax(r.probabilities().image(), own);
        }
        return new SegmentResult(input.withImage(labels, false), probabilities, List.copyOf(attention), r.tile(),
                r.tiles(), r.batch(), r.device(), r.engineNanos(), System.nanoTime() - start);
    }

    /** Every channel resized to {@code shape}, stacked along a last channel axis. */
    private static RandomAccessibleInterval<? extends RealType<?>> perChannel(Volume v, long[] shape, int order) {
        List<Img<FloatType>> channels = new ArrayList<>();
        for (int c = 0; c < v.channels(); c++)
            channels.add(Resize.image(v.channel(c), shape, order));
        return Views.stack(channels);
    }

    /** Each class's probabilities resized (linearly) to {@code shape}, x fastest. */
    private static float[][] resizedBack(RandomAccessibleInterval<? extends RealType<?>> probabilities, long[] shape) {
        int channelAxis = shape.length;
        float[][] out = new float[Math.toIntExact(probabilities.dimension(channelAxis))][];
        for (int k = 0; k < out.length; k++) {
            out[k] = new float[Math.toIntExact(Intervals.numElements(new FinalInterval(shape)))];
            new Resize.Planes(Views.hyperSlice(probabilities, channelAxis, k), shape, 1).fill(out[k]);
        }
        return out;
    }

    /** The same labels without whole float volumes: each class's probabilities resized one plane at a time. */
    private static Img<UnsignedByteType> streamedArgmax(RandomAccessibleInterval<? extends RealType<?>> probabilities,
            long[] shape) {
        int channelAxis = shape.length;
        List<Resize.Planes> planes = new ArrayList<>();
        for (int k = 0; k < probabilities.dimension(channelAxis); k++)
            planes.add(new Resize.Planes(Views.hyperSlice(probabilities, channelAxis, k), shape, 1));
        float[][] current = new float[planes.size()][];
        return argmax(planes.size(), shape, z -> {
            for (int k = 0; k < current.length; k++)
                current[k] = planes.get(k).plane(z);
            return current;
        }, z -> 0);
    }

    /**
     * Labels 0..C-1 on {@code shape}, plane by plane: the first class of the largest probability, as the tiled
     * pipeline decides. {@code planes.apply(z)} gives each class's values and {@code offset.applyAsInt(z)} where
     * plane z starts in them.
     */
    private static Img<UnsignedByteType> argmax(int classes, long[] shape, IntFunction<float[][]> planes,
            IntUnaryOperator offset) {
        int plane = Math.toIntExact(shape[0] * shape[1]), depth = shape.length == 3 ? Math.toIntExact(shape[2]) : 1;
        byte[] out = new byte[Math.multiplyExact(plane, depth)];
        for (int z = 0; z < depth; z++) {
            float[][] p = planes.apply(z);
            int from = offset.applyAsInt(z);
            for (int i = 0; i < plane; i++) {
                int best = 0;
                double bestValue = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < classes; k++)
                    if (p[k][from + i] > bestValue) {
                        bestValue = p[k][from + i];
                        best = k;
                    }
                out[z * plane + i] = (byte) best;
            }
        }
        return ArrayImgs.unsignedBytes(out, shape);
    }

    private static String join(long[] shape) {
        return String.join(" x ", Arrays.stream(shape).mapToObj(Long::toString).toList());
    }

    @Override
    public String toString() {
        return "ResamplingSegmenter[" + network + " at " + Arrays.toString(trained) + " " + unit + "]";
    }
}
