package org.tessera.volume.io;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Volume;
import org.tessera.volume.ij.ImagePlusVolumes;

import ij.ImagePlus;
import ij.ImageStack;
import ij.io.FileInfo;
import ij.io.FileOpener;
import ij.io.FileSaver;
import ij.io.Opener;
import ij.io.TiffDecoder;
import ij.io.TiffEncoder;
import ij.plugin.PNG_Writer;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;

/**
 * TIFF (including ImageJ hyperstacks with calibration) and PNG through ImageJ1's own codecs, with no GUI.
 *
 * <p>Reading: z slices make a 3D volume, hyperstack channels the channel axis, RGB three channels; the
 * calibration gives spacing and unit. Only single time points are supported. Writing: TIFF keeps channels,
 * slices and calibration (8-bit, 16-bit and 32-bit float; other types are stored as float); PNG holds one 2D
 * plane of 8 or 16 bits. Both are written to a temporary file and renamed into place.
 */
public final class ImageJIO {

    private ImageJIO() {}

    public static Volume read(Path file) {
        ImagePlus imp = open(file);
        if (imp.getNFrames() > 1)
            throw new InvalidInputException(file + " has " + imp.getNFrames() + " time frames (channels "
                    + imp.getNChannels() + ", slices " + imp.getNSlices() + "); Tessera reads a single time point."
                    + " Save one frame with Image > Duplicate... in Fiji, or, if the frames are really z slices, fix"
                    + " the order with Image > Hyperstacks > Re-order Hyperstack and save again.");
        return ImagePlusVolumes.wrap(imp);
    }

    public static void write(Volume volume, Path file) {
        if (StandardFormat.PNG.owns(file))
            writePng(volume, file);
        else if (StandardFormat.TIFF.owns(file))
            writeTiff(volume, file);
        else
            throw new InvalidInputException("Cannot write " + file + " with ImageJ: use a .tif, .tiff or .png name.");
    }

    /** Opens the file as ImageJ would, with every failure turned into a message naming the file. */
    static ImagePlus open(Path file) {
        if (!Files.exists(file))
            throw new InvalidInputException("Image file not found: " + file + ". Check the path and the file name.");
        if (Files.isDirectory(file))
            throw new InvalidInputException(file + " is a folder, not an image file. Give a .tif, .tiff or .png file.");
        ImagePlus imp = StandardFormat.PNG.owns(file) ? openPng(file) : openTiff(file);
        imp.setTitle(String.valueOf(file.getFileName()));
        return imp;
    }

    private static ImagePlus openTiff(Path file) {
        TiffStructure.check(file);
        Path absolute = file.toAbsolutePath();
        FileInfo[] info;
        try {
            info = new TiffDecoder(absolute.getParent() + java.io.File.separator, absolute.getFileName().toString())
                    .getTiffInfo();
        } catch (IOException | RuntimeException e) {
            throw notReadable(file, "TIFF", e.getMessage());
        }
        if (info == null || info.length == 0)
            throw notReadable(file, "TIFF", "no image found in it");
        long size = sizeOf(file);
        long needed = 0;
        for (FileInfo fi : info) {
            checkInside(file, fi, size);
            needed += (long) fi.width * fi.height * Math.max(1, fi.getBytesPerPixel()) * fi.nImages;
        }
        Memory.require(file, needed, describe(info[0]) + (info.length > 1 ? " x " + info.length + " images" : ""));
        ImagePlus imp;
        try {
            imp = info.length > 1 ? new Opener().openTiffStack(info) : new FileOpener(info[0]).openImage();
        } catch (RuntimeException e) {
            throw notReadable(file, "TIFF", e.toString());
        }
        if (imp == null || imp.getStackSize() == 0)
            throw notReadable(file, "TIFF", "ImageJ could not decode its pixels (unsupported compression or layout)");
        return imp;
    }

    /** ImageJ holds a plane in one Java array, indexed by int. */
    private static final long MAX_PLANE_PIXELS = Integer.MAX_VALUE - 8;
    /** No TIFF compression (deflate, LZW, PackBits) expands data by more than this factor. */
    private static final long MAX_COMPRESSION_RATIO = 4096;

