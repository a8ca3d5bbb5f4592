package org.tessera.volume.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;

import net.imglib2.FinalInterval;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.util.ConstantUtils;
import net.imglib2.view.Views;

import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Volume;

/**
 * Parts of an uncompressed NIfTI file ({@code .nii}), read and written in place by offset, for volumes larger
 * than one machine holds: the voxels of a box are read as {@link NiftiIO#read} would give them (same type,
 * same intensity scaling), and a file created with its full size takes boxes of voxels from several writers,
 * each writing only its own bytes. A file created here and filled completely has the bytes {@link NiftiIO#write}
 * gives the whole volume.
 */
public final class NiftiRegions {

    private NiftiRegions() {}

    /**
     * The file's geometry (shape, channels, spacing, unit, orientation) as a volume whose voxels are not read: its
     * image is a constant 0 of the file's extent. Only uncompressed files qualify (a gzip file cannot be read by offset).
     */
    public static Volume geometry(Path file) {
        return open(file, (h, layout, channel) -> {
            RandomAccessibleInterval<FloatType> zeros = ConstantUtils.constantRandomAccessibleInterval(new FloatType(),
                    new FinalInterval(layout.dims()));
            double[] spacing = h.spacing(layout.spatialDims());
            Volume v = layout.channelAxis() ? Volume.withChannels(zeros, spacing) : Volume.of(zeros, spacing);
            return v.withUnit(h.unit()).withOrientation(NiftiOrientation.read(h));
        });
    }

    /**
     * The voxels of the box {@code [min, min + size)} (spatial x, y[, z]; every channel), with the file's spacing,
     * unit and orientation: the same values and type as the box of {@link NiftiIO#read}'s volume.
     */
    public static Volume read(Path file, long[] min, long[] size) {
        return open(file, (h, layout, channel) -> {
            long[] shape = layout.shape();
            checkBox(file, shape, min, size);
            long[] dims = layout.channelAxis() ? Arrays.copyOf(size, size.length + 1) : size.clone();
            if (layout.channelAxis())
                dims[size.length] = layout.channels();
            NiftiDataType.Target target = h.type.allocate(dims);
            int row = Math.toIntExact(size[0]);
            ByteBuffer buffer = ByteBuffer.allocate(row * h.type.bytes).order(h.order);
            int at = 0;
            for (int c = 0; c < layout.channels(); c++)
                for (long z = 0; z < (shape.length > 2 ? size[2] : 1); z++)
                    for (long y = 0; y < size[1]; y++) {
                        long zz = shape.length > 2 ? min[2] + z : 0;
                        readFully(file, channel, buffer.clear(), offset(h, layout, c, zz, min[1] + y, min[0]));
                        target.reader().read(buffer.flip(), at, row);
                        at += row;
                    }
            RandomAccessibleInterval<? extends RealType<?>> image = h.scaled() ? NiftiIO.scale(target.image(), h)
                    : target.image();
            double[] spacing = h.spacing(layout.spatialDims());
            Volume v = layout.channelAxis() ? Volume.withChannels(image, spacing) : Volume.of(image, spacing);
            return v.withUnit(h.unit()).withOrientation(NiftiOrientation.read(h));
        });
    }

