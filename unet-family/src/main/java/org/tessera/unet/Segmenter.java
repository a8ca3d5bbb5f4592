package org.tessera.unet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.IntegerType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Progress;
import org.tessera.volume.Volume;
import org.tessera.volume.intensity.Normalization;
import org.tessera.volume.tiling.Stitcher;
import org.tessera.volume.tiling.TileGrid;
import org.tessera.volume.tiling.TileMode;
import org.tessera.volume.tiling.TileSizes;

/**
 * The tiled prediction pipeline: normalize as the model was trained, cut the volume into tiles, run them
 * through the engine in batches, stitch the outputs into labels (and probabilities, and attention maps). A 2D
 * model applied to a 3D volume segments it plane by plane. Out of memory: the batch halves first, then the tile.
 */
public final class Segmenter implements VolumeSegmenter {

    private final Model model;
    private final Engine engine;
    private final Consumer<String> log;
    private final boolean overlapped;

    /** @param log receives one line per notable event (batch or tile shrinking); may be null */
    public Segmenter(Model model, Engine engine, Consumer<String> log) {
        this(model, engine, log, true);
    }

    /**
     * @param overlapped whether tiles are read and stitched while the engine runs (the default; the labels are
     *                   the same either way)
     */
    public Segmenter(Model model, Engine engine, Consumer<String> log, boolean overlapped) {
        this.model = model;
        this.engine = engine;
        this.log = log == null ? s -> { } : log;
        this.overlapped = overlapped;
    }

    public Model model() { return model; }

    @Override
    public String id() { return model.id(); }

    @Override
    public java.util.List<String> classes() { return model.card().output().classes(); }

    public Engine engine() { return engine; }

    @Override
    public SegmentResult segment(Volume input, SegmentOptions options, Progress progress) {
        long start = System.nanoTime();
        Geometry g = geometry(model.card(), input, options);
        String spacingNote = spacingMismatch(model.card(), input);
        if (spacingNote != null)
            log.accept(spacingNote);
        List<String> gates = attentionOutputs(model.card(), options);
        List<RandomAccessibleInterval<? extends RealType<?>>> channels = normalizedChannels(input);
        TimedEngine timed = new TimedEngine(engine);
        Plan plan = plan(input, options, g);
        int[] tile = plan.tile;
        int batch = plan.batch;
        while (true) {
            TiledInference tiles = new TiledInference(grid(input, plan.mode, plan.step, tile, g), channels,
                    g.planeByPlane);
            try {
                Stitched stitched = run(tiles, timed, batch, options.probabilities(), gates, progress);
                Volume labels = input.withImage(stitched.classes.labels(), false);
                Volume probabilities = options.probabilities() ? input.withImage(stitched.classes.probabilities(), true)
                        : null;
                List<AttentionMap> attention = new ArrayList<>();
                for (int k = 0; k < gates.size(); k++)
                    attention.add(new AttentionMap(gates.get(k),
                            input.withImage(Views.hyperSlice(stitched.maps.outputs(), input.spatialDims(), k), false)));
                return new SegmentResult(labels, probabilities, List.copyOf(attention), tile, tiles.grid().size(),
                        batch, engine.device(), timed.nanos(), System.nanoTime() - start);
            } catch (TileTooLargeException e) {
                int[] smaller = halve(tile, g, plan.mode);
                if (smaller == null)
                    throw new InvalidInputException("Out of memory on " + engine.device() + " even with a batch of 1 and tile "
                            + TileSizes.format(tile) + "; free memory, or use --device cpu with more Java heap (-Xmx)", e);
                log.accept("Out of memory with tile " + TileSizes.format(tile) + "; retrying with tile "
                        + TileSizes.format(smaller));
                tile = smaller;
                batch = 1;
            }
        }
    }

