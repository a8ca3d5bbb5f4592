package org.tessera.volume.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Volume;
import org.tessera.volume.io.TestImages;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.NewImage;
import ij.process.ColorProcessor;
import net.imglib2.RandomAccess;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.planar.PlanarImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.IntType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

class ImagePlusVolumesTest {

    /** A hyperstack whose pixel (x, y) in channel c, slice z holds 1000 c + 100 z + 10 y + x. */
    private static ImagePlus hyperstack(int bitDepth, int w, int h, int nc, int nz) {
        ImagePlus imp = NewImage.createImage("hs", w, h, nc * nz, bitDepth, NewImage.FILL_BLACK);
        imp.setDimensions(nc, nz, 1);
        for (int c = 0; c < nc; c++)
            for (int z = 0; z < nz; z++) {
                var ip = imp.getStack().getProcessor(imp.getStackIndex(c + 1, z + 1, 1));
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        ip.putPixelValue(x, y, 1000 * c + 100 * z + 10 * y + x);
            }
        imp.getCalibration().pixelWidth = 0.5;
        imp.getCalibration().pixelHeight = 0.25;
        imp.getCalibration().pixelDepth = 2;
        imp.getCalibration().setUnit("micron");
        return imp;
    }

    @Test
    void wrapsHyperstackAxesInOrder() {
        ImagePlus imp = hyperstack(16, 5, 4, 2, 3);
        Volume v = ImagePlusVolumes.wrap(imp);
        assertArrayEquals(new long[] { 5, 4, 3 }, v.spatialShape());
        assertEquals(2, v.channels());
        assertArrayEquals(new double[] { 0.5, 0.25, 2 }, v.spacing(), 0);
        assertEquals("um", v.unit());
        assertInstanceOf(UnsignedShortType.class, v.image().getType());
        RandomAccess<? extends RealType<?>> ra = v.image().randomAccess();
        for (int c = 0; c < 2; c++)
            for (int z = 0; z < 3; z++)
                assertEquals(1000 * c + 100 * z + 10 * 3 + 4, ra.setPositionAndGet(4, 3, z, c).getRealDouble(), 0);
    }

    @Test
    void wrapSharesPixelsBothWays() {
        ImagePlus imp = hyperstack(8, 6, 5, 1, 4);
        Volume v = ImagePlusVolumes.wrap(imp);
        assertEquals(3, v.spatialDims());
        assertEquals(1, v.channels());
        // ImageJ -> Volume
        imp.getStack().getProcessor(3).set(2, 1, 77);
        RandomAccess<? extends RealType<?>> ra = v.image().randomAccess();
        assertEquals(77, ra.setPositionAndGet(2, 1, 2).getRealDouble(), 0);
        // Volume -> ImageJ
        ra.setPositionAndGet(5, 4, 3).setReal(201);
        assertEquals(201, imp.getStack().getProcessor(4).get(5, 4));
    }

    @Test
    void floatAndByteTypesAnd2D() {
        Volume f = ImagePlusVolumes.wrap(hyperstack(32, 3, 3, 1, 1));
        assertInstanceOf(FloatType.class, f.image().getType());
        assertEquals(2, f.spatialDims());
        assertArrayEquals(new double[] { 0.5, 0.25 }, f.spacing(), 0);
        Volume b = ImagePlusVolumes.wrap(hyperstack(8, 3, 3, 3, 1));
        assertInstanceOf(UnsignedByteType.class, b.image().getType());
        assertEquals(2, b.spatialDims());
        assertEquals(3, b.channels());
    }

    @Test
    void rgbBecomesThreeChannels() {
        ColorProcessor cp = new ColorProcessor(4, 2);
        cp.set(1, 1, (10 << 16) | (20 << 8) | 30);
        TestImages.assertRgbAt(ImagePlusVolumes.wrap(new ImagePlus("rgb", cp)), 1, 1, 10, 20, 30);
    }

