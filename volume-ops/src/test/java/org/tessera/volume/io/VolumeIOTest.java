package org.tessera.volume.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Volume;

import net.imglib2.img.Img;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.FloatType;

class VolumeIOTest {

    @TempDir
    Path dir;

    @Test
    void everyExtensionRoundTripsThroughTheEntryPoint() {
        Img<UnsignedShortType> img = TestImages.varied(new UnsignedShortType(), 9, 7);
        Volume v = Volume.of(img, 0.5, 0.5).withUnit("um");
        for (String ext : VolumeIO.EXTENSIONS) {
            Path file = dir.resolve("img" + ext.toUpperCase());
            VolumeIO.write(v, file);
            TestImages.assertSameValues(img, VolumeIO.read(file).image());
        }
    }

    @Test
    void unsupportedExtensionListsSupportedOnes() {
        Volume v = Volume.of(TestImages.varied(new UnsignedShortType(), 3, 3), 1, 1);
        for (Path file : new Path[] { dir.resolve("image.jpg"), dir.resolve("image.nii.zip"), dir.resolve("noext") }) {
            InvalidInputException w = assertThrows(InvalidInputException.class, () -> VolumeIO.write(v, file));
            assertTrue(w.getMessage().contains(file.toString()) && w.getMessage().contains(".nii.gz, .tif"), w.getMessage());
            assertThrows(InvalidInputException.class, () -> VolumeIO.read(file));
            assertFalse(Files.exists(file));
        }
    }

    @Test
    void isSupportedByName() {
        assertTrue(VolumeIO.isSupported(Path.of("a", "scan.NII.GZ")));
        assertTrue(VolumeIO.isSupported(Path.of("scan.nii")));
        assertTrue(VolumeIO.isSupported(Path.of("cells.TIFF")));
        assertTrue(VolumeIO.isSupported(Path.of("cells.tif")));
        assertTrue(VolumeIO.isSupported(Path.of("slice.png")));
        assertFalse(VolumeIO.isSupported(Path.of("notes.txt")));
        assertFalse(VolumeIO.isSupported(Path.of("scan.gz")));
        assertFalse(VolumeIO.isSupported(Path.of("nii")));
    }

    @Test
    void everyExtensionHasExactlyOneFormat() {
        for (String ext : VolumeIO.EXTENSIONS) {
            VolumeFormat format = VolumeIO.format(Path.of("a" + ext.toUpperCase()));
            assertTrue(format.extensions().contains(ext), ext);
            assertEquals(1, VolumeIO.formats().stream().filter(f -> f.owns("a" + ext)).count(), ext);
        }
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> VolumeIO.format(Path.of("a.jpg")));
        assertTrue(e.getMessage().contains("a.jpg") && e.getMessage().contains(".png"), e.getMessage());
    }

    @Test
    void extensionCountsNiiGzAsOneAndKeepsTheCase() {
        // file name, extension, stem
        String[][] names = { { "scan.nii.gz", ".nii.gz", "scan" }, { "scan.NII.GZ", ".NII.GZ", "scan" },
                { "scan.v2.nii", ".nii", "scan.v2" }, { "cells.TIF", ".TIF", "cells" }, { "archive.tar.gz", ".gz", "archive.tar" },
                { "notes.txt", ".txt", "notes" }, { "README", "", "README" }, { ".nii.gz", ".nii.gz", "" } };
        for (String[] n : names) {
            assertEquals(n[1], VolumeIO.extension(n[0]), n[0]);
            assertEquals(n[2], VolumeIO.stem(n[0]), n[0]);
            assertEquals(n[1], VolumeIO.extension(Path.of("in", n[0])), n[0]);
            assertEquals(n[2], VolumeIO.stem(Path.of("in", n[0])), n[0]);
        }
        assertEquals("", VolumeIO.extension(Path.of("/")));
        assertEquals("", VolumeIO.stem(Path.of("/")));
    }

    @Test
    void floatOutputsOfPngGoToTiff() {
        for (String ext : List.of(".png", ".PNG"))
            assertEquals(".tif", VolumeIO.floatExtension(ext));
        for (String ext : List.of(".nii", ".nii.gz", ".NII.GZ", ".tif", ".tiff", ".txt", ""))
            assertEquals(ext, VolumeIO.floatExtension(ext));
        for (VolumeFormat format : VolumeIO.formats()) {
            String ext = format.extensions().get(0);
            assertTrue(VolumeIO.format(Path.of("p" + VolumeIO.floatExtension(ext))).holdsFloats(), ext);
        }
    }

    @Test
    void floatOutputsOfEveryFormatCanBeWritten() {
        Volume probabilities = Volume.of(TestImages.varied(new FloatType(), 5, 4), 1, 1);
        for (String ext : VolumeIO.EXTENSIONS) {
            Path file = dir.resolve("p" + VolumeIO.floatExtension(ext));
            VolumeIO.write(probabilities, file);
            TestImages.assertSameValues(probabilities.image(), VolumeIO.read(file).image());
        }
    }

    @Test
    void infoFromNiftiHeaderAndFromTiff() {
        Path nii = dir.resolve("info.nii.gz");
        VolumeIO.write(Volume.withChannels(TestImages.varied(new UnsignedShortType(), 10, 8, 6, 2), 0.5, 0.5, 2)
                .withUnit("mm"), nii);
        VolumeInfo info = VolumeIO.info(nii);
        assertArrayEquals(new long[] { 10, 8, 6 }, info.shape());
        assertEquals(2, info.channels());
        assertArrayEquals(new double[] { 0.5, 0.5, 2 }, info.spacing(), 0);
        assertEquals("mm", info.unit());
        assertEquals("uint16", info.dataType());
        String text = VolumeIO.describe(nii);
        assertTrue(text.contains("10 x 8 x 6") && text.contains("uint16") && text.contains("0.5 x 0.5 x 2 mm")
                && text.contains("NIfTI-1 (gzip)"), text);

        Path tif = dir.resolve("info.tif");
        VolumeIO.write(Volume.of(TestImages.varied(new UnsignedShortType(), 4, 5, 3), 1, 1, 3), tif);
        VolumeInfo t = VolumeIO.info(tif);
        assertEquals("TIFF", t.format());
        assertArrayEquals(new long[] { 4, 5, 3 }, t.shape());
        assertEquals(1, t.channels());
    }

    @Test
    void realSpleenInfo() {
        Path spleen = TestImages.sharedData("spleen-ct-3d");
        VolumeInfo info = VolumeIO.info(spleen.resolve("image.nii.gz"));
        assertArrayEquals(new long[] { 164, 166, 26 }, info.shape());
        assertEquals("float32", info.dataType());
        assertEquals(5.0, info.spacing()[2], 1e-6);
    }
}
