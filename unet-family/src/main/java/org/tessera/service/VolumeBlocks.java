package org.tessera.service;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

import net.imglib2.Cursor;
import net.imglib2.FinalInterval;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.IntegerType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.util.ConstantUtils;
import net.imglib2.view.Views;

import org.tessera.unet.ModelCard;
import org.tessera.unet.ResamplingSegmenter;
import org.tessera.unet.Segmenter;
import org.tessera.unet.VolumeSegmenter;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Progress;
import org.tessera.volume.Volume;
import org.tessera.volume.intensity.NonFinite;
import org.tessera.volume.intensity.Normalization;
import org.tessera.volume.io.AtomicFiles;
import org.tessera.volume.io.NiftiRegions;
import org.tessera.volume.tiling.Stitcher;
import org.tessera.volume.tiling.TileGrid;
import org.tessera.volume.tiling.TileSizes;

/**
 * One volume too large for one machine, segmented in blocks that any number of workers take in any order. The
 * input is an uncompressed NIfTI read by offset; each block's core is written in place into one output NIfTI,
 * created with its full size beside the output under a temporary name and renamed onto it when every block is in.
 *
 * <p>The labels equal, byte for byte, those {@code tessera segment} writes for the whole volume: the intensity
 * statistics are taken once over the whole file, with the same sample; every block is stitched from exactly the
 * tiles of the whole volume's grid that write into its core ({@link TileGrid#region}), so a core voxel gets the
 * same tiles, weights and order as in one run, and block borders cannot show. Memory per block is bounded by the
 * block plus the tiles around it. A block done twice (a retried task) writes the same bytes again.
 *
 * <p>Plain networks only: nnU-Net bundles and classic methods work on the whole image, and a network that would
 * resample the volume to its training spacing is refused (resample the volume first, or pass --no-resampling).
 */
