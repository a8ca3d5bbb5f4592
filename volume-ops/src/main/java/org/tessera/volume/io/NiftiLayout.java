package org.tessera.volume.io;

import java.nio.file.Path;
import java.util.Arrays;

import org.tessera.volume.InvalidInputException;

/**
 * How a header's dim[] maps onto a volume: x, y[, z] and one channel axis taken from the time (dim[4]) or vector
 * (dim[5]) dimension; a z extent of 1 makes a 2D volume.
 */
record NiftiLayout(long nx, long ny, long nz, int channels, int spatialDims, boolean channelAxis, long voxels) {

    private static final int MAX_VOXELS = Integer.MAX_VALUE - 8;
    /** Deflate cannot compress better than about 1032:1, so a gzip file of n bytes holds at most this many times n. */
    private static final long MAX_GZIP_RATIO = 1100;

    static NiftiLayout of(Path file, NiftiHeader h) {
        return of(file, h, MAX_VOXELS);
    }

    /** @param maxVoxels the most voxels accepted: what one Java array holds, or more for files read in parts */
    static NiftiLayout of(Path file, NiftiHeader h, long maxVoxels) {
        int nd = (int) h.dim[0];
        if (h.dim[0] < 1 || h.dim[0] > 7)
            throw new InvalidInputException(file + " has a corrupt NIfTI header: dim[0] (the number of dimensions) is "
                    + h.dim[0] + ", not 1 to 7.");
        long[] d = new long[8];
        for (int i = 1; i < 8; i++) {
            d[i] = i <= nd ? h.dim[i] : 1;
            if (d[i] < 1)
                throw new InvalidInputException(file + " has a corrupt NIfTI header: dimension " + i + " is " + d[i]
                        + "; every dimension must be at least 1.");
        }
        if (d[6] > 1 || d[7] > 1)
            throw new InvalidInputException(file + " has " + nd + " dimensions " + Arrays.toString(Arrays.copyOfRange(d, 1, nd + 1))
                    + "; Tessera reads x, y, z plus one time or vector axis (used as channels).");
        if (d[4] > 1 && d[5] > 1)
            throw new InvalidInputException(file + " holds a time series of vectors (" + d[4] + " time points x " + d[5]
                    + " components); Tessera reads only one of these as the channel axis. Split the file first.");
        long channels = d[4] * d[5];
        long voxels;
        try {
            voxels = Math.multiplyExact(Math.multiplyExact(Math.multiplyExact(d[1], d[2]), d[3]), channels);
        } catch (ArithmeticException e) {
            voxels = Long.MAX_VALUE;
        }
        if (voxels > maxVoxels || channels > Integer.MAX_VALUE)
            throw new InvalidInputException(file + " has a header describing " + describeDims(d, nd) + " = "
                    + (voxels == Long.MAX_VALUE ? "more than 2^63" : voxels) + " voxels; Tessera holds at most "
                    + maxVoxels + " voxels per image. The header is corrupt, or crop/split the image first.");
        int spatial = d[3] > 1 ? 3 : 2;
        // The voxel size of each axis read becomes the volume's spacing: garbage there would resample garbage.
        for (int i = 1; i <= spatial; i++)
            if (!(h.pixdim[i] > 0 && Double.isFinite(h.pixdim[i])))
                throw new InvalidInputException(file + " has a corrupt NIfTI header: pixdim[" + i + "] (the voxel size"
                        + " along " + "xyz".charAt(i - 1) + ") is " + h.pixdim[i] + "; it must be a positive number. Fix"
                        + " it (e.g. with nibabel: img.header.set_zooms(...)) and save the image again.");
        return new NiftiLayout(d[1], d[2], d[3], (int) channels, spatial, channels > 1, voxels);
    }

    private static String describeDims(long[] d, int nd) {
        StringBuilder s = new StringBuilder();
        for (int i = 1; i <= nd; i++)
            s.append(i > 1 ? " x " : "").append(d[i]);
        return s.toString();
    }

    /** x, y[, z]. */
    long[] shape() {
        return Arrays.copyOf(new long[] { nx, ny, nz }, spatialDims);
    }

    /** The image's dimensions: the shape, then the channels when there are several. */
    long[] dims() {
        long[] spatial = shape();
        if (!channelAxis)
            return spatial;
        long[] all = Arrays.copyOf(spatial, spatialDims + 1);
        all[spatialDims] = channels;
        return all;
    }

    /** Refuses, before allocating, what the file cannot hold or this Java cannot store. */
    void checkFits(Path file, NiftiHeader h, NiftiStreams.Source source) {
        checkFile(file, h, source);
        long bytes = voxels * h.type.bytes;
        long needed = bytes + (h.scaled() ? voxels * (h.scaledToFloat() ? 4 : 8) : 0);
        Memory.require(file, needed, describe(h));
    }

    /** Refuses a header describing more data than the file (plain, or gzip at deflate's best ratio) can hold. */
    void checkFile(Path file, NiftiHeader h, NiftiStreams.Source source) {
        long bytes = voxels * h.type.bytes;
        long end = h.dataOffset() > Long.MAX_VALUE - bytes ? Long.MAX_VALUE : h.dataOffset() + bytes; // no overflow
        if (!source.gzip() && end > source.fileSize())
            throw new InvalidInputException(file + " is truncated or its header is corrupt: the header describes "
                    + describe(h) + " (" + bytes + " bytes from offset " + h.dataOffset() + ") but the file has "
                    + source.fileSize() + " bytes. Copy or download the file again.");
        if (source.gzip() && end / MAX_GZIP_RATIO > source.fileSize())
            throw new InvalidInputException(file + " has a corrupt header: it describes " + describe(h) + " ("
                    + bytes + " bytes), more than a " + source.fileSize() + "-byte gzip file can hold.");
    }

    /** "20 x 20 x 10 float32 voxels", for messages. */
    String describe(NiftiHeader h) {
        return Arrays.stream(dims()).mapToObj(Long::toString).reduce((a, b) -> a + " x " + b).orElse("")
                + " " + h.type.label + " voxels";
    }
}
