package org.tessera.volume.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Volume;

import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.logic.BitType;
import net.imglib2.type.numeric.real.FloatType;

class NiftiBadInputTest {

    @TempDir
    Path dir;

    private Path written(String name) {
        Path file = dir.resolve(name);
        NiftiIO.write(Volume.of(TestImages.varied(new FloatType(), 20, 20, 10), 1, 1, 1), file);
        return file;
    }

    /** A file as {@link #written} makes it, with its (little-endian) header edited. */
    private Path patched(String name, Consumer<ByteBuffer> edit) throws IOException {
        Path file = written(name);
        byte[] bytes = Files.readAllBytes(file);
        edit.accept(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
        Files.write(file, bytes);
        return file;
    }

    /** The read fails with a message naming the file and containing each hint. */
    private static InvalidInputException assertRefused(Path file, String... hints) throws IOException {
        byte[] before = Files.isRegularFile(file) ? Files.readAllBytes(file) : null;
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> NiftiIO.read(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        for (String hint : hints)
            assertTrue(e.getMessage().contains(hint), "'" + hint + "' missing from: " + e.getMessage());
        if (before != null)
            assertArrayEquals(before, Files.readAllBytes(file), "a failed read must not change the file");
        return e;
    }

    @Test
    void missingFile() throws IOException {
        assertRefused(dir.resolve("nothing-here.nii.gz"), "not found");
    }

    @Test
    void folderInsteadOfFile() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("scan.nii"));
        assertRefused(folder, "folder");
    }

