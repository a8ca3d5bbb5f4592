package org.tessera.volume.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;
import org.tessera.volume.Volume;

import net.imglib2.Cursor;
import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.converter.Converters;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgFactory;
import net.imglib2.type.NativeType;
import net.imglib2.type.numeric.IntegerType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.LongType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

/** Images with varied values (both extremes of integer types included) and exact comparison. */
public final class TestImages {

    private TestImages() {}

    public static <T extends NativeType<T> & RealType<T>> Img<T> varied(T type, long... dims) {
        Img<T> img = new ArrayImgFactory<>(type).create(dims);
        fill(img);
        return img;
    }

    private static void fill(Img<? extends RealType<?>> img) {
        long n = img.size();
        Cursor<? extends RealType<?>> c = Views.flatIterable(img).cursor();
        for (long i = 0; c.hasNext(); i++) {
            RealType<?> t = c.next();
            if (t instanceof IntegerType<?> it) {
                long min = (long) t.getMinValue(), max = (long) t.getMaxValue();
                if (t instanceof LongType)
                    it.setInteger(i == 0 ? Long.MIN_VALUE : i == n - 1 ? Long.MAX_VALUE : (i - n / 2) * 1_000_000_007L);
                else
                    it.setInteger(i == 0 ? min : i == n - 1 ? max : min + Math.floorMod(i * 7919L + 13, max - min + 1));
            } else {
                t.setReal(i == 0 ? -1.5e30 : (i - n / 2) * 0.37 + 1e-3 * (i % 7));
            }
        }
    }

    /** For parameterized tests that hold the type as a plain RealType. */
    @SuppressWarnings({ "rawtypes", "unchecked" })
    public static Img<? extends RealType<?>> variedOf(RealType<?> type, long... dims) {
        Img img = new ArrayImgFactory((NativeType) type).create(dims);
        fill(img);
        return img;
    }

    /** Same type class and bit-identical values in flat (x fastest) order. */
    public static void assertSameValues(RandomAccessibleInterval<? extends RealType<?>> expected,
            RandomAccessibleInterval<? extends RealType<?>> actual) {
        assertEquals(expected.getType().getClass(), actual.getType().getClass(), "voxel type");
        assertEquals(java.util.Arrays.toString(expected.dimensionsAsLongArray()),
                java.util.Arrays.toString(actual.dimensionsAsLongArray()), "dimensions");
        Cursor<? extends RealType<?>> e = Views.flatIterable(expected).cursor();
        Cursor<? extends RealType<?>> a = Views.flatIterable(actual).cursor();
        for (long i = 0; e.hasNext(); i++) {
            RealType<?> x = e.next(), y = a.next();
            if (x instanceof IntegerType<?> xi)
                assertEquals(xi.getIntegerLong(), ((IntegerType<?>) y).getIntegerLong(), "voxel " + i);
            else
                assertEquals(x.getRealDouble(), y.getRealDouble(), 0, "voxel " + i);
        }
    }

    /**
     * A varied float image that throws part-way through being read (at the first value above {@code limit}), as
     * a failing computation or a full disk would.
     */
    public static RandomAccessibleInterval<FloatType> failingAbove(float limit, long... dims) {
        RandomAccessibleInterval<FloatType> source = varied(new FloatType(), dims);
        return Converters.convert(source, (in, out) -> {
            if (in.get() > limit)
                throw new IllegalStateException("computation failed");
            out.set(in);
        }, new FloatType());
    }

    /** The volume holds red, green and blue as three channels, with these values at (x, y). */
    public static void assertRgbAt(Volume v, long x, long y, int red, int green, int blue) {
        assertEquals(3, v.channels());
        RandomAccess<? extends RealType<?>> ra = v.image().randomAccess();
        assertEquals(red, ra.setPositionAndGet(x, y, 0).getRealDouble(), 0);
        assertEquals(green, ra.setPositionAndGet(x, y, 1).getRealDouble(), 0);
        assertEquals(blue, ra.setPositionAndGet(x, y, 2).getRealDouble(), 0);
    }

    /** The shared real data folder, or skip when this checkout has none beside it. */
    public static Path sharedData(String sub) {
        String root = System.getProperty("tessera.shared.data");
        Assumptions.assumeTrue(root != null && !root.isEmpty(),
                "Skipped: system property tessera.shared.data is not set (run through Maven)");
        Path dir = Path.of(root).resolve(sub);
        Assumptions.assumeTrue(Files.isDirectory(dir), "Skipped: real data folder " + dir + " is absent");
        return dir;
    }
}