    /**
     * The tile grid {@link #segment} would use for a volume of {@code whole}'s shape, channels and spacing (its
     * voxels are not read): the grid that the blocks of a volume too large for one machine share.
     */
    public TileGrid grid(Volume whole, SegmentOptions options) {
        Geometry g = geometry(model.card(), whole, options);
        Plan plan = plan(whole, options, g);
        return grid(whole, plan.mode, plan.step, plan.tile, g);
    }

    /** The intensity normalization the model was trained with. */
    public Normalization normalization() {
        return normalization(model.card());
    }

    /**
     * The labels of one block of a large volume: {@code region} is a {@link TileGrid#region} of the whole volume's
     * {@link #grid}, {@code box} the input voxels it reads, and {@code normalization} the {offset, factor} per
     * channel computed over the whole volume. On the block's core the labels equal those of {@link #segment} on
     * the whole volume. The tile never shrinks here (that would change the grid): out of memory is an error.
     */
    public RandomAccessibleInterval<? extends IntegerType<?>> labels(TileGrid.Region region, Volume box,
            double[][] normalization, SegmentOptions options, Progress progress) {
        if (!java.util.Arrays.equals(box.spatialShape(), region.grid().shape()))
            throw new IllegalArgumentException("a box of " + java.util.Arrays.toString(box.spatialShape())
                    + " for a region of " + java.util.Arrays.toString(region.grid().shape()));
        List<RandomAccessibleInterval<? extends RealType<?>>> channels = new ArrayList<>();
        for (int c = 0; c < box.channels(); c++)
            channels.add(Normalization.apply(box.channel(c), normalization[c]));
        boolean planeByPlane = model.card().dimensionality() == 2 && box.spatialDims() == 3;
        TiledInference tiles = new TiledInference(region.grid(), channels, planeByPlane);
        try {
            return run(tiles, new TimedEngine(engine), options.batchFor(region.grid().tileSize(), engine), false, List.of(),
                    progress).classes.labels();
        } catch (TileTooLargeException e) {
            throw new InvalidInputException("Out of memory on " + engine.device() + " with tile "
                    + TileSizes.format(region.grid().tileSize()) + "; give a smaller tile (--tile) or more memory", e);
        }
    }

    /** One engine call's input: a batch of tiles (N, C, [D,] H, W). */
    public record Batch(java.nio.FloatBuffer data, long[] shape) {}

    /**
     * The batches {@link #segment} would feed the engine for this volume (same tiles, same order), read into
     * memory up front: lets a benchmark time the engine alone on exactly the pipeline's tiles.
     */
    public List<Batch> batches(Volume input, SegmentOptions options) {
        Geometry g = geometry(model.card(), input, options);
        Plan plan = plan(input, options, g);
        TiledInference tiles = new TiledInference(grid(input, plan.mode, plan.step, plan.tile, g),
                normalizedChannels(input), g.planeByPlane);
        long[] tileShape = tiles.tensorShape();
        int count = tiles.grid().size();
        List<Batch> batches = new ArrayList<>();
        for (int first = 0; first < count; first += plan.batch) {
            int n = Math.min(plan.batch, count - first);
            long[] shape = new long[tileShape.length + 1];
            shape[0] = n;
            System.arraycopy(tileShape, 0, shape, 1, tileShape.length);
            batches.add(new Batch(tiles.read(first, n), shape));
        }
        return batches;
    }

    /** How one volume is cut: a mode that is never AUTO, the tile size, the step (Gaussian), the first batch size. */
    private record Plan(TileMode mode, int[] tile, double step, int batch) {}

    /**
     * Resolves the request's tiling for this volume. AUTO is Gaussian at the card's tiling step (0.75 where it
     * gives none: half of nnU-Net's evaluations at the same held-out Dice, docs/tiling-study.md), with the
     * request's tile size or the model's patch size; an explicit mode takes the request's step.
     */
    private Plan plan(Volume input, SegmentOptions options, Geometry g) {
        boolean auto = options.mode() == TileMode.AUTO;
        TileMode mode = auto ? TileMode.GAUSSIAN : options.mode();
        int[] tile = TileSizes.resolve(mode, g.requested, g.preferred, g.divisibility, g.fixed, g.halo,
                input.spatialShape());
        return new Plan(mode, tile, auto ? model.card().autoTilingStep() : options.step(), options.batchFor(tile, engine));
    }

