package org.tessera.volume.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.tessera.volume.io.MalformedFiles.assertRefused;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.volume.Volume;

import net.imglib2.type.numeric.integer.UnsignedShortType;

/** PNG kinds other tools write, read correctly, and damaged PNG files, refused cleanly. */
class PngBadInputTest {

    @TempDir
    Path dir;

    private Path png(BufferedImage image, String name) throws IOException {
        Path file = dir.resolve(name);
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    @Test
    void sixteenBitGrayKeepsItsValues() throws IOException {
        BufferedImage image = new BufferedImage(6, 4, BufferedImage.TYPE_USHORT_GRAY);
        image.getRaster().setSample(2, 3, 0, 60000);
        Volume v = VolumeIO.read(png(image, "gray16.png"));
        assertInstanceOf(UnsignedShortType.class, v.image().getType());
        assertEquals(60000, v.image().randomAccess().setPositionAndGet(2, 3).getRealDouble(), 0);
    }

    @Test
    void colourPaletteKeepsItsIndicesAsFijiDoes() throws IOException {
        // Label masks are stored this way (the index is the class, the palette only shows it).
        byte[] r = { 0, (byte) 250, 10 }, g = { 0, 100, 20 }, b = { 0, 5, 30 };
        BufferedImage image = new BufferedImage(5, 4, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(2, 3, r, g, b));
        image.getRaster().setSample(1, 3, 0, 1);
        image.getRaster().setSample(2, 0, 0, 2);
        Volume v = VolumeIO.read(png(image, "palette.png"));
        assertEquals(1, v.channels());
        assertEquals(1, v.image().randomAccess().setPositionAndGet(1, 3).getRealDouble(), 0);
        assertEquals(2, v.image().randomAccess().setPositionAndGet(2, 0).getRealDouble(), 0);
    }

    @Test
    void grayPaletteReadsAsGrayValues() throws IOException {
        byte[] levels = { 0, 17, (byte) 200 };
        BufferedImage image = new BufferedImage(5, 4, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(2, 3, levels, levels, levels));
        image.getRaster().setSample(4, 1, 0, 2);
        Volume v = VolumeIO.read(png(image, "graypalette.png"));
        assertEquals(1, v.channels());
        assertEquals(200, v.image().randomAccess().setPositionAndGet(4, 1).getRealDouble(), 0);
    }

    @Test
    void rgbaReadsItsColourChannels() throws IOException {
        BufferedImage image = new BufferedImage(5, 4, BufferedImage.TYPE_INT_ARGB);
        image.setRGB(3, 1, (128 << 24) | (250 << 16) | (100 << 8) | 5);
        TestImages.assertRgbAt(VolumeIO.read(png(image, "rgba.png")), 3, 1, 250, 100, 5);
    }

    @Test
    void damagedChecksumIsRefused() throws IOException {
        BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        byte[] bytes = Files.readAllBytes(png(image, "ok.png"));
        int idat = indexOf(bytes, "IDAT");
        int length = java.nio.ByteBuffer.wrap(bytes, idat - 4, 4).getInt();
        bytes[idat + 4 + length] ^= 0x55; // the chunk's CRC
        assertRefused(Files.write(dir.resolve("crc.png"), bytes), "CRC");
    }

    @Test
    void truncatedAnywhereIsRefused() throws IOException {
        BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        byte[] bytes = Files.readAllBytes(png(image, "ok.png"));
        for (int cut : new int[] { 4, 8, 20, 33, 40, bytes.length - 12, bytes.length - 1 })
            assertRefused(Files.write(dir.resolve("cut" + cut + ".png"), Arrays.copyOf(bytes, cut)), "PNG");
    }

    static int indexOf(byte[] bytes, String ascii) {
        byte[] key = ascii.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + key.length <= bytes.length; i++) {
            for (int k = 0; k < key.length; k++)
                if (bytes[i + k] != key[k])
                    continue outer;
            return i;
        }
        return -1;
    }
}