    @Test
    void truncatedPlainFile() throws IOException {
        Path file = written("cut.nii");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 100));
        assertRefused(file, "truncated", "20 x 20 x 10 float32");
    }

    @Test
    void fileEndingInsideHeader() throws IOException {
        Path file = written("stub.nii");
        Files.write(file, Arrays.copyOf(Files.readAllBytes(file), 200));
        assertRefused(file, "truncated", "header");
    }

    @Test
    void truncatedGzipFile() throws IOException {
        Path file = written("cut.nii.gz");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
        assertRefused(file, "truncated");
    }

    @Test
    void corruptGzipData() throws IOException {
        Path file = written("bad.nii.gz");
        byte[] bytes = Files.readAllBytes(file);
        for (int i = 40; i < bytes.length - 20; i += 7)
            bytes[i] ^= 0x5a;
        Files.write(file, bytes);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> NiftiIO.read(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("gzip") || e.getMessage().contains("truncated")
                || e.getMessage().contains("corrupt"), e.getMessage());
    }

    @Test
    void corruptGzipChecksumIsDetected() throws IOException {
        Path file = written("crc.nii.gz");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 6] ^= 0x01; // inside the CRC32 of the trailer: the deflate data itself is intact
        Files.write(file, bytes);
        assertRefused(file, "gzip");
    }

    @Test
    void gzipMagicFollowedByGarbage() throws IOException {
        Path file = dir.resolve("garbage.nii.gz");
        Files.write(file, new byte[] { 0x1f, (byte) 0x8b, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3 });
        assertRefused(file, "gzip");
    }

    @Test
    void wrongSizeofHdr() throws IOException {
        Path file = dir.resolve("text.nii");
        Files.writeString(file, "this is a text file, not an image\n".repeat(20));
        assertRefused(file, "sizeof_hdr", "348");
    }

    @Test
    void wrongMagic() throws IOException {
        assertRefused(patched("magic.nii", b -> b.put(344, (byte) 'x')), "magic");
    }

    @Test
    void analyzePairHeader() throws IOException {
        assertRefused(patched("pair.nii", b -> b.put(345, (byte) 'i')), ".hdr");
    }

    @Test
    void absurdDimensionsAreRefusedBeforeAllocating() throws IOException {
        assertRefused(patched("huge.nii", b -> b.putShort(40, (short) 4).putShort(42, (short) 32000)
                .putShort(44, (short) 32000).putShort(46, (short) 32000).putShort(48, (short) 100)), "voxels", "at most");

        // Fits in an image but not in this file: refused from the file size, not by running out of memory.
        assertRefused(patched("large.nii", b -> b.putShort(42, (short) 1000).putShort(44, (short) 1000)
                .putShort(46, (short) 500)), "1000 x 1000 x 500", "bytes");
    }

    @Test
    void absurdDimensionsInGzipFile() throws IOException {
        Path plain = patched("huge.nii", b -> b.putShort(42, (short) 3000).putShort(44, (short) 3000));
        Path file = dir.resolve("huge.nii.gz");
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(Files.readAllBytes(plain));
        }
        assertRefused(file, "corrupt header", "gzip");
    }

    @Test
    void negativeDimension() throws IOException {
        assertRefused(patched("neg.nii", b -> b.putShort(44, (short) -5)), "dimension 2");
    }

    @Test
    void unsupportedDatatype() throws IOException {
        assertRefused(patched("complex.nii", b -> b.putShort(70, (short) 32)), "complex64", "float32");
    }

    @Test
    void emptyFile() throws IOException {
        Path file = Files.createFile(dir.resolve("empty.nii"));
        assertRefused(file, "not a NIfTI file");
    }

    @Test
    void voxOffsetNegativeNotANumberOrInsideTheHeaderIsRefused() throws IOException {
        for (float offset : new float[] { -352, Float.NaN, Float.POSITIVE_INFINITY, 200, 351, 352.5f })
            MalformedFiles.assertRefused(patched("off" + offset + ".nii", b -> b.putFloat(108, offset)), "vox_offset",
                    String.valueOf(offset));
    }

    @Test
    void bitpixContradictingDatatypeIsRefused() throws IOException {
        MalformedFiles.assertRefused(patched("bitpix.nii", b -> b.putShort(72, (short) 16)), "bitpix", "16", "float32");
    }

    @Test
    void invalidPixdimOfASpatialAxisIsRefused() throws IOException {
        for (float p : new float[] { Float.NaN, 0, -2, Float.NEGATIVE_INFINITY })
            MalformedFiles.assertRefused(patched("pix" + p + ".nii", b -> b.putFloat(76 + 4 * 3, p)), "pixdim[3]",
                    String.valueOf(p));
    }

    @Test
    void infoCatchesTruncationToo() throws IOException {
        for (String name : new String[] { "cut.nii", "cut.nii.gz" }) {
            Path file = written(name);
            byte[] bytes = Files.readAllBytes(file);
            Files.write(file, Arrays.copyOf(bytes, bytes.length - 100));
            MalformedFiles.assertRefused(file, "truncated");
        }
    }

    @Test
    void gzipHoldingFarMoreThanTheHeaderSaysIsReadOnlyToTheHeadersSize() throws IOException {
        // Concatenated gzip members decompress as one stream: 400 members of 64 MiB of zeros each is 25 GiB.
        java.io.ByteArrayOutputStream zeros = new java.io.ByteArrayOutputStream();
        try (var out = new java.util.zip.GZIPOutputStream(zeros)) {
            out.write(new byte[64 << 20]);
        }
        Path file = dir.resolve("bomb.nii.gz");
        try (var out = Files.newOutputStream(file)) {
            java.io.ByteArrayOutputStream first = new java.io.ByteArrayOutputStream();
            try (var gz = new java.util.zip.GZIPOutputStream(first)) {
                gz.write(Files.readAllBytes(written("bomb.nii")));
            }
            out.write(first.toByteArray());
            for (int i = 0; i < 400; i++)
                out.write(zeros.toByteArray());
        }
        Volume v = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(MalformedFiles.LIMIT,
                () -> NiftiIO.read(file));
        assertArrayEquals(new long[] { 20, 20, 10 }, v.spatialShape());
    }

    @Test
    void failedWriteLeavesNoFileBehind() throws IOException {
        var failing = TestImages.failingAbove(1000, 64, 64, 64);
        Path file = dir.resolve("out.nii.gz");
        assertThrows(IllegalStateException.class, () -> NiftiIO.write(Volume.of(failing, 1, 1, 1), file));
        assertFalse(Files.exists(file));
        try (Stream<Path> left = Files.list(dir)) {
            assertTrue(left.findAny().isEmpty(), "no temporary file left");
        }

        // An existing file survives a failed overwrite unchanged.
        Path existing = written("existing.nii");
        byte[] before = Files.readAllBytes(existing);
        assertThrows(IllegalStateException.class, () -> NiftiIO.write(Volume.of(failing, 1, 1, 1), existing));
        assertArrayEquals(before, Files.readAllBytes(existing));
        try (Stream<Path> left = Files.list(dir)) {
            assertTrue(left.toList().equals(List.of(existing)), "only the original file remains");
        }
    }

    @Test
    void writeRefusals() {
        Volume bits = Volume.of(ArrayImgs.bits(4, 4), 1, 1);
        InvalidInputException type = assertThrows(InvalidInputException.class,
                () -> NiftiIO.write(bits, dir.resolve("bits.nii")));
        assertTrue(type.getMessage().contains("UnsignedByteType"), type.getMessage());
        assertTrue(type.getMessage().contains(BitType.class.getSimpleName()), type.getMessage());

        Volume ok = Volume.of(ArrayImgs.floats(2, 2), 1, 1);
        InvalidInputException folder = assertThrows(InvalidInputException.class,
                () -> NiftiIO.write(ok, dir.resolve("no/such/folder/x.nii")));
        assertTrue(folder.getMessage().contains("does not exist"), folder.getMessage());
        assertFalse(Files.exists(dir.resolve("no")));
    }
}
