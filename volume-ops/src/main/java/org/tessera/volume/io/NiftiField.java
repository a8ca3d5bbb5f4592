package org.tessera.volume.io;

import java.nio.ByteBuffer;

/**
 * The header fields Tessera reads and writes, with their byte offset and width in NIfTI-1 and in NIfTI-2, so that
 * one piece of code reads and writes both versions. Array fields (dim, pixdim, ...) step by the width.
 */
enum NiftiField {
    DIM(40, 2, 16, 8), PIXDIM(76, 4, 104, 8),
    DATATYPE(70, 2, 12, 2), BITPIX(72, 2, 14, 2),
    SCL_SLOPE(112, 4, 176, 8), SCL_INTER(116, 4, 184, 8),
    XYZT_UNITS(123, 1, 500, 4),
    QFORM_CODE(252, 2, 344, 4), SFORM_CODE(254, 2, 348, 4),
    /** quatern_b, quatern_c, quatern_d, qoffset_x, qoffset_y, qoffset_z. */
    QUATERN(256, 4, 352, 8),
    /** srow_x, srow_y, srow_z: the first three rows of the sform. */
    SROW(280, 4, 400, 8),
    DESCRIP(148, 1, 240, 1), MAGIC(344, 1, 4, 1);

    /** Offset and width of the field in NIfTI-1 (index 0) and NIfTI-2 (index 1) headers. */
    private final int[] offsets;
    private final int[] widths;

    NiftiField(int offset1, int width1, int offset2, int width2) {
        this.offsets = new int[]{offset1, offset2};
        this.widths = new int[]{width1, width2};
    }

    int offset(NiftiVersion version, int index) {
        return offsets[column(version)] + index * widths[column(version)];
    }

    private int width(NiftiVersion version) {
        return widths[column(version)];
    }

    private static int column(NiftiVersion version) {
        return version == NiftiVersion.ONE ? 0 : 1;
    }

    /** An integer field; a one-byte field is unsigned. */
    long integer(ByteBuffer header, NiftiVersion version, int index) {
        int at = offset(version, index);
        return switch (width(version)) {
            case 1 -> header.get(at) & 0xff;
            case 2 -> header.getShort(at);
            case 4 -> header.getInt(at);
            default -> header.getLong(at);
        };
    }

    double real(ByteBuffer header, NiftiVersion version, int index) {
        int at = offset(version, index);
        return width(version) == 4 ? header.getFloat(at) : header.getDouble(at);
    }

    void putInteger(ByteBuffer header, NiftiVersion version, int index, long value) {
        int at = offset(version, index);
        switch (width(version)) {
            case 1 -> header.put(at, (byte) value);
            case 2 -> header.putShort(at, (short) value);
            case 4 -> header.putInt(at, (int) value);
            default -> header.putLong(at, value);
        }
    }

    void putReal(ByteBuffer header, NiftiVersion version, int index, double value) {
        int at = offset(version, index);
        if (width(version) == 4)
            header.putFloat(at, (float) value);
        else
            header.putDouble(at, value);
    }
}
