package org.tessera.volume.ij;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Volume;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.basictypeaccess.array.ArrayDataAccess;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.img.basictypeaccess.array.ShortArray;
import net.imglib2.img.planar.PlanarImg;
import net.imglib2.type.NativeType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.util.Fraction;
import net.imglib2.view.Views;

/**
 * Converts between ImageJ1 images and {@link Volume}s, sharing the pixel arrays wherever both sides can.
 *
 * <p>ImageJ keeps one array per plane, ordered channel fastest, then slice. A {@link PlanarImg} of dimensions
 * (x, y[, z][, c]) keeps one array per plane too, ordered z fastest, then channel: the same arrays, listed in
 * another order, so neither direction copies pixels for 8-bit, 16-bit and 32-bit images.
 */
public final class ImagePlusVolumes {

    private ImagePlusVolumes() {}

    /**
     * The image as a volume without copying: 8-bit -> UnsignedByteType, 16-bit -> UnsignedShortType, 32-bit ->
     * FloatType, in a PlanarImg whose planes are the stack's arrays (writes show on both sides). RGB is copied into
     * three UnsignedByteType channels. Channels of a hyperstack become the channel axis, slices the z axis, and
     * the calibration the spacing and unit. A virtual stack is read plane by plane, so it is effectively a copy.
     */
    public static Volume wrap(ImagePlus imp) {
        String title = imp.getTitle();
        if (imp.getNFrames() > 1)
            throw new InvalidInputException("Image '" + title + "' has " + imp.getNFrames() + " time frames; Tessera"
                    + " works on a single time point. Pick one with Image > Duplicate... (frames field), or, if the"
                    + " frames are really z slices, swap them with Image > Hyperstacks > Re-order Hyperstack.");
        int bitDepth = imp.getBitDepth();
        if (bitDepth == 24 && imp.getNChannels() > 1)
            throw new InvalidInputException("Image '" + title + "' is an RGB hyperstack with " + imp.getNChannels()
                    + " channels; convert it with Image > Type > 8-bit or split the RGB channels first.");
        int nc = imp.getNChannels(), nz = imp.getNSlices();
        ImageStack stack = imp.getStack();
        List<Object> planes = new ArrayList<>(nc * nz);
        for (int c = 0; c < nc; c++)
            for (int z = 0; z < nz; z++)
                planes.add(stack.getPixels(imp.getStackIndex(c + 1, z + 1, 1)));
        long[] dims = dims(imp.getWidth(), imp.getHeight(), nz, bitDepth == 24 ? 3 : nc);
        RandomAccessibleInterval<? extends RealType<?>> img = switch (bitDepth) {
            case 8 -> bytes(planes, dims);
            case 16 -> shorts(planes, dims);
            case 32 -> floats(planes, dims);
            case 24 -> rgb(planes, dims);
            default -> throw new InvalidInputException("Image '" + title + "' has " + bitDepth + "-bit pixels;"
                    + " Tessera reads 8-bit, 16-bit, 32-bit and RGB images.");
        };
        Calibration cal = imp.getCalibration();
        double[] spacing = nz > 1 ? new double[] { positive(cal.pixelWidth), positive(cal.pixelHeight), positive(cal.pixelDepth) }
                : new double[] { positive(cal.pixelWidth), positive(cal.pixelHeight) };
        boolean channels = dims.length > spacing.length;
        Volume v = channels ? Volume.withChannels(img, spacing) : Volume.of(img, spacing);
        return v.withUnit(unit(cal.getUnit()));
    }

    /**
     * The volume as an ImagePlus titled {@code title}: a hyperstack with its channels and z slices, calibrated
     * with its spacing and unit. Shares the arrays when the image is a PlanarImg of UnsignedByteType,
     * UnsignedShortType or FloatType, or a single-plane ArrayImg of those; otherwise copies, into 8 or 16 bits
     * for those two types and into 32-bit float for every other type.
     */
    public static ImagePlus toImagePlus(Volume volume, String title) {
        long[] shape = volume.spatialShape();
        if (shape[0] * shape[1] > Integer.MAX_VALUE)
            throw new InvalidInputException("Volume '" + title + "' has " + shape[0] + " x " + shape[1] + " pixels per"
                    + " plane; ImageJ holds at most 2^31-1 per plane. Crop or downsample it first.");
        int w = (int) shape[0], h = (int) shape[1];
        int nz = shape.length > 2 ? Math.toIntExact(shape[2]) : 1, nc = volume.channels();
        List<Object> planes = sharedPlanes(volume.image(), nz * nc);
        if (planes == null)
            planes = copiedPlanes(volume.image(), w * h, nz * nc);
        ImageStack stack = new ImageStack(w, h);
        for (int z = 0; z < nz; z++)
            for (int c = 0; c < nc; c++)
                stack.addSlice(null, planes.get(z + nz * c));
        ImagePlus imp = new ImagePlus(title, stack);
        imp.setDimensions(nc, nz, 1);
        if (nc > 1)
            imp.setOpenAsHyperStack(true);
        Calibration cal = imp.getCalibration();
        double[] spacing = volume.spacing();
        cal.pixelWidth = spacing[0];
        cal.pixelHeight = spacing[1];
        cal.pixelDepth = spacing.length > 2 ? spacing[2] : 1;
        cal.setUnit(volume.unit().isEmpty() ? "pixel" : volume.unit());
        imp.resetDisplayRange();
        return imp;
    }

