package org.tessera.volume.io;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;

import org.tessera.volume.InvalidInputException;

/**
 * Walks a PNG's chunks before Java's decoder does: that decoder ignores checksums, reads a file cut short after
 * its pixels as whole, and allocates whatever size the header claims. Here every chunk must be complete with a
 * matching CRC, the file must end with IEND, and the header's size must fit in a Java array and in the
 * compressed data. Files without the PNG signature are left to the decoder's own refusal.
 */
final class PngStructure {

    private static final byte[] SIGNATURE = { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    /** Deflate cannot compress better than about 1032:1. */
    private static final long MAX_DEFLATE_RATIO = 1100;

    private PngStructure() {}

    static void check(Path file) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            byte[] signature = in.readNBytes(SIGNATURE.length);
            if (!Arrays.equals(signature, SIGNATURE))
                return;
            long width = 0, height = 0, bitsPerPixel = 0, compressed = 0;
            byte[] buffer = new byte[1 << 16];
            for (int index = 0;; index++) {
                long length = in.readInt() & 0xffffffffL;
                byte[] typeBytes = in.readNBytes(4);
                if (typeBytes.length < 4)
                    throw new EOFException();
                String type = new String(typeBytes, StandardCharsets.ISO_8859_1);
                if (index == 0 && !type.equals("IHDR"))
                    throw corrupt(file, "it does not start with its header chunk (IHDR) but with '" + type + "'");
                CRC32 crc = new CRC32();
                crc.update(typeBytes);
                byte[] head = new byte[(int) Math.min(length, 13)];
                for (long left = length; left > 0;) {
                    int n = in.read(buffer, 0, (int) Math.min(left, buffer.length));
                    if (n < 0)
                        throw new EOFException();
                    if (left == length)
                        System.arraycopy(buffer, 0, head, 0, Math.min(n, head.length));
                    crc.update(buffer, 0, n);
                    left -= n;
                }
                if ((in.readInt() & 0xffffffffL) != crc.getValue())
                    throw corrupt(file, "the CRC checksum of its chunk '" + type + "' (number " + (index + 1)
                            + ") does not match its content");
                if (type.equals("IHDR") && head.length == 13) {
                    java.nio.ByteBuffer h = java.nio.ByteBuffer.wrap(head);
                    width = h.getInt(0) & 0xffffffffL;
                    height = h.getInt(4) & 0xffffffffL;
                    int depth = head[8], colour = head[9];
                    int samples = switch (colour) { case 2 -> 3; case 4 -> 2; case 6 -> 4; default -> 1; };
                    bitsPerPixel = (long) depth * samples;
                } else if (type.equals("IDAT")) {
                    compressed += length;
                } else if (type.equals("IEND")) {
                    checkSize(file, width, height, bitsPerPixel, compressed);
                    return;
                }
            }
        } catch (EOFException e) {
            throw new InvalidInputException(file + " is truncated: it ends inside a PNG chunk, or before the PNG's"
                    + " end marker (IEND). The file was probably cut short by an interrupted copy or download; copy it"
                    + " again.");
        } catch (IOException e) {
            throw new InvalidInputException("Could not read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The size the header claims must fit in one Java array, and in what its compressed data can hold. */
    private static void checkSize(Path file, long width, long height, long bitsPerPixel, long compressed) {
        if (width == 0 || height == 0)
            throw corrupt(file, "its header gives " + width + " x " + height + " pixels");
        long bytes = (width * bitsPerPixel + 7) / 8 * height;
        if (width * height > Integer.MAX_VALUE - 8 || bytes > MAX_DEFLATE_RATIO * Math.max(compressed, 1))
            throw corrupt(file, "its header claims " + width + " x " + height + " pixels (" + bytes + " bytes), more"
                    + " than Java holds in one image or its " + compressed + " bytes of compressed data can hold");
        Memory.require(file, width * height * Math.max(1, bitsPerPixel / 8), width + " x " + height + " pixels");
    }

    private static InvalidInputException corrupt(Path file, String why) {
        return new InvalidInputException(file + " is a damaged PNG file: " + why + ". Copy it again, or open it in"
                + " Fiji and save it again with File > Save As > PNG.");
    }
}
