package org.tessera.volume.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import org.tessera.volume.InvalidInputException;

/**
 * Walks a classic TIFF's chain of image directories (IFDs) before ImageJ's decoder does: that decoder follows
 * a chain that loops back forever, and seeks to and allocates whatever offsets and counts the file claims.
 * Here every IFD must lie inside the file and be visited once, and every tag's values must lie inside the file.
 * Files that are not classic TIFF (no "II*" / "MM*" header, BigTIFF) are left to the decoder's own refusal.
 */
final class TiffStructure {

    /** ImageJ's decoder treats a directory with more entries than this as the end of the chain. */
    private static final int MAX_ENTRIES = 1000;

    private TiffStructure() {}

    static void check(Path file) {
        try (FileChannel channel = FileChannel.open(file)) {
            long size = channel.size();
            if (size < 8)
                return;
            ByteBuffer head = read(channel, 0, 8);
            if (head.get(0) == 'M' && head.get(1) == 'M')
                head.order(ByteOrder.BIG_ENDIAN);
            else if (head.get(0) != 'I' || head.get(1) != 'I')
                return;
            int version = head.getShort(2) & 0xffff;
            if (version == 43)
                throw new InvalidInputException(file + " is a BigTIFF file, which Tessera does not read. Save it as a "
                        + "classic TIFF (Fiji: File > Save As > Tiff) or as NIfTI (.nii.gz).");
            if (version != 42)
                throw corrupt(file, "its header starts like a TIFF (" + (char) head.get(0) + (char) head.get(1)
                        + ") but gives version " + version + " instead of 42");
            Set<Long> seen = new HashSet<>();
            for (long ifd = head.getInt(4) & 0xffffffffL; ifd != 0;) {
                // The 8-byte file header comes first, and a directory needs at least its 2-byte entry count.
                if (ifd < 8 || ifd + 2 > size)
                    throw corrupt(file, "image directory " + (seen.size() + 1) + " is at byte " + ifd
                            + ", outside the file's " + size + " bytes");
                if (!seen.add(ifd))
                    throw corrupt(file, "its chain of image directories loops back to the one at byte " + ifd);
                int entries = read(channel, ifd, 2).order(head.order()).getShort(0) & 0xffff;
                if (entries < 1 || entries > MAX_ENTRIES)
                    return;
                long length = 12L * entries + 4;
                if (ifd + 2 + length > size)
                    throw corrupt(file, "the image directory at byte " + ifd + " has " + entries
                            + " entries, which run past the file's end at byte " + size);
                ByteBuffer table = read(channel, ifd + 2, (int) length).order(head.order());
                for (int e = 0; e < entries; e++)
                    checkValues(file, table, 12 * e, size);
                ifd = table.getInt(12 * entries) & 0xffffffffL;
            }
        } catch (IOException e) {
            throw new InvalidInputException("Could not read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Values that do not fit in the entry's 4 bytes are stored elsewhere: that place must be in the file. */
    private static void checkValues(Path file, ByteBuffer table, int at, long size) {
        int tag = table.getShort(at) & 0xffff;
        long count = table.getInt(at + 4) & 0xffffffffL;
        long bytes = count * typeSize(table.getShort(at + 2) & 0xffff);
        if (bytes <= 4)
            return;
        long offset = table.getInt(at + 8) & 0xffffffffL;
        if (offset + bytes > size)
            throw corrupt(file, "tag " + tag + " holds " + count + " values at bytes " + offset + " to "
                    + (offset + bytes) + ", past the file's end at byte " + size);
    }

    /** Bytes per value of a TIFF field type; unknown types count as 1 so their counts are still bounded. */
    private static int typeSize(int type) {
        return switch (type) {
            case 3, 8 -> 2;
            case 4, 9, 11, 13 -> 4;
            case 5, 10, 12 -> 8;
            default -> 1;
        };
    }

    private static ByteBuffer read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining())
            if (channel.read(b, position + b.position()) < 0)
                throw new IOException("unexpected end of file");
        return b.flip();
    }

    private static InvalidInputException corrupt(Path file, String why) {
        return new InvalidInputException(file + " is a truncated or damaged TIFF file: " + why + ". Copy it again, or open it in"
                + " Fiji and save it again with File > Save As > Tiff.");
    }
}
