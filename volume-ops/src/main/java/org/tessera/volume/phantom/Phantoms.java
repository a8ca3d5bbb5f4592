package org.tessera.volume.phantom;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.img.basictypeaccess.array.ShortArray;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;

import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Volume;

/**
 * Synthetic fluorescence-nucleus images with exact labels, for tests and demos that must not depend on
 * real data. Deterministic: the same arguments and seed give the same voxels on every JVM
 * ({@link java.util.Random} is specified bit for bit).
 *
 * <p>Model: a dark background (about 10 on an 8-bit scale), non-overlapping ellipses (2D) or ellipsoids
 * (3D) of random size, orientation and brightness with a smooth texture; optionally a brighter round
 * nucleolus inside about half of them. Labels are rasterized from the analytic shapes (0 background,
 * 1 nucleus, 2 nucleolus); the image is then blurred slightly and given Poisson-like (signal-dependent)
 * plus read noise.
 *
 * <p>2D: {@link UnsignedByteType}, 0-255, spacing 0.5 x 0.5 um. 3D: {@link UnsignedShortType} on a 12-bit
 * scale (the 8-bit model times 16, so 0-4095), spacing 0.5 x 0.5 x 2.0 um; shapes are defined in
 * micrometres, so nuclei that are round in space are squashed in voxel z. Labels are UnsignedByteType.
 */
public final class Phantoms {

    public static final double[] SPACING_2D = { 0.5, 0.5 };
    public static final double[] SPACING_3D = { 0.5, 0.5, 2.0 };
    public static final String UNIT = "um";
    public static final List<String> CLASSES = List.of("background", "nucleus", "nucleolus");

    private static final double BACKGROUND = 10;
    private static final double READ_NOISE = 1.5;

    private Phantoms() {}

    /** One nucleus: centre and semi-axes in um, rotation in the xy plane, and an optional nucleolus. */
    public record Blob(double[] centre, double[] semiAxes, double angle, double brightness, double[] nucleolusCentre,
            double nucleolusRadius) {

        /** Class at a physical position: 0 outside, 1 in the nucleus, 2 in its nucleolus. */
        public int classAt(double[] p) {
            double dx = p[0] - centre[0], dy = p[1] - centre[1];
            double cos = Math.cos(angle), sin = Math.sin(angle);
            double u = (cos * dx + sin * dy) / semiAxes[0];
            double v = (-sin * dx + cos * dy) / semiAxes[1];
            double q = u * u + v * v;
            if (p.length == 3) {
                double w = (p[2] - centre[2]) / semiAxes[2];
                q += w * w;
            }
            if (q > 1)
                return 0;
            if (nucleolusCentre != null) {
                double r2 = 0;
                for (int d = 0; d < p.length; d++)
                    r2 += (p[d] - nucleolusCentre[d]) * (p[d] - nucleolusCentre[d]);
                if (r2 <= nucleolusRadius * nucleolusRadius)
                    return 2;
            }
            return 1;
        }
    }

    /** A phantom: image, exact labels, and the shapes they came from. */
    public record Phantom(Volume image, Volume labels, List<Blob> blobs, List<String> classes) {}

    /** A 2D phantom; {@code nucleoli} adds class 2 inside about half of the nuclei. */
    public static Phantom nuclei2D(int width, int height, int nuclei, boolean nucleoli, long seed) {
        return make(new int[] { width, height }, SPACING_2D, nuclei, nucleoli, seed);
    }

    /** A 3D phantom, anisotropic (0.5 x 0.5 x 2.0 um). */
    public static Phantom nuclei3D(int width, int height, int depth, int nuclei, boolean nucleoli, long seed) {
        return make(new int[] { width, height, depth }, SPACING_3D, nuclei, nucleoli, seed);
    }

