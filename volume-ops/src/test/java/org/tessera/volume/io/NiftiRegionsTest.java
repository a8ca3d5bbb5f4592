package org.tessera.volume.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import net.imglib2.FinalInterval;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.ShortType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Orientation;
import org.tessera.volume.Volume;

/** Parts of uncompressed NIfTI files, read and written by offset, against the whole-file reader and writer. */
class NiftiRegionsTest {

    @TempDir
    Path dir;

    @Test
    void aBoxReadsAsTheSameBoxOfTheWholeFile() throws IOException {
        Img<ShortType> raw = TestImages.varied(new ShortType(), 9, 7, 5, 2); // two channels
        Path file = dir.resolve("two.nii");
        NiftiIO.write(Volume.withChannels(raw, 0.5, 0.5, 2).withUnit("um"), file);
        patchFloat(file, 112, 0.5f); // scl_slope: scaled to float, as the whole reader scales
        Volume whole = NiftiIO.read(file);
        long[] min = { 2, 1, 3 }, size = { 5, 6, 2 };
        Volume box = NiftiRegions.read(file, min, size);
        assertEquals(2, box.channels());
        assertArrayEquals(whole.spacing(), box.spacing());
        assertEquals(whole.unit(), box.unit());
        TestImages.assertSameValues(Views.zeroMin(Views.interval(whole.image(),
                new FinalInterval(new long[] { 2, 1, 3, 0 }, new long[] { 6, 6, 4, 1 }))), box.image());

        Volume geometry = NiftiRegions.geometry(file);
        assertArrayEquals(whole.image().dimensionsAsLongArray(), geometry.image().dimensionsAsLongArray());
        assertEquals(whole.orientation(), geometry.orientation());
    }

    @Test
    void boxesWrittenInAnyOrderGiveTheBytesOfTheWholeWrite() throws IOException {
        Img<UnsignedByteType> labels = TestImages.varied(new UnsignedByteType(), 10, 6, 4);
        Orientation orientation = NiftiIO.read(writeAndGet(labels)).orientation();
        Volume volume = Volume.of(labels, 0.8, 0.8, 1.75).withUnit("um").withOrientation(orientation);
        Path whole = dir.resolve("whole.nii"), parts = dir.resolve("parts.nii");
        NiftiIO.write(volume, whole);
        NiftiRegions.create(parts, volume);
        long[][] mins = { { 5, 3, 2 }, { 0, 0, 0 }, { 5, 0, 0 }, { 0, 3, 0 }, { 0, 0, 2 }, { 5, 3, 0 }, { 0, 3, 2 },
                { 5, 0, 2 } };
        for (int pass = 0; pass < 2; pass++) // a box written twice (a retried task) writes the same bytes
            for (long[] min : mins) {
                RandomAccessibleInterval<UnsignedByteType> box = Views.zeroMin(Views.interval(labels,
                        new FinalInterval(min, new long[] { min[0] + 4, min[1] + 2, min[2] + 1 })));
                NiftiRegions.write(parts, box, min);
            }
        assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(parts));
    }

    @Test
    void gzipFilesAndBoxesOutsideAreRefused() throws IOException {
        Path gz = dir.resolve("small.nii.gz");
        NiftiIO.write(Volume.of(TestImages.varied(new FloatType(), 4, 4, 4), 1, 1, 1), gz);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> NiftiRegions.geometry(gz));
        assertTrue(e.getMessage().contains("small.nii.gz") && e.getMessage().contains("uncompressed"), e.getMessage());
        Path plain = dir.resolve("small.nii");
        NiftiIO.write(Volume.of(TestImages.varied(new FloatType(), 4, 4, 4), 1, 1, 1), plain);
        assertThrows(IllegalArgumentException.class, () -> NiftiRegions.read(plain, new long[] { 2, 0, 0 },
                new long[] { 3, 4, 4 }));
        RandomAccessibleInterval<? extends RealType<?>> floats = TestImages.varied(new FloatType(), 2, 2, 2);
        Path bytes = dir.resolve("bytes.nii");
        NiftiRegions.create(bytes, Volume.of(TestImages.varied(new UnsignedByteType(), 4, 4, 4), 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> NiftiRegions.write(bytes, floats, new long[3]));
    }

    private Path writeAndGet(Img<UnsignedByteType> labels) {
        Path f = dir.resolve("oriented.nii");
        NiftiIO.write(Volume.of(labels, 0.8, 0.8, 1.75), f);
        return f;
    }

    private static void patchFloat(Path file, int offset, float value) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            f.writeInt(Integer.reverseBytes(Float.floatToIntBits(value)));
        }
    }
}
