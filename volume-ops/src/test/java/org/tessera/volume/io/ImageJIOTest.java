package org.tessera.volume.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Volume;

import ij.ImagePlus;
import ij.gui.NewImage;
import ij.io.FileSaver;
import net.imglib2.RandomAccess;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.IntType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.FloatType;

class ImageJIOTest {

    @TempDir
    Path dir;

    @Test
    void tiffStackRoundTripsWithCalibration() {
        Img<UnsignedByteType> img = TestImages.varied(new UnsignedByteType(), 12, 9, 5);
        Path file = dir.resolve("stack.tif");
        ImageJIO.write(Volume.of(img, 0.8, 0.8, 1.75).withUnit("um"), file);
        Volume back = ImageJIO.read(file);
        assertEquals(3, back.spatialDims());
        assertFalse(back.hasChannelAxis());
        TestImages.assertSameValues(img, back.image());
        assertArrayEquals(new double[] { 0.8, 0.8, 1.75 }, back.spacing(), 1e-9);
        assertEquals("um", back.unit());
    }

    @Test
    void tiffHyperstackKeepsChannels() {
        Img<FloatType> img = TestImages.varied(new FloatType(), 7, 6, 3, 2);
        Path file = dir.resolve("hyper.tiff");
        ImageJIO.write(Volume.withChannels(img, 0.5, 0.25, 4).withUnit("mm"), file);
        Volume back = ImageJIO.read(file);
        assertEquals(2, back.channels());
        assertArrayEquals(new long[] { 7, 6, 3 }, back.spatialShape());
        TestImages.assertSameValues(img, back.image());
        assertArrayEquals(new double[] { 0.5, 0.25, 4 }, back.spacing(), 1e-9);
        assertEquals("mm", back.unit());
    }

    @Test
    void tiff16Bit2DAndOtherTypesAsFloat() {
        Img<UnsignedShortType> shorts = TestImages.varied(new UnsignedShortType(), 10, 3);
        ImageJIO.write(Volume.of(shorts, 1, 1), dir.resolve("s.tif"));
        Volume s = ImageJIO.read(dir.resolve("s.tif"));
        assertEquals(2, s.spatialDims());
        TestImages.assertSameValues(shorts, s.image());

        var ints = ArrayImgs.ints(new int[] { -5, 0, 70000, 3 }, 2, 2);
        ImageJIO.write(Volume.of(ints, 1, 1), dir.resolve("i.tif"));
        Volume i = ImageJIO.read(dir.resolve("i.tif"));
        assertInstanceOf(FloatType.class, i.image().getType());
        RandomAccess<? extends RealType<?>> ra = i.image().randomAccess();
        assertEquals(-5, ra.setPositionAndGet(0, 0).getRealDouble(), 0);
        assertEquals(70000, ra.setPositionAndGet(0, 1).getRealDouble(), 0);
        assertInstanceOf(IntType.class, ints.firstElement());
    }

    @Test
    void pngRoundTrips8And16Bit() {
        Img<UnsignedByteType> b = TestImages.varied(new UnsignedByteType(), 17, 11);
        ImageJIO.write(Volume.of(b, 1, 1), dir.resolve("b.png"));
        TestImages.assertSameValues(b, ImageJIO.read(dir.resolve("b.png")).image());
        Img<UnsignedShortType> s = TestImages.varied(new UnsignedShortType(), 17, 11);
        ImageJIO.write(Volume.of(s, 1, 1), dir.resolve("s.png"));
        TestImages.assertSameValues(s, ImageJIO.read(dir.resolve("s.png")).image());
    }