    /**
     * Checks the header's image sizes against the file before ImageJ allocates: a plane must fit in a Java array,
     * every strip must lie inside the file, uncompressed pixels must all be there, and compressed strips must be
     * able to hold the image; ImageJ would otherwise overflow, or fill the gap with zeros.
     */
    private static void checkInside(Path file, FileInfo fi, long size) {
        if (fi.width <= 0 || fi.height <= 0 || fi.nImages <= 0)
            throw notReadable(file, "TIFF", "its header gives " + fi.width + " x " + fi.height + " pixels and "
                    + fi.nImages + " image(s)");
        long pixels = (long) fi.width * fi.height;
        if (pixels > MAX_PLANE_PIXELS)
            throw new InvalidInputException(file + " has a TIFF header claiming " + fi.width + " x " + fi.height
                    + " pixels per image, more than the " + MAX_PLANE_PIXELS + " pixels ImageJ can hold in one plane."
                    + " The header is corrupt, or split the image into tiles first.");
        long end = 0, stripBytes = 0;
        if (fi.stripOffsets != null && fi.stripLengths != null && fi.stripOffsets.length == fi.stripLengths.length
                && fi.stripOffsets.length > 0) {
            for (int i = 0; i < fi.stripOffsets.length; i++) {
                end = Math.max(end, (fi.stripOffsets[i] & 0xffffffffL) + (fi.stripLengths[i] & 0xffffffffL));
                stripBytes += fi.stripLengths[i] & 0xffffffffL;
            }
        }
        end = Math.max(end, fi.getOffset());
        long image = imageBytes(fi);
        if (fi.compression <= FileInfo.COMPRESSION_NONE)
            end = Math.max(end, fi.getOffset() + fi.nImages * image + (fi.nImages - 1) * fi.getGap());
        if (end > size)
            throw new InvalidInputException(file + " is truncated: its TIFF header places pixel data for "
                    + describe(fi) + " up to byte " + end + " but the file has " + size + " bytes. The file was"
                    + " probably cut short by an interrupted copy or download; copy it again.");
        if (fi.compression > FileInfo.COMPRESSION_NONE && stripBytes > 0
                && image > MAX_COMPRESSION_RATIO * stripBytes)
            throw new InvalidInputException(file + " has a corrupt TIFF header: it claims " + describe(fi) + " ("
                    + image + " bytes) in " + stripBytes + " bytes of compressed data, more than any TIFF"
                    + " compression can hold. Copy the file again, or save it again from the program that made it.");
    }

    /** The bytes of one image as stored uncompressed. */
    private static long imageBytes(FileInfo fi) {
        long pixels = (long) fi.width * fi.height;
        return switch (fi.fileType) {
            case FileInfo.BITMAP -> (fi.width + 7L) / 8 * fi.height;
            case FileInfo.GRAY12_UNSIGNED -> (pixels * 12 + 7) / 8;
            default -> pixels * fi.getBytesPerPixel();
        };
    }

    /** "100000 x 100000 pixels", with the image count when there are several. */
    private static String describe(FileInfo fi) {
        return fi.width + " x " + fi.height + " pixels" + (fi.nImages > 1 ? " x " + fi.nImages + " images" : "");
    }

    private static ImagePlus openPng(Path file) {
        PngStructure.check(file);
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw notReadable(file, "PNG", e.getMessage());
        }
        if (image == null)
            throw notReadable(file, "PNG", "no PNG image found in it");
        if (image.getColorModel() instanceof IndexColorModel palette && isGray(palette))
            image = grayLevels(image, palette);
        return new ImagePlus(String.valueOf(file.getFileName()), image);
    }

    /** Whether every palette entry is a gray (red = green = blue). */
    private static boolean isGray(IndexColorModel palette) {
        for (int i = 0; i < palette.getMapSize(); i++)
            if (palette.getRed(i) != palette.getGreen(i) || palette.getGreen(i) != palette.getBlue(i))
                return false;
        return true;
    }

    /**
     * A gray palette image as the gray levels every viewer shows, not its palette indices. A colour palette keeps
     * its indices (8-bit with a LUT, as Fiji opens it), which is what label masks stored as palette PNG mean.
     */
    private static BufferedImage grayLevels(BufferedImage image, IndexColorModel palette) {
        BufferedImage gray = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < image.getHeight(); y++)
            for (int x = 0; x < image.getWidth(); x++)
                gray.getRaster().setSample(x, y, 0, palette.getRed(image.getRaster().getSample(x, y, 0)));
        return gray;
    }

    static void writeTiff(Volume volume, Path file) {
        ImagePlus imp = ImagePlusVolumes.toImagePlus(volume, String.valueOf(file.getFileName()));
        FileInfo fi = imp.getFileInfo();
        ImageStack stack = imp.getStack();
        if (stack.getSize() > 1) {
            fi.nImages = stack.getSize();
            fi.pixels = stack.getImageArray();
        } else {
            fi.pixels = imp.getProcessor().getPixels();
        }
        fi.description = new FileSaver(imp).getDescriptionString();
        AtomicFiles.write(file, temporary -> {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temporary), 1 << 20)) {
                new TiffEncoder(fi).write(out);
            }
        });
    }

    static void writePng(Volume volume, Path file) {
        Object type = volume.image().getType();
        if (volume.spatialDims() != 2 || volume.channels() != 1
                || !(type instanceof UnsignedByteType || type instanceof UnsignedShortType))
            throw new InvalidInputException("Cannot write " + file + ": PNG holds one 2D plane of 8-bit or 16-bit"
                    + " unsigned values, and this volume is " + volume.spatialDims() + "D with " + volume.channels()
                    + " channel(s) of " + VolumeInfo.typeName(volume.image().getType()) + ". Write .tif (stacks,"
                    + " channels, float, calibration) or .nii.gz instead.");
        ImagePlus imp = ImagePlusVolumes.toImagePlus(volume, String.valueOf(file.getFileName()));
        AtomicFiles.write(file, temporary -> {
            try {
                new PNG_Writer().writeImage(imp, temporary.toString(), -1);
            } catch (IOException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e.getMessage(), e);
            }
        });
    }

    private static InvalidInputException notReadable(Path file, String format, String why) {
        return new InvalidInputException(file + " is not a readable " + format + " file (" + why + "). It may be"
                + " damaged or in another format; open it in Fiji to check, or give a .tif, .tiff, .png, .nii or"
                + " .nii.gz image.");
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new InvalidInputException("Could not read " + file + ": " + e.getMessage(), e);
        }
    }
}
