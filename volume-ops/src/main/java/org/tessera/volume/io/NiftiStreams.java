package org.tessera.volume.io;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import org.tessera.volume.InvalidInputException;

/** The byte streams under NIfTI files: plain or gzip, read in chunks, with messages for files that end early. */
final class NiftiStreams {

    static final int CHUNK = 1 << 20;

    /** An open file: its (decompressed) content, whether it is gzip and its size on disk. */
    record Source(InputStream in, boolean gzip, long fileSize) implements AutoCloseable {
        @Override
        public void close() throws IOException { in.close(); }
    }

    /** End of data before the header's promise was kept. */
    static final class ShortData extends IOException {
        final long bytesRead;

        ShortData(long bytesRead) {
            super("short data");
            this.bytesRead = bytesRead;
        }
    }

    private NiftiStreams() {}

    static Source open(Path file) throws IOException {
        if (Files.isDirectory(file))
            throw new InvalidInputException(file + " is a folder, not a NIfTI file. Give a .nii or .nii.gz file.");
        InputStream raw;
        long size;
        try {
            size = Files.size(file);
            raw = new BufferedInputStream(Files.newInputStream(file), CHUNK);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("NIfTI file not found: " + file + ". Check the path and the file name.", e);
        }
        // Decide by content, not by name: some tools write gzip data to .nii or plain data to .nii.gz.
        raw.mark(2);
        int b0 = raw.read(), b1 = raw.read();
        raw.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            try {
                return new Source(new BufferedInputStream(new GZIPInputStream(raw, CHUNK), CHUNK), true, size);
            } catch (IOException e) {
                raw.close();
                throw e instanceof EOFException ? truncated(file, "inside its gzip header") : corruptGzip(file, e);
            }
        }
        return new Source(raw, false, size);
    }

    /** Writing is gzip-compressed by name (".gz"), unlike reading, which goes by content. */
    static OutputStream create(Path file, boolean gzip) throws IOException {
        OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), CHUNK);
        return gzip ? new GZIPOutputStream(out, CHUNK) : out;
    }

    /** Skips from the end of the header to the voxel data. */
    static void skipTo(Path file, InputStream in, NiftiHeader h) throws IOException {
        try {
            in.skipNBytes(h.dataOffset() - h.version.headerSize);
        } catch (EOFException e) {
            throw truncated(file, "before its voxel data starts (offset " + h.dataOffset() + ")");
        }
    }

    /** Reads {@code count} voxels of {@code bytes} bytes each, a chunk at a time, into the reader. */
    static void readChunks(InputStream in, long count, int bytes, ByteOrder order, NiftiDataType.BlockReader reader)
            throws IOException {
        byte[] buffer = new byte[(int) Math.min(CHUNK, count * bytes)];
        long done = 0;
        while (done < count) {
            int n = (int) Math.min(count - done, buffer.length / bytes);
            int length = n * bytes;
            int got = in.readNBytes(buffer, 0, length);
            if (got < length)
                throw new ShortData(done * bytes + got);
            reader.read(ByteBuffer.wrap(buffer, 0, length).order(order), (int) done, n);
            done += n;
        }
    }

    /** Trailing bytes (padding) allowed after the voxels; a gzip file holding more is not read further. */
    static final int TRAILING_LIMIT = 1 << 20;

    /**
     * Reads to the end, which makes GZIPInputStream check the CRC, but at most {@link #TRAILING_LIMIT} bytes: a
     * file that decompresses to far more than its header describes (a gzip bomb) is read only to the header's size.
     */
    static void drain(InputStream in) throws IOException {
        byte[] buffer = new byte[8192];
        for (long read = 0; read <= TRAILING_LIMIT;) {
            int n = in.read(buffer);
            if (n < 0)
                return;
            read += n;
        }
    }

    static InvalidInputException truncated(Path file, String where) {
        return new InvalidInputException(file + " is truncated: it ends " + where
                + ". The file was probably cut short by an interrupted copy or download; copy it again.");
    }

    static InvalidInputException corruptGzip(Path file, IOException e) {
        return new InvalidInputException(file + " is not a readable gzip file (" + e.getMessage() + "). A .nii.gz must"
                + " be a gzip-compressed NIfTI file; the file is damaged, so copy or download it again.", e);
    }
}