    /**
     * Creates {@code file} (replacing it) with the header {@link NiftiIO#write} gives {@code like} (its shape,
     * geometry and voxel type) and room for every voxel, all 0 until written with {@link #write}.
     */
    public static void create(Path file, Volume like) {
        NiftiDataType type = NiftiDataType.of(like.image().getType(), file);
        byte[] header = NiftiHeader.encode(like, type);
        long voxels = 1;
        for (long d : like.image().dimensionsAsLongArray())
            voxels = Math.multiplyExact(voxels, d);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(ByteBuffer.wrap(header), 0);
            // the voxels are a hole until written: sparse where the file system allows
            out.write(ByteBuffer.allocate(1), header.length + voxels * type.bytes - 1);
        } catch (IOException e) {
            throw new InvalidInputException("Could not create " + file + " (" + e + "); check that the folder is "
                    + "writable and the disk has room for " + (header.length + voxels * type.bytes) + " bytes", e);
        }
    }

    /**
     * Writes {@code box} (spatial x, y[, z], a single channel, of the file's voxel type) at {@code min} in a
     * file made by {@link #create}. Writing the same box again writes the same bytes.
     */
    public static void write(Path file, RandomAccessibleInterval<? extends RealType<?>> box, long[] min) {
        NiftiHeader h;
        NiftiLayout layout;
        try (NiftiStreams.Source source = NiftiStreams.open(file)) {
            h = NiftiHeader.read(file, source.in());
            layout = NiftiLayout.of(file, h, Long.MAX_VALUE);
        } catch (IOException e) {
            throw new InvalidInputException("Could not read the header of " + file + ": " + e.getMessage(), e);
        }
        long[] size = box.dimensionsAsLongArray();
        checkBox(file, layout.shape(), min, size);
        if (!NiftiDataType.of(box.getType(), file).equals(h.type))
            throw new IllegalArgumentException(file + " holds " + h.type.label + " voxels, not "
                    + box.getType().getClass().getSimpleName());
        int row = Math.toIntExact(size[0]);
        ByteBuffer buffer = ByteBuffer.allocate(row * h.type.bytes).order(h.order);
        Iterator<? extends RealType<?>> voxels = Views.flatIterable(box).iterator();
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
            for (long z = 0; z < (size.length > 2 ? size[2] : 1); z++)
                for (long y = 0; y < size[1]; y++) {
                    h.type.write(buffer.clear(), voxels, row);
                    buffer.flip();
                    long at = offset(h, layout, 0, size.length > 2 ? min[2] + z : 0, min[1] + y, min[0]);
                    while (buffer.hasRemaining())
                        at += out.write(buffer, at);
                }
        } catch (IOException e) {
            throw new InvalidInputException("Could not write into " + file + " (" + e + "); check that the file is "
                    + "writable and the disk has room", e);
        }
    }

    @FunctionalInterface
    private interface Reader<T> {
        T read(NiftiHeader h, NiftiLayout layout, FileChannel channel) throws IOException;
    }

    private static <T> T open(Path file, Reader<T> reader) {
        try (NiftiStreams.Source source = NiftiStreams.open(file)) {
            if (source.gzip())
                throw new InvalidInputException(file + " is gzip-compressed; parts of a volume are read by offset, "
                        + "which needs an uncompressed .nii (e.g. gunzip -k " + file.getFileName() + ")");
            NiftiHeader h = NiftiHeader.read(file, source.in());
            NiftiLayout layout = NiftiLayout.of(file, h, Long.MAX_VALUE);
            layout.checkFile(file, h, source);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                return reader.read(h, layout, channel);
            }
        } catch (InvalidInputException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidInputException("Could not read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Byte offset of voxel (x, y, z) of channel c. */
    private static long offset(NiftiHeader h, NiftiLayout layout, int c, long z, long y, long x) {
        long index = ((c * layout.nz() + z) * layout.ny() + y) * layout.nx() + x;
        return h.dataOffset() + index * h.type.bytes;
    }

    private static void readFully(Path file, FileChannel channel, ByteBuffer buffer, long at) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0)
                throw NiftiStreams.truncated(file, "inside its voxel data");
            at += n;
        }
    }

    private static void checkBox(Path file, long[] shape, long[] min, long[] size) {
        boolean inside = min.length == shape.length && size.length == shape.length;
        for (int d = 0; inside && d < shape.length; d++)
            inside = min[d] >= 0 && size[d] >= 1 && min[d] + size[d] <= shape[d];
        if (!inside)
            throw new IllegalArgumentException("box " + Arrays.toString(min) + " + " + Arrays.toString(size)
                    + " is not inside " + file + " of " + Arrays.toString(shape));
    }
}
