package org.tessera.volume.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.tessera.volume.io.MalformedFiles.assertRefused;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.volume.Volume;

/** TIFF files that ImageJ's decoder alone would loop on, overflow on or read as garbage. */
class TiffBadInputTest {

    @TempDir
    Path dir;

    private MalformedFiles.Tiff tiff() {
        return new MalformedFiles.Tiff();
    }

    @Test
    void handMadeTiffReads() throws IOException {
        MalformedFiles.Tiff t = tiff();
        t.pages = 3;
        Volume v = VolumeIO.read(t.write(dir.resolve("ok.tif")));
        assertArrayEquals(new long[] { 16, 8, 3 }, v.spatialShape());
        assertEquals(7, v.image().randomAccess().setPositionAndGet(1, 0, 0).getRealDouble(), 0);
    }

    @Test
    void ifdChainLoopingToItselfIsRefused() throws IOException {
        MalformedFiles.Tiff t = tiff();
        t.lastNext = t.ifd(0);
        assertRefused(t.write(dir.resolve("self.tif")), "loops");
    }

    @Test
    void ifdChainLoopingBetweenTwoIfdsIsRefused() throws IOException {
        MalformedFiles.Tiff t = tiff();
        t.pages = 2;
        t.lastNext = t.ifd(0);
        assertRefused(t.write(dir.resolve("two.tif")), "loops");
    }

    @Test
    void versionOtherThan42IsRefusedBeforeImageJWalksTheFile() throws IOException {
        // Found by TiffFuzzTest#tiffFile: ImageJ reads the version field but never checks it, so a damaged version
        // let the directories past the structure check; this one's StripByteCounts claims 300 million values,
        // which ImageJ read one byte at a time past the end of the file for minutes.
        byte[] bytes = tiff().bytes();
        java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(10 + 12 * 8 + 4, 300_000_000);
        assertRefused(java.nio.file.Files.write(dir.resolve("count.tif"), bytes), "tag 279", "300000000");
        bytes[2] = 0;
        assertRefused(java.nio.file.Files.write(dir.resolve("version0.tif"), bytes), "version 0", "42");
        bytes[2] = 43;
        assertRefused(java.nio.file.Files.write(dir.resolve("big.tif"), bytes), "BigTIFF");
    }

    @Test
    void ifdOffsetOutsideTheFileIsRefused() throws IOException {
        MalformedFiles.Tiff t = tiff();
        t.lastNext = 1L << 31;
        assertRefused(t.write(dir.resolve("far.tif")), "outside");
        t.lastNext = 3; // inside the 8-byte file header
        assertRefused(t.write(dir.resolve("near.tif")), "outside");
    }

    @Test
    void absurdDimensionsAreRefusedBeforeAllocating() throws IOException {
        MalformedFiles.Tiff t = tiff();
        t.width = 100000;
        t.height = 100000;
        t.stored = 64;
        assertRefused(t.write(dir.resolve("huge.tif")), "100000 x 100000");
    }

    @Test
    void pixelsBeyondTheFileAreRefused() throws IOException {
        MalformedFiles.Tiff t = tiff();
        t.width = 3000;
        t.height = 3000;
        t.stored = 64;
        assertRefused(t.write(dir.resolve("short.tif")), "3000 x 3000", "bytes");
    }

    @Test
    void compressedStripThatCannotHoldTheImageIsRefused() throws IOException {
        MalformedFiles.Tiff t = tiff();
        t.compression = 8; // deflate
        t.width = 20000;
        t.height = 20000;
        t.stored = 64;
        assertRefused(t.write(dir.resolve("bomb.tif")), "20000 x 20000");
    }

    @Test
    void unsupportedCompressionIsRefused() throws IOException {
        MalformedFiles.Tiff t = tiff();
        t.compression = 34712; // JPEG 2000
        assertRefused(t.write(dir.resolve("jp2.tif")), "not a readable TIFF");
    }
}
