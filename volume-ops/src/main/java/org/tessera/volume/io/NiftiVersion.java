package org.tessera.volume.io;

import java.nio.ByteBuffer;

/** The two single-file NIfTI versions: header size, magic strings and where the voxels start. */
enum NiftiVersion {
    ONE(1, 348),
    TWO(2, 540);

    final int number;
    /** sizeof_hdr, the first field, which also tells the byte order. */
    final int headerSize;

    NiftiVersion(int number, int headerSize) {
        this.number = number;
        this.headerSize = headerSize;
    }

    /** "n+1\0", "n+2\0": a single file. */
    String magic() {
        return "n+" + number + "\0";
    }

    /** "ni1\0", "ni2\0": the header of a two-file (.hdr + .img) pair. */
    String pairMagic() {
        return "ni" + number + "\0";
    }

    /** NIfTI-2 follows its magic with four bytes that reveal a text-mode (line-ending) transfer. */
    String writtenMagic() {
        return this == TWO ? magic() + "\r\n\032\n" : magic();
    }

    /** The usual vox_offset: the header, then a 4-byte extender saying "no extensions". */
    int defaultDataOffset() {
        return headerSize + 4;
    }

    /** The version whose header has this size, or null. */
    static NiftiVersion withHeaderSize(int size) {
        for (NiftiVersion v : values())
            if (v.headerSize == size)
                return v;
        return null;
    }

    /** vox_offset is a float in NIfTI-1 and an int64 in NIfTI-2. */
    long voxOffset(ByteBuffer header) {
        return this == ONE ? (long) header.getFloat(108) : header.getLong(168);
    }

    /** vox_offset as stored, before any rounding: a NIfTI-1 float may be NaN, infinite or fractional. */
    double voxOffsetAsWritten(ByteBuffer header) {
        return this == ONE ? header.getFloat(108) : header.getLong(168);
    }

    void putVoxOffset(ByteBuffer header, long offset) {
        if (this == ONE)
            header.putFloat(108, offset);
        else
            header.putLong(168, offset);
    }
}
