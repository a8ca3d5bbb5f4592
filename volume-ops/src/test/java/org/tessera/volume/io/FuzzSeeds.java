package org.tessera.volume.io;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Volume;

import net.imglib2.type.numeric.integer.ShortType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.DoubleType;
import net.imglib2.type.numeric.real.FloatType;

/**
 * Writes the seed files of the fuzz tests ({@code src/test/resources/org/tessera/volume/io/<Test>Inputs/<method>/}):
 * small valid files made by Tessera's own writers, and a few damaged ones. Runs only when asked:
 * {@code mvn -o -pl volume-ops verify -Dtest=FuzzSeeds -Dtessera.writeSeeds=true}. Findings of fuzzing runs are
 * added to the same folders by Jazzer (named {@code crash-...}) and kept as regression inputs.
 */
@EnabledIfSystemProperty(named = "tessera.writeSeeds", matches = "true")
class FuzzSeeds {

    @TempDir
    Path dir;

    private static Path inputs(String testClass, String method) throws IOException {
        Path root = Path.of(System.getProperty("tessera.root"), "volume-ops/src/test/resources/org/tessera/volume/io");
        return Files.createDirectories(root.resolve(testClass + "Inputs").resolve(method));
    }

    private byte[] written(Volume volume, String name) throws IOException {
        Path file = dir.resolve(name);
        VolumeIO.write(volume, file);
        return Files.readAllBytes(file);
    }