    /** ImageJ's spellings of micrometre become "um"; an uncalibrated "pixel" becomes "" (unknown). */
    public static String unit(String imagejUnit) {
        if (imagejUnit == null)
            return "";
        String u = imagejUnit.trim();
        return switch (u.toLowerCase(Locale.ROOT)) {
            case "", "pixel", "pixels" -> "";
            case "µm", "um", "micron", "microns", "\u03bcm" -> "um";
            default -> u;
        };
    }

    private static double positive(double value) {
        return value > 0 && Double.isFinite(value) ? value : 1;
    }

    private static long[] dims(int w, int h, int nz, int nc) {
        List<Long> d = new ArrayList<>(List.of((long) w, (long) h));
        if (nz > 1)
            d.add((long) nz);
        if (nc > 1)
            d.add((long) nc);
        return d.stream().mapToLong(Long::longValue).toArray();
    }

    private static PlanarImg<UnsignedByteType, ByteArray> bytes(List<Object> planes, long[] dims) {
        return planar(planes, dims, p -> new ByteArray((byte[]) p), UnsignedByteType::new);
    }

    private static PlanarImg<UnsignedShortType, ShortArray> shorts(List<Object> planes, long[] dims) {
        return planar(planes, dims, p -> new ShortArray((short[]) p), UnsignedShortType::new);
    }

    private static PlanarImg<FloatType, FloatArray> floats(List<Object> planes, long[] dims) {
        return planar(planes, dims, p -> new FloatArray((float[]) p), FloatType::new);
    }

    /** A PlanarImg whose planes are the given arrays, not copies, with its type linked to it. */
    private static <T extends NativeType<T>, A extends ArrayDataAccess<A>> PlanarImg<T, A> planar(List<Object> planes,
            long[] dims, Function<Object, A> access, Function<PlanarImg<T, A>, T> linkedType) {
        PlanarImg<T, A> img = new PlanarImg<>(planes.stream().map(access).toList(), dims, new Fraction());
        img.setLinkedType(linkedType.apply(img));
        return img;
    }

    /** Packed RGB has no matching imglib2 layout: copy into red, green and blue planes (channels 0, 1, 2). */
    private static PlanarImg<UnsignedByteType, ByteArray> rgb(List<Object> planes, long[] dims) {
        List<Object> split = new ArrayList<>();
        for (int shift = 16; shift >= 0; shift -= 8)
            for (Object p : planes) {
                int[] packed = (int[]) p;
                byte[] channel = new byte[packed.length];
                for (int i = 0; i < packed.length; i++)
                    channel[i] = (byte) (packed[i] >> shift);
                split.add(channel);
            }
        return bytes(split, dims);
    }

    /** The planes of the image's own arrays, in PlanarImg order, or null when they cannot be shared. */
    private static List<Object> sharedPlanes(RandomAccessibleInterval<? extends RealType<?>> image, int count) {
        Object type = image.getType();
        if (!(type instanceof UnsignedByteType || type instanceof UnsignedShortType || type instanceof FloatType))
            return null;
        List<Object> planes = new ArrayList<>(count);
        if (image instanceof PlanarImg<?, ?> planar && planar.numSlices() == count) {
            for (int i = 0; i < count; i++) {
                planes.add(planar.getPlane(i).getCurrentStorageArray());
            }
            return planes;
        }
        if (image instanceof ArrayImg<?, ?> array && count == 1) {
            planes.add(((ArrayDataAccess<?>) array.update(null)).getCurrentStorageArray());
            return planes;
        }
        return null;
    }

    private static List<Object> copiedPlanes(RandomAccessibleInterval<? extends RealType<?>> image, int planeSize, int count) {
        Object type = image.getType();
        int kind = type instanceof UnsignedByteType ? 8 : type instanceof UnsignedShortType ? 16 : 32;
        List<Object> planes = new ArrayList<>(count);
        // Flat iteration runs x, y, z, c: plane after plane in PlanarImg order.
        Cursor<? extends RealType<?>> cursor = Views.flatIterable(image).cursor();
        for (int p = 0; p < count; p++) {
            switch (kind) {
                case 8 -> {
                    byte[] a = new byte[planeSize];
                    for (int i = 0; i < planeSize; i++)
                        a[i] = (byte) ((UnsignedByteType) cursor.next()).get();
                    planes.add(a);
                }
                case 16 -> {
                    short[] a = new short[planeSize];
                    for (int i = 0; i < planeSize; i++)
                        a[i] = (short) ((UnsignedShortType) cursor.next()).get();
                    planes.add(a);
                }
                default -> {
                    float[] a = new float[planeSize];
                    for (int i = 0; i < planeSize; i++)
                        a[i] = cursor.next().getRealFloat();
                    planes.add(a);
                }
            }
        }
        return planes;
    }
}
