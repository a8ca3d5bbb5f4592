package org.tessera.volume.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

import org.junit.jupiter.api.function.Executable;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Volume;

import net.imglib2.type.numeric.real.FloatType;

/** Small files made by hand, valid or broken one field at a time, and the check that a reader refuses them cleanly. */
final class MalformedFiles {

    /** Long enough for any clean refusal; a reader that loops or decodes gigabytes takes longer. */
    static final Duration LIMIT = Duration.ofSeconds(10);

    private MalformedFiles() {}

    /**
     * Both {@link VolumeIO#read} and {@link VolumeIO#info} refuse the file within {@link #LIMIT} with an
     * {@link InvalidInputException} that names the file and holds each hint; the file is left unchanged.
     */
    static InvalidInputException assertRefused(Path file, String... hints) throws IOException {
        byte[] before = Files.readAllBytes(file);
        InvalidInputException e = null;
        for (Executable call : new Executable[] { () -> VolumeIO.read(file), () -> VolumeIO.info(file) }) {
            e = assertTimeoutPreemptively(LIMIT, () -> assertThrows(InvalidInputException.class, call));
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            for (String hint : hints)
                assertTrue(e.getMessage().contains(hint), "'" + hint + "' missing from: " + e.getMessage());
        }
        assertArrayEquals(before, Files.readAllBytes(file), "a failed read must not change the file");
        return e;
    }

    /** A small float32 NIfTI-1 file as Tessera writes it (20 x 20 x 10, little-endian, vox_offset 352). */
    static byte[] nifti(Path dir) throws IOException {
        Path file = Files.createTempFile(dir, "valid", ".nii");
        NiftiIO.write(Volume.of(TestImages.varied(new FloatType(), 20, 20, 10), 1, 1, 1), file);
        byte[] bytes = Files.readAllBytes(file);
        Files.delete(file);
        return bytes;
    }

    /** {@link #nifti} with its header edited, written to {@code dir/name}. */
    static Path nifti(Path dir, String name, Consumer<ByteBuffer> edit) throws IOException {
        byte[] bytes = nifti(dir);
        edit.accept(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
        return Files.write(dir.resolve(name), bytes);
    }

    /**
     * A little-endian grayscale TIFF of {@code pages} images, each an image directory (IFD) followed by its one
     * strip of pixels. Change the fields before calling {@link #bytes()} to break it one field at a time.
     */
    static final class Tiff {
        static final int ENTRIES = 10;
        static final int IFD_BYTES = 2 + 12 * ENTRIES + 4;

        int width = 16, height = 8, bits = 8, samples = 1, compression = 1, pages = 1;
        /** The pixel bytes actually stored per page; -1 for width x height x bytes per pixel. */
        int stored = -1;
        /** StripByteCounts as written; -1 for {@link #stored}. */
        long stripBytes = -1;
        /** StripOffsets as written; -1 for where the pixels are. */
        long stripOffset = -1;
        /** The next-IFD offset of the last page; 0 ends the chain. */
        long lastNext = 0;

        int storedBytes() {
            return stored >= 0 ? stored : width * height * samples * bits / 8;
        }

        /** Where page {@code i}'s IFD starts. */
        long ifd(int i) {
            return 8 + (long) i * (IFD_BYTES + storedBytes());
        }

        byte[] bytes() {
            int data = storedBytes();
            ByteBuffer b = ByteBuffer.allocate((int) ifd(pages)).order(ByteOrder.LITTLE_ENDIAN);
            b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt((int) ifd(0));
            for (int p = 0; p < pages; p++) {
                long pixels = ifd(p) + IFD_BYTES;
                b.position((int) ifd(p));
                b.putShort((short) ENTRIES);
                entry(b, 256, 4, width);
                entry(b, 257, 4, height);
                entry(b, 258, 3, bits);
                entry(b, 259, 3, compression);
                entry(b, 262, 3, 1);
                entry(b, 273, 4, stripOffset >= 0 ? stripOffset : pixels);
                entry(b, 277, 3, samples);
                entry(b, 278, 4, height);
                entry(b, 279, 4, stripBytes >= 0 ? stripBytes : data);
                entry(b, 284, 3, 1);
                b.putInt((int) (p == pages - 1 ? lastNext : ifd(p + 1)));
                for (int i = 0; i < data; i++)
                    b.put((byte) (i * 7 + p));
            }
            return b.array();
        }

        private static void entry(ByteBuffer b, int tag, int type, long value) {
            b.putShort((short) tag).putShort((short) type).putInt(1);
            if (type == 3)
                b.putShort((short) value).putShort((short) 0);
            else
                b.putInt((int) value);
        }

        Path write(Path file) throws IOException {
            return Files.write(file, bytes());
        }
    }
}