    private static Phantom make(int[] dims, double[] spacing, int nuclei, boolean nucleoli, long seed) {
        int n = dims.length;
        long total = 1;
        for (int d = 0; d < n; d++) {
            if (dims[d] < 8)
                throw new InvalidInputException("phantom size " + dims[d] + " along " + "xyz".charAt(d) + " is too small; use 8 or more");
            total *= dims[d];
        }
        if (total > Integer.MAX_VALUE)
            throw new InvalidInputException("phantom size " + java.util.Arrays.stream(dims).mapToObj(String::valueOf)
                    .collect(java.util.stream.Collectors.joining(" x ")) + " is " + total + " voxels, too large; keep "
                    + "the product of the sizes under 2^31 (e.g. 1024 x 1024 x 512)");
        if (nuclei < 0)
            throw new InvalidInputException("number of nuclei " + nuclei + " is negative; use 0 or more");
        Random random = new Random(seed);
        List<Blob> blobs = place(dims, spacing, nuclei, nucleoli, random);

        int voxels = (int) total;
        byte[] labels = new byte[voxels];
        float[] signal = new float[voxels];
        java.util.Arrays.fill(signal, (float) BACKGROUND);
        double[] p = new double[n];
        for (Blob b : blobs) {
            // texture: a few random plane waves, fixed per nucleus
            double[][] k = new double[3][n];
            double[] phase = new double[3];
            for (int t = 0; t < 3; t++) {
                for (int d = 0; d < n; d++)
                    k[t][d] = (random.nextDouble() - 0.5) * 2.4;
                phase[t] = random.nextDouble() * 2 * Math.PI;
            }
            int[] lo = new int[n], hi = new int[n];
            double reach = Math.max(b.semiAxes()[0], b.semiAxes()[1]);
            for (int d = 0; d < n; d++) {
                double r = d < 2 ? reach : b.semiAxes()[2];
                lo[d] = Math.max(0, (int) Math.floor((b.centre()[d] - r) / spacing[d]));
                hi[d] = Math.min(dims[d] - 1, (int) Math.ceil((b.centre()[d] + r) / spacing[d]));
            }
            int zLo = n == 3 ? lo[2] : 0, zHi = n == 3 ? hi[2] : 0;
            for (int z = zLo; z <= zHi; z++)
                for (int y = lo[1]; y <= hi[1]; y++)
                    for (int x = lo[0]; x <= hi[0]; x++) {
                        // voxel centres at index * spacing
                        p[0] = x * spacing[0];
                        p[1] = y * spacing[1];
                        if (n == 3)
                            p[2] = z * spacing[2];
                        int cls = b.classAt(p);
                        if (cls == 0)
                            continue;
                        int i = (z * dims[1] + y) * dims[0] + x;
                        labels[i] = (byte) cls;
                        double texture = 0;
                        for (int t = 0; t < 3; t++) {
                            double s = phase[t];
                            for (int d = 0; d < n; d++)
                                s += k[t][d] * p[d];
                            texture += Math.sin(s);
                        }
                        double v = b.brightness() * (1 + 0.08 * texture);
                        signal[i] = (float) (cls == 2 ? Math.min(250, v * 1.6) : v);
                    }
        }

        blur(signal, dims, new double[] { 1.0, 1.0, 0.5 });
        Volume image;
        if (n == 2) {
            ArrayImg<UnsignedByteType, ByteArray> img = ArrayImgs.unsignedBytes(dims[0], dims[1]);
            byte[] out = img.update(null).getCurrentStorageArray();
            for (int i = 0; i < voxels; i++)
                out[i] = (byte) clamp(Math.round(noisy(signal[i], random)), 255);
            image = Volume.of(img, spacing).withUnit(UNIT);
        } else {
            ArrayImg<UnsignedShortType, ShortArray> img = ArrayImgs.unsignedShorts(dims[0], dims[1], dims[2]);
            short[] out = img.update(null).getCurrentStorageArray();
            for (int i = 0; i < voxels; i++)
                out[i] = (short) clamp(Math.round(16 * noisy(signal[i], random)), 4095);
            image = Volume.of(img, spacing).withUnit(UNIT);
        }
        long[] ldims = new long[n];
        for (int d = 0; d < n; d++)
            ldims[d] = dims[d];
        Volume labelVolume = Volume.of(ArrayImgs.unsignedBytes(labels, ldims), spacing).withUnit(UNIT);
        return new Phantom(image, labelVolume, Collections.unmodifiableList(blobs),
                nucleoli ? CLASSES : CLASSES.subList(0, 2));
    }