    @Test
    void timeSeriesIsRefused() {
        ImagePlus imp = NewImage.createByteImage("movie", 4, 4, 6, NewImage.FILL_BLACK);
        imp.setDimensions(1, 2, 3);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ImagePlusVolumes.wrap(imp));
        assertTrue(e.getMessage().contains("movie") && e.getMessage().contains("3 time frames"), e.getMessage());
    }

    @Test
    void toImagePlusSharesPlanarImgArrays() {
        var img = PlanarImgs.floats(4, 3, 2, 2); // x, y, z, c
        Volume v = Volume.withChannels(img, 0.5, 0.5, 3).withUnit("mm");
        ImagePlus imp = ImagePlusVolumes.toImagePlus(v, "shared");
        assertEquals(2, imp.getNChannels());
        assertEquals(2, imp.getNSlices());
        assertEquals(1, imp.getNFrames());
        assertEquals(3, imp.getCalibration().pixelDepth, 0);
        assertEquals("mm", imp.getCalibration().getUnit());
        // Plane (z = 1, c = 0) is PlanarImg plane 1 and ImageJ stack index 3 (channel fastest).
        assertSame(img.getPlane(1).getCurrentStorageArray(), imp.getStack().getPixels(imp.getStackIndex(1, 2, 1)));
        img.randomAccess().setPositionAndGet(3, 2, 1, 1).set(9.5f);
        assertEquals(9.5f, imp.getStack().getProcessor(imp.getStackIndex(2, 2, 1)).getf(3, 2), 0);
        imp.getStack().getProcessor(imp.getStackIndex(1, 1, 1)).setf(0, 0, -4f);
        assertEquals(-4f, img.randomAccess().setPositionAndGet(0, 0, 0, 0).get(), 0);

        // And back: wrapping the ImagePlus again gives the very same arrays.
        Volume again = ImagePlusVolumes.wrap(imp);
        assertEquals(-4f, again.image().randomAccess().setPositionAndGet(0, 0, 0, 0).getRealFloat(), 0);
    }

    @Test
    void toImagePlusSharesSinglePlaneArrayImg() {
        var img = ArrayImgs.unsignedShorts(7, 5);
        ImagePlus imp = ImagePlusVolumes.toImagePlus(Volume.of(img, 1, 1), "one");
        assertSame(img.update(null).getCurrentStorageArray(), imp.getProcessor().getPixels());
        assertEquals(16, imp.getBitDepth());
    }

    @Test
    void toImagePlusCopiesOtherImages() {
        var img = ArrayImgs.ints(new int[] { 1, -2, 3, 4, 5, 6, 7, 8 }, 2, 2, 2);
        ImagePlus imp = ImagePlusVolumes.toImagePlus(Volume.of(img, 1, 1, 1), "copy");
        assertEquals(32, imp.getBitDepth());
        assertEquals(2, imp.getNSlices());
        assertEquals(-2f, imp.getStack().getProcessor(1).getf(1, 0), 0);
        assertEquals(7f, imp.getStack().getProcessor(2).getf(0, 1), 0);

        // A 3D ArrayImg has one array for all slices: copied, same values, not shared.
        var bytes = ArrayImgs.unsignedBytes(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, 2, 2, 2);
        ImagePlus b = ImagePlusVolumes.toImagePlus(Volume.of(bytes, 1, 1, 1), "bytes");
        assertEquals(8, b.getBitDepth());
        assertEquals(8, b.getStack().getProcessor(2).get(1, 1));
        assertNotSame(bytes.update(null).getCurrentStorageArray(), b.getStack().getPixels(1));

        // A view is copied as well.
        var view = Views.interval(ArrayImgs.unsignedBytes(new byte[] { 1, 2, 3, 4 }, 2, 2), new long[] { 1, 0 }, new long[] { 1, 1 });
        ImagePlus vi = ImagePlusVolumes.toImagePlus(Volume.of(view, 1, 1), "view");
        assertEquals(1, vi.getWidth());
        assertEquals(4, vi.getProcessor().get(0, 1));
        assertInstanceOf(IntType.class, img.firstElement());
    }

    @Test
    void unitNames() {
        assertEquals("um", ImagePlusVolumes.unit("µm"));
        assertEquals("um", ImagePlusVolumes.unit("micron"));
        assertEquals("", ImagePlusVolumes.unit("pixel"));
        assertEquals("nm", ImagePlusVolumes.unit("nm"));
        ImageStack s = new ImageStack(2, 2);
        s.addSlice(new ij.process.ByteProcessor(2, 2));
        assertEquals("", ImagePlusVolumes.wrap(new ImagePlus("plain", s)).unit());
    }
}
