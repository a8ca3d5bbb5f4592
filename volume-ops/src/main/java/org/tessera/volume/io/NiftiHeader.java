package org.tessera.volume.io;

import static org.tessera.volume.io.NiftiField.BITPIX;
import static org.tessera.volume.io.NiftiField.DATATYPE;
import static org.tessera.volume.io.NiftiField.DESCRIP;
import static org.tessera.volume.io.NiftiField.DIM;
import static org.tessera.volume.io.NiftiField.MAGIC;
import static org.tessera.volume.io.NiftiField.PIXDIM;
import static org.tessera.volume.io.NiftiField.QFORM_CODE;
import static org.tessera.volume.io.NiftiField.QUATERN;
import static org.tessera.volume.io.NiftiField.SCL_INTER;
import static org.tessera.volume.io.NiftiField.SCL_SLOPE;
import static org.tessera.volume.io.NiftiField.SFORM_CODE;
import static org.tessera.volume.io.NiftiField.SROW;
import static org.tessera.volume.io.NiftiField.XYZT_UNITS;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Volume;

/** The fields of a single-file NIfTI-1 or NIfTI-2 header that Tessera uses: read and checked, or written. */
final class NiftiHeader {

    final NiftiVersion version;
    final ByteOrder order;
    final long[] dim = new long[8];
    final NiftiDataType type;
    final double[] pixdim = new double[8];
    final long voxOffset;
    final double slope;
    final double inter;
    final int xyztUnits;
    final int qformCode;
    final int sformCode;
    /** quatern_b, quatern_c, quatern_d, qoffset_x, qoffset_y, qoffset_z. */
    final double[] quatern = new double[6];
    final double[] srow = new double[12];

    private NiftiHeader(Path file, ByteBuffer b, NiftiVersion v) {
        version = v;
        order = b.order();
        checkMagic(file, new String(b.array(), MAGIC.offset(v, 0), 4, StandardCharsets.ISO_8859_1), v);
        type = NiftiDataType.of((int) DATATYPE.integer(b, v, 0), file);
        for (int i = 0; i < 8; i++) {
            dim[i] = DIM.integer(b, v, i);
            pixdim[i] = PIXDIM.real(b, v, i);
        }
        voxOffset = v.voxOffset(b);
        checkVoxOffset(file, v, b);
        long bitpix = BITPIX.integer(b, v, 0);
        if (bitpix != 8L * type.bytes)
            throw new InvalidInputException(file + " has a corrupt NIfTI header: bitpix is " + bitpix + " but datatype "
                    + type.label + " has " + 8 * type.bytes + " bits per voxel. Fix the header or save the image again.");
        slope = SCL_SLOPE.real(b, v, 0);
        inter = SCL_INTER.real(b, v, 0);
        xyztUnits = (int) XYZT_UNITS.integer(b, v, 0);
        qformCode = (int) QFORM_CODE.integer(b, v, 0);
        sformCode = (int) SFORM_CODE.integer(b, v, 0);
        for (int i = 0; i < quatern.length; i++)
            quatern[i] = QUATERN.real(b, v, i);
        for (int i = 0; i < srow.length; i++)
            srow[i] = SROW.real(b, v, i);
        if (scaled() && !Double.isFinite(inter))
            throw new InvalidInputException(file + " has a corrupt NIfTI header: scl_slope is " + slope
                    + " but scl_inter is " + inter + ".");
    }

    /** Reads the header from the start of the stream; sizeof_hdr tells the version and the byte order. */
    static NiftiHeader read(Path file, InputStream in) throws IOException {
        byte[] first = in.readNBytes(4);
        if (first.length < 4)
            throw new InvalidInputException(file + " is not a NIfTI file: it has only " + first.length
                    + " bytes (a NIfTI-1 header alone has 348).");
        int little = ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int big = ByteBuffer.wrap(first).order(ByteOrder.BIG_ENDIAN).getInt();
        ByteOrder order = NiftiVersion.withHeaderSize(little) != null ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        NiftiVersion version = NiftiVersion.withHeaderSize(order == ByteOrder.LITTLE_ENDIAN ? little : big);
        if (version == null)
            throw new InvalidInputException(file + " is not a NIfTI file: its first field (sizeof_hdr) is " + little
                    + ", where NIfTI-1 has 348 and NIfTI-2 has 540. Give a .nii or .nii.gz image"
                    + " (TIFF and PNG files need the .tif or .png extension).");
        int size = version.headerSize;
        byte[] bytes = Arrays.copyOf(first, size);
        int got = in.readNBytes(bytes, 4, size - 4);
        if (got < size - 4)
            throw NiftiStreams.truncated(file, "inside its header (" + (4 + got) + " of " + size + " header bytes)");
        return new NiftiHeader(file, ByteBuffer.wrap(bytes).order(order), version);
    }