    private static TileGrid grid(Volume input, TileMode mode, double step, int[] tile, Geometry g) {
        return mode == TileMode.HALO ? TileGrid.halo(input.spatialShape(), tile, g.halo, g.divisibility)
                : TileGrid.gaussian(input.spatialShape(), tile, step);
    }

    /** The model's attention outputs when asked for; asking a model that has none is a mistake worth saying. */
    @Override
    public List<String> attentionOutputs(SegmentOptions options) {
        return attentionOutputs(model.card(), options);
    }

    public static List<String> attentionOutputs(ModelCard card, SegmentOptions options) {
        if (!options.attentionMaps())
            return List.of();
        if (card.attentionOutputNames().isEmpty())
            throw VolumeSegmenter.noAttentionMaps("Model '" + card.id() + "'", ": its card lists no attentionOutputs");
        return card.attentionOutputNames();
    }

    /** The class outputs' stitcher and, when attention maps are asked for, theirs (else null). */
    private record Stitched(Stitcher classes, Stitcher maps) {}

    private Stitched run(TiledInference tiles, Engine timed, int batch, boolean probabilities, List<String> gates,
            Progress progress) {
        ModelCard card = model.card();
        TileGrid grid = tiles.grid();
        int classes = card.outputChannels();
        Stitcher.Builder builder = Stitcher.builder(grid, classes).kind(card.output().kind()).labels();
        if (probabilities)
            builder.probabilities();
        Stitcher stitcher = builder.build();
        // The engine appends the attention maps to each tile's class channels; the same grid stitches both.
        Stitcher maps = gates.isEmpty() ? null : Stitcher.builder(grid, gates.size()).outputs().build();
        AdaptiveBatchRunner runner = new AdaptiveBatchRunner(timed, batch, log, gates, overlapped);
        progress.status(grid.size() + " " + grid.mode().name().toLowerCase(java.util.Locale.ROOT) + " tiles of "
                + TileSizes.format(grid.tileSize()) + " on " + engine.device());
        progress.fraction(0);
        tiles.run(runner, progress, (tile, out, shape) -> {
            if (maps == null) {
                stitcher.add(tile, out);
                return;
            }
            if (shape[0] != classes + gates.size())
                throw new InvalidInputException("Model '" + card.id() + "' returned " + shape[0] + " channels for "
                        + classes + " classes and the attention outputs " + gates + "; each attention output "
                        + "must have one channel");
            float[] all = new float[out.remaining()];
            out.get(all);
            stitcher.add(tile, all, 0);
            maps.add(tile, all, classes * tile.voxels());
        });
        return new Stitched(stitcher, maps);
    }

    private List<RandomAccessibleInterval<? extends RealType<?>>> normalizedChannels(Volume input) {
        Normalization normalization = normalization(model.card());
        List<RandomAccessibleInterval<? extends RealType<?>>> channels = new ArrayList<>();
        for (int c = 0; c < input.channels(); c++)
            channels.add(normalization.apply(input.channel(c)));
        return channels;
    }

    static Normalization normalization(ModelCard card) {
        return normalization(card.normalization());
    }

    /** The intensity normalization a card's normalization block names. */
    public static Normalization normalization(ModelCard.Normalization n) {
        return switch (n.scheme()) {
            case PERCENTILE -> Normalization.percentile(n.lower(), n.upper());
            case FIXED -> Normalization.fixed(n.offset(), n.scale());
            case ZSCORE -> Normalization.zscore();
            case MINMAX -> Normalization.minmax();
            case NONE -> Normalization.none();
        };
    }