public record VolumeBlocks(String input, String output, String temporary, long[] shape, long[] block,
        double[][] normalization, double[] spacing, String unit) implements Serializable {

    /** Blocks per axis when none is asked for: this many tiles. */
    static final int DEFAULT_TILES_PER_BLOCK = 4;

    /**
     * Checks the request against the volume, takes the intensity statistics over the whole file and creates the
     * (temporary) output with its full size.
     *
     * @param block the block size per axis (x, y[, z]), each a multiple of the tile (halo mode: of its core, tile - 2 x
     *              halo); null for 4 of these per axis
     * @throws InvalidInputException for a file, model or option this cannot run, naming what would work
     */
    public static VolumeBlocks plan(Session session, Path input, Path output, int[] block) {
        if (!plainNifti(output))
            throw new InvalidInputException("The output " + output + " must be an uncompressed NIfTI (.nii): blocks "
                    + "are written into it by offset");
        Volume whole = geometry(input, session.request());
        Segmenter network = network(session, whole);
        checkOptions(session.request());
        TileGrid grid = network.grid(whole, session.request().options());
        long[] shape = whole.spatialShape();
        long[] size = blockSize(block, blockUnit(grid), shape);
        Path target = output.toAbsolutePath().normalize();
        if (Files.isDirectory(target))
            throw new InvalidInputException("The output " + output + " is a folder; give a file name ending in .nii");
        if (target.getParent() == null || !Files.isDirectory(target.getParent()))
            throw new InvalidInputException("The folder of the output " + output + " does not exist; create it first");
        if (target.equals(input.toAbsolutePath().normalize()))
            throw new InvalidInputException("The output " + output + " is the input; choose another file");
        double[][] normalization = statistics(input, whole, network.normalization()); // one pass over the file
        AtomicFiles.deleteLeftovers(target);
        Path temporary = target.resolveSibling("." + target.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".part");
        ModelCard card = network.model().card();
        RealType<?> labelType = (RealType<?>) Stitcher.labelType(card.output().kind(), card.outputChannels());
        Volume like = Volume.of(ConstantUtils.constantRandomAccessibleInterval(labelType, new FinalInterval(shape)),
                whole.spacing()).withUnit(whole.unit()).withOrientation(whole.orientation());
        NiftiRegions.create(temporary, like);
        SegmentationRequest r = session.request();
        return new VolumeBlocks(input.toString(), target.toString(), temporary.toString(), shape, size, normalization,
                r.spacing(), r.unit());
    }

    /** How many blocks. */
    public int count() {
        int n = 1;
        for (int d = 0; d < shape.length; d++)
            n = Math.multiplyExact(n, Math.toIntExact((shape[d] + block[d] - 1) / block[d]));
        return n;
    }

    /** First voxel of block {@code i}'s core (x fastest). */
    public long[] coreMin(int i) {
        long[] min = new long[shape.length];
        int rest = i;
        for (int d = 0; d < shape.length; d++) {
            int per = Math.toIntExact((shape[d] + block[d] - 1) / block[d]);
            min[d] = (rest % per) * block[d];
            rest /= per;
        }
        return min;
    }

    /** Extent of block {@code i}'s core. */
    public long[] coreSize(int i) {
        long[] min = coreMin(i), size = new long[shape.length];
        for (int d = 0; d < shape.length; d++)
            size[d] = Math.min(block[d], shape[d] - min[d]);
        return size;
    }

    /**
     * Segments block {@code i} and writes its core into the temporary output. The session must have been
     * opened by the same request as the plan's.
     */
    public void segment(Session session, int i, Progress progress) {
        Path in = Path.of(input);
        Volume whole = geometry(in, session.request());
        Segmenter network = network(session, whole);
        TileGrid.Region region = network.grid(whole, session.request().options()).region(coreMin(i), coreSize(i));
        Volume box = withRequestGeometry(NiftiRegions.read(in, region.min(), region.grid().shape()), spacing, unit);
        NonFinite.require(box, input + " (block " + i + " of " + count() + ")");
        RandomAccessibleInterval<? extends IntegerType<?>> labels = network.labels(region, box, normalization,
                session.request().options(), progress);
        long[] from = coreMin(i), size = coreSize(i), max = new long[from.length];
        long[] local = new long[from.length];
        for (int d = 0; d < from.length; d++) {
            local[d] = from[d] - region.min()[d];
            max[d] = local[d] + size[d] - 1;
        }
        @SuppressWarnings({ "unchecked", "rawtypes" })
        RandomAccessibleInterval<? extends RealType<?>> core = Views.zeroMin(Views.interval(
                (RandomAccessibleInterval) labels, new FinalInterval(local, max)));
        NiftiRegions.write(Path.of(temporary), core, from);
    }

    /** Renames the complete temporary output onto the output (after every block is in). */
    public void finish() {
        Path from = Path.of(temporary), to = Path.of(output);
        try {
            try {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new InvalidInputException("Could not rename " + from + " onto " + to + " (" + e + ")", e);
        }
    }

    /** Deletes the temporary output of a run that did not finish; the output is as it was. */
    public void abandon() {
        try {
            Files.deleteIfExists(Path.of(temporary));
        } catch (IOException e) {
            // a leftover .part is deleted by the next run (AtomicFiles.deleteLeftovers)
        }
    }

    private static boolean plainNifti(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".nii");
    }

    /** Blocks make labels only. */
    private static void checkOptions(SegmentationRequest r) {
        String extra = r.options().probabilities() ? "probabilities" : r.options().attentionMaps() ? "attention maps"
                : r.instances() ? "instances" : r.overlay() ? "an overlay" : null;
        if (extra != null)
            throw new InvalidInputException("A volume in blocks gets labels only, not " + extra + "; segment the labels "
                    + "first, or use 'segment' for a volume that fits in memory");
    }

    /** The volume's geometry (no voxels read), with the request's spacing and unit where given. */
    private static Volume geometry(Path input, SegmentationRequest request) {
        if (!plainNifti(input))
            throw new InvalidInputException("The input " + input + " must be an uncompressed NIfTI (.nii): blocks are "
                    + "read from it by offset (a .nii.gz: gunzip -k it first)");
        return withRequestGeometry(NiftiRegions.geometry(input), request.spacing(), request.unit());
    }

    private static Volume withRequestGeometry(Volume v, double[] spacing, String unit) {
        if (spacing != null) {
            if (spacing.length != v.spatialDims())
                throw new InvalidInputException("--spacing has " + spacing.length + " values; the volume is "
                        + v.spatialDims() + "D, so give " + v.spatialDims());
            v = v.withSpacing(spacing);
        }
        return unit == null ? v : v.withUnit(unit);
    }

    /** The plain network a session runs on this volume, or a message saying why blocks cannot reproduce it. */
    private static Segmenter network(Session session, Volume whole) {
        VolumeSegmenter s = session.segmenter();
        String id = s.id();
        if (s instanceof ResamplingSegmenter resampling) {
            if (resampling.resamples(whole))
                throw new InvalidInputException("Model '" + id + "' would resample this volume (spacing "
                        + Arrays.toString(whole.spacing()) + " " + whole.unit() + ") to its training spacing "
                        + Arrays.toString(resampling.network().model().card().trainingSpacing()) + "; blocks run at "
                        + "the volume's own spacing. Resample the volume first, or pass --no-resampling");
            return resampling.network();
        }
        if (s instanceof Segmenter network)
            return network;
        throw new InvalidInputException("'" + id + "' segments whole images (" + (session.isClassic() ? "a classic method"
                : "a pipeline with its own preprocessing, such as an nnU-Net bundle") + "); a volume in blocks needs a "
                + "plain network. Use 'segment' on the whole image, or a network model");
    }

    /**
     * What block sizes are multiples of, per axis: the tile (Gaussian), or the tile's core (halo mode: tile - 2 x
     * halo), whose lattice then matches the blocks, so that no tile is computed twice.
     */
    private static int[] blockUnit(TileGrid grid) {
        int[] unit = grid.tileSize(), halo = grid.halo();
        for (int d = 0; d < unit.length; d++)
            unit[d] -= 2 * halo[d];
        return unit;
    }

    private static long[] blockSize(int[] asked, int[] tile, long[] shape) {
        long[] size = new long[shape.length];
        if (asked != null && asked.length != shape.length)
            throw new InvalidInputException("--block has " + asked.length + " values; the volume is " + shape.length
                    + "D, so give " + shape.length + " (x, y" + (shape.length == 3 ? ", z" : "") + ")");
        for (int d = 0; d < shape.length; d++) {
            long b = asked == null ? (long) DEFAULT_TILES_PER_BLOCK * tile[d] : asked[d];
            if (b < 1 || b % tile[d] != 0)
                throw new InvalidInputException("--block " + (asked == null ? b : TileSizes.format(asked, ",")) + " is not a multiple of "
                        + TileSizes.format(tile, ",") + " (the tile, or in halo mode its core) along " + TileSizes.axis(d)
                        + "; give multiples, e.g. " + TileSizes.format(scaled(tile, DEFAULT_TILES_PER_BLOCK), ","));
            size[d] = Math.min(b, shape[d]);
        }
        return size;
    }

    private static int[] scaled(int[] tile, int k) {
        return Arrays.stream(tile).map(t -> t * k).toArray();
    }

    /**
     * {offset, factor} per channel over the whole file, from the sample the in-memory normalization takes (every
     * {@link Normalization#sampleStride}-th voxel), read slab by slab along the last axis.
     */
    private static double[][] statistics(Path input, Volume whole, Normalization normalization) {
        int channels = whole.channels();
        double[][] result = new double[channels][];
        long[] shape = whole.spatialShape();
        int last = shape.length - 1;
        long voxels = 1;
        for (long s : shape)
            voxels *= s;
        long planeVoxels = voxels / shape[last];
        long stride = Normalization.sampleStride(voxels);
        long planesPerSlab = Math.max(1, (16L << 20) / planeVoxels);
        Normalization.Sample[] samples = new Normalization.Sample[channels];
        for (int c = 0; c < channels; c++)
            samples[c] = normalization.newSample(normalization.needsStatistics() ? voxels : 0);
        if (normalization.needsStatistics()) {
            for (long p = 0; p < shape[last]; p += planesPerSlab) {
                long[] min = new long[shape.length], size = shape.clone();
                min[last] = p;
                size[last] = Math.min(planesPerSlab, shape[last] - p);
                Volume slab = NiftiRegions.read(input, min, size);
                long first = p * planeVoxels; // flat index of the slab's first voxel
                for (int c = 0; c < channels; c++) {
                    Cursor<? extends RealType<?>> cursor = Views.flatIterable(slab.channel(c)).cursor();
                    long k = (stride - first % stride) % stride; // offset of the first sampled voxel in the slab
                    cursor.jumpFwd(k + 1);
                    long n = planeVoxels * size[last];
                    for (long i = k; i < n; i += stride) {
                        samples[c].add(cursor.get().getRealDouble());
                        if (i + stride < n)
                            cursor.jumpFwd(stride);
                    }
                }
            }
        }
        for (int c = 0; c < channels; c++)
            result[c] = normalization.offsetAndFactorOf(samples[c]);
        return result;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%d blocks of %s over %s", count(), TileSizes.format(toInts(block), "x"),
                TileSizes.format(toInts(shape), "x"));
    }

    private static int[] toInts(long[] v) {
        return Arrays.stream(v).mapToInt(Math::toIntExact).toArray();
    }
}
