package org.tessera.volume.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.ZipException;

import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Orientation;
import org.tessera.volume.Volume;

import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.DoubleArray;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.IntegerType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.DoubleType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.util.Intervals;
import net.imglib2.view.Views;

/**
 * Reads and writes single-file NIfTI ({@code .nii}, {@code .nii.gz}), versions 1 and 2, either byte order.
 *
 * <p>Reading. Voxels land in an {@link ArrayImg} of the matching type (uint8 -> UnsignedByteType, int8 ->
 * ByteType, int16 -> ShortType, uint16 -> UnsignedShortType, int32 -> IntType, uint32 -> UnsignedIntType, int64
 * -> LongType, float32 -> FloatType, float64 -> DoubleType) with dimensions (x, y[, z][, c]). A 4th dimension
 * (time, dim[4]) or a vector dimension (dim[5]) becomes the channel axis. A file whose z extent is 1 is read as
 * a 2D volume. Intensity scaling follows nibabel: a slope of 0, NaN or infinity, or slope 1 with intercept 0,
 * means raw values; otherwise values are {@code raw * slope + inter} in FloatType when the raw type is exact in
 * float32 and the slope is a float32 (NIfTI-1), else in DoubleType. That type choice is ITK's (and so
 * SimpleITK's and nnU-Net's); nibabel always returns float64, which agrees with it to float32 precision. Spacing
 * is pixdim[1..3] (a pixdim of a read axis that is not a positive number is refused); the unit comes from xyzt_units ("m", "mm", "um", or ""
 * when unknown). The qform (quaternion, offsets, qfac) and sform become an {@link Orientation}, or none when both
 * codes are 0.
 *
 * <p>Writing. NIfTI-1, little-endian, or NIfTI-2 when a dimension exceeds 32767; gzip-compressed when the name
 * ends in {@code .gz}. The type is chosen from the image's type (the nine above); channels are written as
 * dim[4]. pixdim holds the volume's spacing. The sform is written as given; the qform's rotation and offset are
 * taken from the orientation's qform (which must be a rotation, possibly with a flip, times the spacing). A
 * volume without orientation gets, like ITK writes it, qform and sform codes 1 with the scaled identity
 * diag(spacing), so every reader (nibabel, ITK, 3D Slicer) agrees on the geometry.
 */
public final class NiftiIO {

    private NiftiIO() {}

    /** True when the name ends in .nii or .nii.gz (any case). */
    public static boolean hasNiftiName(Path file) {
        return StandardFormat.NIFTI.owns(file);
    }

    public static Volume read(Path file) {
        return reading(file, (source, h, layout) -> {
            layout.checkFits(file, h, source);
            NiftiStreams.skipTo(file, source.in(), h);
            RandomAccessibleInterval<? extends RealType<?>> raw = readVoxels(file, source, h, layout);
            RandomAccessibleInterval<? extends RealType<?>> image = h.scaled() ? scale(raw, h) : raw;
            double[] spacing = h.spacing(layout.spatialDims());
            Volume volume = layout.channelAxis() ? Volume.withChannels(image, spacing) : Volume.of(image, spacing);
            return volume.withUnit(h.unit()).withOrientation(NiftiOrientation.read(h));
        });
    }

    /** The header's facts without reading the voxels. */
    public static VolumeInfo info(Path file) {
        return reading(file, (source, h, layout) -> {
            layout.checkFile(file, h, source);
            if (source.gzip()) // a gzip file's size says nothing of its content: decompress it, keeping nothing
                checkGzipData(file, source, h, layout);
            String type = h.type.label + (h.scaled() ? " scaled to " + (h.scaledToFloat() ? "float32" : "float64") : "");
            return new VolumeInfo(file, "NIfTI-" + h.version.number + (source.gzip() ? " (gzip)" : ""),
                    layout.shape(), layout.channels(), h.spacing(layout.spatialDims()), h.unit(), type);
        });
    }

    public static void write(Volume volume, Path file) {
        if (!hasNiftiName(file))
            throw new InvalidInputException("Cannot write " + file + " as NIfTI: the name must end in .nii or .nii.gz");
        NiftiDataType type = NiftiDataType.of(volume.image().getType(), file);
        byte[] header = NiftiHeader.encode(volume, type);
        boolean gzip = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz");
        AtomicFiles.write(file, temporary -> {
            try (OutputStream out = NiftiStreams.create(temporary, gzip)) {
                out.write(header);
                writeVoxels(out, volume.image(), type);
            }
        });
    }