    private static List<Blob> place(int[] dims, double[] spacing, int count, boolean nucleoli, Random random) {
        int n = dims.length;
        List<Blob> blobs = new ArrayList<>();
        double[] extent = new double[n];
        for (int d = 0; d < n; d++)
            extent[d] = (dims[d] - 1) * spacing[d];
        for (int attempt = 0; attempt < 200 * count && blobs.size() < count; attempt++) {
            double[] axes = new double[n];
            double r = 2.5 + 3.5 * random.nextDouble();
            axes[0] = r * (0.85 + 0.3 * random.nextDouble());
            axes[1] = r * (0.7 + 0.3 * random.nextDouble());
            if (n == 3)
                // never thinner than one slice, or a nucleus could fall between slices
                axes[2] = Math.max(r * (0.7 + 0.3 * random.nextDouble()), spacing[2]);
            double[] centre = new double[n];
            for (int d = 0; d < n; d++)
                centre[d] = random.nextDouble() * extent[d];
            double angle = random.nextDouble() * Math.PI;
            double brightness = 70 + 110 * random.nextDouble();
            double[] nucleolus = null;
            double nr = 0;
            boolean withNucleolus = nucleoli && random.nextBoolean();
            if (withNucleolus) {
                double minAxis = Math.min(axes[0], axes[1]);
                if (n == 3)
                    minAxis = Math.min(minAxis, axes[2]);
                // a ball of radius minAxis around the centre lies inside the ellipsoid; keep the nucleolus in it
                nr = Math.max(minAxis * (0.25 + 0.1 * random.nextDouble()), 0.8);
                double off = Math.max(0, minAxis - nr) * 0.6 * random.nextDouble();
                double dir = random.nextDouble() * 2 * Math.PI;
                nucleolus = centre.clone();
                nucleolus[0] += off * Math.cos(dir);
                nucleolus[1] += off * Math.sin(dir);
            }
            if (!fits(centre, axes, blobs))
                continue;
            blobs.add(new Blob(centre, axes, angle, brightness, nucleolus, nr));
        }
        return blobs;
    }

    private static boolean fits(double[] centre, double[] axes, List<Blob> blobs) {
        double reach = max(axes);
        for (Blob b : blobs) {
            double d2 = 0;
            for (int d = 0; d < centre.length; d++)
                d2 += (centre[d] - b.centre()[d]) * (centre[d] - b.centre()[d]);
            // bounding spheres apart by 1 um, so nuclei never touch
            double min = reach + max(b.semiAxes()) + 1.0;
            if (d2 < min * min)
                return false;
        }
        return true;
    }

    private static double max(double[] a) {
        double m = a[0];
        for (double v : a)
            m = Math.max(m, v);
        return m;
    }

    /** Poisson-like: variance equal to the mean (8-bit scale), plus Gaussian read noise. */
    private static double noisy(double mean, Random random) {
        return mean + Math.sqrt(Math.max(mean, 0)) * random.nextGaussian() + READ_NOISE * random.nextGaussian();
    }

    private static long clamp(long v, int max) {
        return Math.max(0, Math.min(max, v));
    }

    /** Separable Gaussian with sigmas in voxels per axis (x, y, z), edges clamped. */
    private static void blur(float[] data, int[] dims, double[] sigma) {
        int n = dims.length;
        int stride = 1;
        for (int d = 0; d < n; d++) {
            double[] k = kernel(sigma[d]);
            int r = k.length / 2;
            int size = dims[d];
            int outer = data.length / (size * stride);
            float[] line = new float[size];
            for (int o = 0; o < outer; o++)
                for (int s = 0; s < stride; s++) {
                    int base = o * size * stride + s;
                    for (int i = 0; i < size; i++)
                        line[i] = data[base + i * stride];
                    for (int i = 0; i < size; i++) {
                        double acc = 0;
                        for (int j = -r; j <= r; j++)
                            acc += k[j + r] * line[Math.max(0, Math.min(size - 1, i + j))];
                        data[base + i * stride] = (float) acc;
                    }
                }
            stride *= size;
        }
    }

    private static double[] kernel(double sigma) {
        int r = (int) Math.ceil(3 * sigma);
        double[] k = new double[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++)
            sum += k[i + r] = Math.exp(-i * i / (2 * sigma * sigma));
        for (int i = 0; i < k.length; i++)
            k[i] /= sum;
        return k;
    }
}