    /** Writes a seed and holds it to the readers' contract: it is read, or refused with a message naming it. */
    private static void seed(Path folder, String name, byte[] bytes) throws IOException {
        Path file = folder.resolve(name);
        Files.write(file, bytes);
        try {
            if (name.endsWith(".npy"))
                Npy.read(file);
            else
                VolumeIO.read(file);
        } catch (InvalidInputException e) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(name), name + ": " + e.getMessage());
        }
    }

    @Test
    void npy() throws IOException {
        Path folder = inputs("NpyFuzzTest", "npyFile");
        float[] f = { 0, 1.5f, -2, 3, 4, 5 };
        Path file = dir.resolve("a.npy");
        Npy.write(file, Npy.Array.of(f, 2, 3));
        byte[] f32 = Files.readAllBytes(file);
        seed(folder, "float32-2x3.npy", f32);
        Npy.write(file, Npy.Array.of(new int[] { 1, 2, 3, 4 }, 4), ByteOrder.BIG_ENDIAN, true, 2);
        seed(folder, "int32-big-fortran-v2.npy", Files.readAllBytes(file));
        Npy.write(file, Npy.Array.of(new double[] { 7 }));
        seed(folder, "float64-scalar.npy", Files.readAllBytes(file));
        seed(folder, "truncated-data.npy", Arrays.copyOf(f32, f32.length - 3));
        seed(folder, "truncated-header.npy", Arrays.copyOf(f32, 20));
    }

    @Test
    void nifti() throws IOException {
        byte[] u8 = written(Volume.of(TestImages.varied(new UnsignedByteType(), 3, 2), 0.5, 0.5), "u8.nii");
        byte[] i16 = written(Volume.of(TestImages.varied(new ShortType(), 4, 3, 2), 1, 1, 2.5).withUnit("mm"), "i16.nii");
        byte[] f32 = written(Volume.withChannels(TestImages.varied(new FloatType(), 3, 2, 2, 2), 1, 1, 1), "f32.nii");
        byte[] f64 = written(Volume.of(TestImages.varied(new DoubleType(), 2, 2, 2), 0.8, 0.8, 1.75).withUnit("um"), "f64.nii");
        // scl_slope 2, scl_inter -1: read as scaled float32.
        byte[] scaled = u8.clone();
        ByteBuffer s = ByteBuffer.wrap(scaled).order(ByteOrder.LITTLE_ENDIAN);
        NiftiField.SCL_SLOPE.putReal(s, NiftiVersion.ONE, 0, 2);
        NiftiField.SCL_INTER.putReal(s, NiftiVersion.ONE, 0, -1);
        byte[] nifti2 = nifti2();
        byte[][] plain = { u8, i16, f32, f64, scaled, nifti2 };
        String[] names = { "uint8-2d", "int16-3d", "float32-channels", "float64-3d", "uint8-scaled", "nifti2-uint8" };
        Path file = inputs("NiftiFuzzTest", "niftiFile"), content = inputs("NiftiFuzzTest", "niftiGzipContent");
        for (int i = 0; i < plain.length; i++) {
            seed(file, names[i] + ".nii", plain[i]);
            seed(content, names[i] + ".nii", plain[i]);
        }
        seed(file, "int16-3d.nii.gz", written(Volume.of(TestImages.varied(new ShortType(), 4, 3, 2), 1, 1, 2.5), "i16.nii.gz"));
        seed(file, "truncated-data.nii", Arrays.copyOf(i16, i16.length - 5));
        byte[] dims = i16.clone();
        NiftiField.DIM.putInteger(ByteBuffer.wrap(dims).order(ByteOrder.LITTLE_ENDIAN), NiftiVersion.ONE, 0, 9);
        seed(file, "bad-dim0.nii", dims);
        seed(content, "truncated-header.nii", Arrays.copyOf(u8, 200));
    }

    /** A NIfTI-2 file of 4 x 1 uint8 voxels: the header Tessera writes for a 32768-wide image, narrowed. */
    private static byte[] nifti2() {
        Volume wide = Volume.of(TestImages.varied(new UnsignedByteType(), 32768, 1), 1, 1);
        byte[] header = NiftiHeader.encode(wide, NiftiDataType.of(wide.image().getType(), Path.of("wide.nii")));
        NiftiField.DIM.putInteger(ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN), NiftiVersion.TWO, 1, 4);
        byte[] file = Arrays.copyOf(header, header.length + 4);
        for (int i = 0; i < 4; i++)
            file[header.length + i] = (byte) (i * 60);
        return file;
    }

    @Test
    void tiff() throws IOException {
        byte[] u8 = written(Volume.of(TestImages.varied(new UnsignedByteType(), 5, 4), 1, 1), "u8.tif");
        byte[] u16 = written(Volume.of(TestImages.varied(new UnsignedShortType(), 4, 3, 3), 0.8, 0.8, 1.75).withUnit("um"), "u16.tif");
        byte[] f32 = written(Volume.withChannels(TestImages.varied(new FloatType(), 3, 2, 2, 2), 0.5, 0.5, 2).withUnit("mm"), "f32.tif");
        MalformedFiles.Tiff pages = new MalformedFiles.Tiff();
        pages.width = 4;
        pages.height = 2;
        pages.pages = 2;
        MalformedFiles.Tiff loop = new MalformedFiles.Tiff();
        loop.width = 4;
        loop.height = 2;
        loop.lastNext = loop.ifd(0);
        MalformedFiles.Tiff deflate = new MalformedFiles.Tiff();
        deflate.width = 4;
        deflate.height = 2;
        deflate.compression = 8;
        for (String method : new String[] { "tiffStructure", "tiffFile" }) {
            Path folder = inputs("TiffFuzzTest", method);
            seed(folder, "uint8-2d.tif", u8);
            seed(folder, "uint16-stack.tif", u16);
            seed(folder, "float32-hyperstack.tif", f32);
            seed(folder, "two-pages.tif", pages.bytes());
            seed(folder, "ifd-loop.tif", loop.bytes());
            seed(folder, "deflate-garbage.tif", deflate.bytes());
        }
    }

    @Test
    void png() throws IOException {
        byte[] u8 = written(Volume.of(TestImages.varied(new UnsignedByteType(), 5, 4), 1, 1), "u8.png");
        byte[] u16 = written(Volume.of(TestImages.varied(new UnsignedShortType(), 4, 3), 1, 1), "u16.png");
        byte[] r = { 0, (byte) 250, 10 }, g = { 0, 100, 20 }, b = { 0, 5, 30 };
        BufferedImage palette = new BufferedImage(4, 3, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(2, 3, r, g, b));
        palette.getRaster().setSample(1, 2, 0, 1);
        byte[] levels = { 0, 17, (byte) 200 };
        BufferedImage grayPalette = new BufferedImage(4, 3, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(2, 3, levels, levels, levels));
        grayPalette.getRaster().setSample(2, 1, 0, 2);
        BufferedImage rgb = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(1, 1, 0x336699);
        byte[] noEnd = Arrays.copyOf(u8, u8.length - 12);
        byte[] badCrc = u8.clone();
        badCrc[30] ^= 0x55; // inside IHDR's CRC
        for (String method : new String[] { "pngStructure", "pngFile" }) {
            Path folder = inputs("PngFuzzTest", method);
            seed(folder, "uint8.png", u8);
            seed(folder, "uint16.png", u16);
            seed(folder, "colour-palette.png", encoded(palette));
            seed(folder, "gray-palette.png", encoded(grayPalette));
            seed(folder, "rgb.png", encoded(rgb));
            seed(folder, "no-iend.png", noEnd);
            seed(folder, "bad-crc.png", badCrc);
        }
    }

    private static byte[] encoded(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