    @FunctionalInterface
    private interface HeaderReader<T> {
        T read(NiftiStreams.Source source, NiftiHeader h, NiftiLayout layout) throws IOException;
    }

    /** Opens the file, reads and checks its header, and turns every failure into a message naming the file. */
    private static <T> T reading(Path file, HeaderReader<T> reader) {
        try (NiftiStreams.Source source = NiftiStreams.open(file)) {
            NiftiHeader h = NiftiHeader.read(file, source.in());
            return reader.read(source, h, NiftiLayout.of(file, h));
        } catch (InvalidInputException e) {
            throw e;
        } catch (EOFException e) {
            throw NiftiStreams.truncated(file, "early (" + e.getMessage() + ")");
        } catch (ZipException e) {
            throw NiftiStreams.corruptGzip(file, e);
        } catch (IOException e) {
            throw new InvalidInputException("Could not read " + file + ": " + e.getMessage(), e);
        }
    }

    private static RandomAccessibleInterval<? extends RealType<?>> readVoxels(Path file, NiftiStreams.Source source,
            NiftiHeader h, NiftiLayout layout) throws IOException {
        NiftiDataType.Target target = h.type.allocate(layout.dims());
        try {
            NiftiStreams.readChunks(source.in(), layout.voxels(), h.type.bytes, h.order, target.reader());
        } catch (NiftiStreams.ShortData e) {
            throw NiftiStreams.truncated(file, "after " + e.bytesRead + " of the " + layout.voxels() * h.type.bytes
                    + " bytes of voxel data its header describes (" + layout.describe(h) + ")");
        } catch (EOFException e) {
            throw NiftiStreams.truncated(file, "inside its voxel data (" + e.getMessage() + ")");
        }
        if (source.gzip())
            NiftiStreams.drain(source.in());
        return target.image();
    }

    /** Decompresses the voxel data without storing it, so that a truncated or corrupt gzip file is refused. */
    private static void checkGzipData(Path file, NiftiStreams.Source source, NiftiHeader h, NiftiLayout layout)
            throws IOException {
        NiftiStreams.skipTo(file, source.in(), h);
        long bytes = layout.voxels() * h.type.bytes;
        try {
            source.in().skipNBytes(bytes);
        } catch (EOFException e) {
            throw NiftiStreams.truncated(file, "inside the " + bytes + " bytes of voxel data its header describes ("
                    + layout.describe(h) + ")");
        }
        NiftiStreams.drain(source.in());
    }

    static RandomAccessibleInterval<? extends RealType<?>> scale(RandomAccessibleInterval<? extends RealType<?>> raw,
            NiftiHeader h) {
        long[] dims = raw.dimensionsAsLongArray();
        Cursor<? extends RealType<?>> in = Views.flatIterable(raw).cursor();
        if (h.scaledToFloat()) {
            ArrayImg<FloatType, FloatArray> out = ArrayImgs.floats(dims);
            float[] a = out.update(null).getCurrentStorageArray();
            float slope = (float) h.slope, inter = (float) h.inter;
            for (int i = 0; in.hasNext(); i++)
                a[i] = in.next().getRealFloat() * slope + inter;
            return out;
        }
        ArrayImg<DoubleType, DoubleArray> out = ArrayImgs.doubles(dims);
        double[] a = out.update(null).getCurrentStorageArray();
        for (int i = 0; in.hasNext(); i++) {
            RealType<?> t = in.next();
            double v = t instanceof IntegerType<?> it ? (double) it.getIntegerLong() : t.getRealDouble();
            a[i] = v * h.slope + h.inter;
        }
        return out;
    }

    private static void writeVoxels(OutputStream out, RandomAccessibleInterval<? extends RealType<?>> image,
            NiftiDataType type) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(NiftiStreams.CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        Cursor<? extends RealType<?>> cursor = Views.flatIterable(image).cursor();
        int perChunk = buffer.capacity() / type.bytes;
        for (long left = Intervals.numElements(image); left > 0; left -= perChunk) {
            type.write(buffer, cursor, (int) Math.min(left, perChunk));
            out.write(buffer.array(), 0, buffer.position());
            buffer.clear();
        }
    }
}