    /** 0 means "right after the header" to a few writers; any other value must be a whole byte past the header. */
    private static void checkVoxOffset(Path file, NiftiVersion v, ByteBuffer b) {
        double offset = v.voxOffsetAsWritten(b);
        if (offset == 0 || (offset >= v.defaultDataOffset() && offset == Math.rint(offset) && Double.isFinite(offset)))
            return;
        throw new InvalidInputException(file + " has a corrupt NIfTI header: vox_offset (where the voxels start) is "
                + (v == NiftiVersion.ONE ? String.valueOf(offset) : String.valueOf((long) offset)) + "; in a single-file"
                + " NIfTI-" + v.number + " the voxels start at a whole byte, " + v.defaultDataOffset() + " or later."
                + " Fix the header or save the image again.");
    }

    private static void checkMagic(Path file, String magic, NiftiVersion v) {
        if (magic.equals(v.magic()))
            return;
        if (magic.equals(v.pairMagic()))
            throw new InvalidInputException(file + " is the header of a two-file NIfTI pair (.hdr + .img); Tessera"
                    + " reads single-file .nii or .nii.gz. Convert it, e.g. in Python: nibabel.save(nibabel.load("
                    + "'image.hdr'), 'image.nii.gz').");
        throw new InvalidInputException(file + " is not a NIfTI file: its magic string is '"
                + magic.replace("\0", "\\0") + "' instead of '" + v.magic().replace("\0", "\\0") + "'. Old ANALYZE"
                + " 7.5 files are not supported; give a .nii or .nii.gz image.");
    }

    long dataOffset() {
        // A few writers leave vox_offset at 0 in single files; the data then follows the header and extender.
        return voxOffset < version.headerSize ? version.defaultDataOffset() : voxOffset;
    }

    /** Whether values are raw * slope + inter, by nibabel's rule. */
    boolean scaled() {
        if (slope == 0 || !Double.isFinite(slope))
            return false;
        return !(slope == 1 && (inter == 0 || Double.isNaN(inter)));
    }

    /** Whether scaled values are float32 (else float64), by ITK's rule. */
    boolean scaledToFloat() {
        return version == NiftiVersion.ONE && type.exactInFloat();
    }

    double[] spacing(int n) {
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = pixdim[i + 1]; // checked positive and finite by NiftiLayout
        }
        return s;
    }

    String unit() {
        return switch (xyztUnits & 7) {
            case 1 -> "m";
            case 2 -> "mm";
            case 3 -> "um";
            default -> "";
        };
    }

    private static int unitCode(String unit) {
        return switch (unit) {
            case "m" -> 1;
            case "mm" -> 2;
            case "um", "µm", "micron", "microns" -> 3;
            default -> 0;
        };
    }

    /**
     * The header (with its empty extender) for writing the volume as {@code type}: NIfTI-1, or NIfTI-2 when a
     * dimension exceeds 32767, little-endian, unscaled; channels are dim[4].
     */
    static byte[] encode(Volume volume, NiftiDataType type) {
        long[] shape = volume.spatialShape();
        long[] dims = volume.hasChannelAxis()
                ? new long[] { shape[0], shape[1], shape.length > 2 ? shape[2] : 1, volume.channels() }
                : shape;
        NiftiVersion v = Arrays.stream(dims).anyMatch(d -> d > Short.MAX_VALUE) ? NiftiVersion.TWO : NiftiVersion.ONE;
        double[] spacing = volume.spacing();
        double[] zooms = { spacing[0], spacing[1], spacing.length > 2 ? spacing[2] : 1 };
        NiftiOrientation.Stored orientation = NiftiOrientation.store(volume.orientation(), zooms);

        ByteBuffer b = ByteBuffer.allocate(v.defaultDataOffset()).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, v.headerSize);
        b.put(MAGIC.offset(v, 0), v.writtenMagic().getBytes(StandardCharsets.ISO_8859_1));
        DATATYPE.putInteger(b, v, 0, type.code);
        BITPIX.putInteger(b, v, 0, 8L * type.bytes);
        DIM.putInteger(b, v, 0, dims.length);
        PIXDIM.putReal(b, v, 0, orientation.quatern()[6]);
        for (int i = 0; i < 7; i++) {
            DIM.putInteger(b, v, i + 1, i < dims.length ? dims[i] : 1);
            PIXDIM.putReal(b, v, i + 1, i < 3 ? zooms[i] : 1);
        }
        v.putVoxOffset(b, v.defaultDataOffset());
        SCL_SLOPE.putReal(b, v, 0, 1);
        SCL_INTER.putReal(b, v, 0, 0);
        XYZT_UNITS.putInteger(b, v, 0, unitCode(volume.unit()));
        b.put(DESCRIP.offset(v, 0), "Tessera".getBytes(StandardCharsets.US_ASCII));
        QFORM_CODE.putInteger(b, v, 0, orientation.qformCode());
        SFORM_CODE.putInteger(b, v, 0, orientation.sformCode());
        for (int i = 0; i < 6; i++)
            QUATERN.putReal(b, v, i, orientation.quatern()[i]);
        for (int i = 0; i < 12; i++)
            SROW.putReal(b, v, i, orientation.sform()[i]);
        return b.array();
    }
}