    /** Tile parameters in the volume's axes, checked against what the model accepts. */
    private record Geometry(int[] requested, int[] preferred, int[] divisibility, int[] fixed, int[] halo,
            boolean planeByPlane) {}

    private Geometry geometry(ModelCard card, Volume input, SegmentOptions options) {
        int modelDims = card.dimensionality();
        if (input.channels() != card.inputChannels())
            throw new InvalidInputException("Model '" + card.id() + "' expects " + card.inputChannels() + " channel"
                    + (card.inputChannels() == 1 ? "" : "s") + " " + card.input().channels() + "; the image has "
                    + input.channels() + ". Choose a model for " + input.channels() + "-channel images, or split or "
                    + "merge the channels first");
        if (modelDims == 3 && input.spatialDims() == 2)
            throw new InvalidInputException("Model '" + card.id() + "' is a 3D model; the image is 2D. Use a 2D model "
                    + "or a 3D stack");
        if (options.tile() != null && options.tile().length != modelDims)
            throw new InvalidInputException("The tile size " + TileSizes.format(options.tile()) + " has "
                    + options.tile().length + " values; model '" + card.id() + "' is " + modelDims + "D, so give "
                    + modelDims + " (x, y" + (modelDims == 3 ? ", z" : "") + "), e.g. "
                    + TileSizes.format(card.patchSize()));
        boolean planeByPlane = modelDims == 2 && input.spatialDims() == 3;
        if (!planeByPlane)
            return new Geometry(options.tile(), card.patchSize(), card.divisibility(), card.fixedInputSize(),
                    TileSizes.alignHalo(card.halo(), card.divisibility()), false);
        int[] div = flat(card.divisibility(), 1);
        return new Geometry(flat(options.tile(), 1), flat(card.patchSize(), 1), div, flat(card.fixedInputSize(), 1),
                TileSizes.alignHalo(flat(card.halo(), 0), div), true);
    }

    /**
     * A warning when the image's spacing differs from the model's training spacing by more than 25% on some
     * axis (same unit only): seen only where resampling was turned off ({@link ResamplingSegmenter}).
     */
    static String spacingMismatch(ModelCard card, Volume input) {
        double[] trained = card.trainingSpacing();
        if (trained == null || card.spacingUnit() == null || !card.spacingUnit().equals(input.unit()))
            return null;
        double[] spacing = input.spacing();
        int axes = Math.min(trained.length, spacing.length);
        for (int d = 0; d < axes; d++)
            if (Math.abs(spacing[d] / trained[d] - 1) > 0.25)
                return "The image spacing " + java.util.Arrays.toString(spacing) + " " + input.unit()
                        + " differs from the spacing model '" + card.id() + "' was trained at "
                        + java.util.Arrays.toString(trained) + " " + card.spacingUnit()
                        + "; objects will look larger or smaller than in training. Leave resampling on (drop --no-resampling) to "
                        + "segment at the training spacing.";
        return null;
    }

    private static int[] flat(int[] xy, int z) {
        return xy == null ? null : new int[] { xy[0], xy[1], z };
    }

    /** Half the tile along its largest axis, keeping divisibility and room for the halo; null when it cannot shrink. */
    private static int[] halve(int[] tile, Geometry g, TileMode mode) {
        if (g.fixed != null)
            return null;
        int axis = 0;
        for (int d = 1; d < tile.length; d++)
            if (tile[d] > tile[axis])
                axis = d;
        int div = g.divisibility[axis];
        int half = Math.max(div, tile[axis] / 2 / div * div);
        int min = mode == TileMode.HALO ? 2 * g.halo[axis] + div : div;
        if (half >= tile[axis] || half < min)
            return null;
        int[] smaller = tile.clone();
        smaller[axis] = half;
        return smaller;
    }

    @Override
    public String toString() {
        return "Segmenter[" + model.id() + " on " + engine.device() + "]";
    }
}