    @Test
    void pngWrittenByOtherToolsReads() throws IOException {
        BufferedImage gray = new BufferedImage(5, 4, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(3, 2, 0, 200);
        ImageIO.write(gray, "png", dir.resolve("gray.png").toFile());
        Volume g = ImageJIO.read(dir.resolve("gray.png"));
        assertEquals(1, g.channels());
        assertInstanceOf(UnsignedByteType.class, g.image().getType());
        assertEquals(200, g.image().randomAccess().setPositionAndGet(3, 2).getRealDouble(), 0);

        BufferedImage rgb = new BufferedImage(5, 4, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(1, 3, (250 << 16) | (100 << 8) | 5);
        ImageIO.write(rgb, "png", dir.resolve("rgb.png").toFile());
        TestImages.assertRgbAt(ImageJIO.read(dir.resolve("rgb.png")), 1, 3, 250, 100, 5);
    }

    @Test
    void pngRefusesWhatItCannotHold() {
        for (Volume v : List.of(Volume.of(ArrayImgs.unsignedBytes(4, 4, 2), 1, 1, 1),
                Volume.of(ArrayImgs.floats(4, 4), 1, 1), Volume.withChannels(ArrayImgs.unsignedBytes(4, 4, 3), 1, 1))) {
            Path file = dir.resolve("no.png");
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> ImageJIO.write(v, file));
            assertTrue(e.getMessage().contains(".tif") && e.getMessage().contains("no.png"), e.getMessage());
            assertFalse(Files.exists(file));
        }
    }

    @Test
    void timeSeriesTiffIsRefused() {
        ImagePlus movie = NewImage.createByteImage("movie", 4, 4, 6, NewImage.FILL_RAMP);
        movie.setDimensions(1, 2, 3);
        movie.setOpenAsHyperStack(true);
        Path file = dir.resolve("movie.tif");
        assertTrue(new FileSaver(movie).saveAsTiff(file.toString()));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ImageJIO.read(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("3 time frames"), e.getMessage());
    }

    @Test
    void tiffWrittenByImageJItselfReads() {
        ImagePlus imp = NewImage.createShortImage("imagej", 8, 6, 4, NewImage.FILL_RAMP);
        imp.getCalibration().pixelWidth = 0.3;
        imp.getCalibration().pixelHeight = 0.3;
        imp.getCalibration().pixelDepth = 1.2;
        imp.getCalibration().setUnit("µm");
        Path file = dir.resolve("imagej.tif");
        assertTrue(new FileSaver(imp).saveAsTiffStack(file.toString()));
        Volume v = ImageJIO.read(file);
        assertArrayEquals(new long[] { 8, 6, 4 }, v.spatialShape());
        assertArrayEquals(new double[] { 0.3, 0.3, 1.2 }, v.spacing(), 1e-6, "TIFF stores resolution as a rational");
        assertEquals("um", v.unit());
        assertEquals(imp.getStack().getProcessor(3).get(5, 2),
                v.image().randomAccess().setPositionAndGet(5, 2, 2).getRealDouble(), 0);
    }

    private InvalidInputException assertRefused(Path file, String hint) throws IOException {
        byte[] before = Files.isRegularFile(file) ? Files.readAllBytes(file) : null;
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ImageJIO.read(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(hint), "'" + hint + "' missing from: " + e.getMessage());
        if (before != null)
            assertArrayEquals(before, Files.readAllBytes(file));
        return e;
    }

    @Test
    void corruptAndTruncatedFiles() throws IOException {
        Path garbage = dir.resolve("garbage.tif");
        Files.writeString(garbage, "not an image at all, just text\n".repeat(10));
        assertRefused(garbage, "not a readable TIFF");

        Path stack = dir.resolve("cut.tif");
        ImageJIO.write(Volume.of(TestImages.varied(new UnsignedShortType(), 64, 64, 8), 1, 1, 1), stack);
        byte[] bytes = Files.readAllBytes(stack);
        Files.write(stack, Arrays.copyOf(bytes, bytes.length / 2));
        assertRefused(stack, "truncated");

        Path headerOnly = dir.resolve("stub.tif");
        Files.write(headerOnly, Arrays.copyOf(bytes, 12));
        assertRefused(headerOnly, "TIFF");

        Path png = dir.resolve("cut.png");
        ImageJIO.write(Volume.of(TestImages.varied(new UnsignedByteType(), 64, 64), 1, 1), png);
        byte[] p = Files.readAllBytes(png);
        Files.write(png, Arrays.copyOf(p, p.length / 2));
        assertRefused(png, "PNG");

        Path fakePng = dir.resolve("fake.png");
        Files.writeString(fakePng, "hello");
        assertRefused(fakePng, "PNG");

        assertRefused(dir.resolve("missing.tif"), "not found");
    }

    @Test
    void failedTiffWriteLeavesNothing() throws IOException {
        var failing = TestImages.failingAbove(100, 32, 32, 4);
        Path file = dir.resolve("fail.tif");
        assertThrows(IllegalStateException.class, () -> ImageJIO.write(Volume.of(failing, 1, 1, 1), file));
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.findAny().isEmpty());
        }
    }

    @Test
    void realNuclei3dStacksAre3D() throws IOException {
        Path nuclei = TestImages.sharedData("nuclei-3d");
        List<Path> tiffs;
        try (Stream<Path> s = Files.walk(nuclei)) {
            tiffs = s.filter(p -> p.toString().endsWith(".tif")).sorted().toList();
        }
        assertEquals(6, tiffs.size(), tiffs.toString());
        for (Path f : tiffs) {
            Volume v = ImageJIO.read(f);
            assertArrayEquals(new long[] { 122, 120, 51 }, v.spatialShape(), f.toString());
            assertFalse(v.hasChannelAxis(), f.toString());
        }
        Volume image = ImageJIO.read(nuclei.resolve("images/8_cell_stage.tif"));
        assertInstanceOf(UnsignedShortType.class, image.image().getType());
        double max = 0;
        for (RealType<?> t : net.imglib2.view.Views.flatIterable(image.image()))
            max = Math.max(max, t.getRealDouble());
        assertEquals(4171, max, 0, "maximum recorded in the file's ImageJ metadata");
    }

    @Test
    void realEmPngIs2D() {
        Path em = TestImages.sharedData("em-membranes-2d");
        Path png;
        try (Stream<Path> s = Files.walk(em)) {
            png = s.filter(p -> p.toString().endsWith(".png")).sorted().findFirst().orElseThrow();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        Volume v = ImageJIO.read(png);
        assertArrayEquals(new long[] { 512, 512 }, v.spatialShape(), png.toString());
        assertEquals(1, v.channels());
        assertInstanceOf(UnsignedByteType.class, v.image().getType());
    }
}
