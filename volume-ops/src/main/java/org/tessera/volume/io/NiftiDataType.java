package org.tessera.volume.io;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Optional;
import java.util.function.Function;

import org.tessera.volume.InvalidInputException;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.ArrayDataAccess;
import net.imglib2.type.numeric.IntegerType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.ByteType;
import net.imglib2.type.numeric.integer.IntType;
import net.imglib2.type.numeric.integer.LongType;
import net.imglib2.type.numeric.integer.ShortType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedIntType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.DoubleType;
import net.imglib2.type.numeric.real.FloatType;

/**
 * The NIfTI voxel types Tessera reads and writes, each with its code, its imglib2 type and the codec of its
 * primitive kind: how a block of file bytes lands in the image's array, and how one voxel goes into the file.
 */
enum NiftiDataType {
    UINT8(2, "uint8", UnsignedByteType.class, ArrayImgs::unsignedBytes, Codec.BYTE),
    INT8(256, "int8", ByteType.class, ArrayImgs::bytes, Codec.BYTE),
    INT16(4, "int16", ShortType.class, ArrayImgs::shorts, Codec.SHORT),
    UINT16(512, "uint16", UnsignedShortType.class, ArrayImgs::unsignedShorts, Codec.SHORT),
    INT32(8, "int32", IntType.class, ArrayImgs::ints, Codec.INT),
    UINT32(768, "uint32", UnsignedIntType.class, ArrayImgs::unsignedInts, Codec.INT),
    INT64(1024, "int64", LongType.class, ArrayImgs::longs, Codec.LONG),
    FLOAT32(16, "float32", FloatType.class, ArrayImgs::floats, Codec.FLOAT),
    FLOAT64(64, "float64", DoubleType.class, ArrayImgs::doubles, Codec.DOUBLE);

    /** Receives {@code count} voxels, starting at voxel {@code first}, from a chunk of file bytes. */
    @FunctionalInterface
    interface BlockReader {
        void read(ByteBuffer chunk, int first, int count);
    }

    /** A freshly allocated image and the reader that fills its array. */
    record Target(RandomAccessibleInterval<? extends RealType<?>> image, BlockReader reader) {}

    /** One primitive kind: block copies into its Java array and out of an image, in the buffer's byte order. */
    private enum Codec {
        BYTE(1, (c, a, i, k) -> c.get((byte[]) a, i, k),
                (out, in, n) -> { for (int i = 0; i < n; i++) out.put((byte) integer(in.next())); }),
        SHORT(2, (c, a, i, k) -> c.asShortBuffer().get((short[]) a, i, k),
                (out, in, n) -> { for (int i = 0; i < n; i++) out.putShort((short) integer(in.next())); }),
        INT(4, (c, a, i, k) -> c.asIntBuffer().get((int[]) a, i, k),
                (out, in, n) -> { for (int i = 0; i < n; i++) out.putInt((int) integer(in.next())); }),
        LONG(8, (c, a, i, k) -> c.asLongBuffer().get((long[]) a, i, k),
                (out, in, n) -> { for (int i = 0; i < n; i++) out.putLong(integer(in.next())); }),
        FLOAT(4, (c, a, i, k) -> c.asFloatBuffer().get((float[]) a, i, k),
                (out, in, n) -> { for (int i = 0; i < n; i++) out.putFloat(in.next().getRealFloat()); }),
        DOUBLE(8, (c, a, i, k) -> c.asDoubleBuffer().get((double[]) a, i, k),
                (out, in, n) -> { for (int i = 0; i < n; i++) out.putDouble(in.next().getRealDouble()); });

        @FunctionalInterface
        interface BlockCopy {
            void copy(ByteBuffer chunk, Object array, int first, int count);
        }

        /** Each kind loops over its own block, so that a JVM writing several types keeps every loop fast. */
        @FunctionalInterface
        interface BlockWriter {
            void write(ByteBuffer out, Iterator<? extends RealType<?>> voxels, int count);
        }

        final int bytes;
        final BlockCopy copy;
        final BlockWriter writer;

        Codec(int bytes, BlockCopy copy, BlockWriter writer) {
            this.bytes = bytes;
            this.copy = copy;
            this.writer = writer;
        }

        private static long integer(RealType<?> voxel) {
            return ((IntegerType<?>) voxel).getIntegerLong();
        }
    }

    final int code;
    final int bytes;
    final String label;
    private final Class<?> imglibType;
    private final Function<long[], ArrayImg<? extends RealType<?>, ? extends ArrayDataAccess<?>>> allocator;
    private final Codec codec;

    NiftiDataType(int code, String label, Class<?> imglibType,
            Function<long[], ArrayImg<? extends RealType<?>, ? extends ArrayDataAccess<?>>> allocator, Codec codec) {
        this.code = code;
        this.bytes = codec.bytes;
        this.label = label;
        this.imglibType = imglibType;
        this.allocator = allocator;
        this.codec = codec;
    }

    /** Whether every value converts exactly to float32, which decides the type of scaled values. */
    boolean exactInFloat() {
        return this == UINT8 || this == INT8 || this == INT16 || this == UINT16 || this == FLOAT32;
    }

    Target allocate(long[] dims) {
        ArrayImg<? extends RealType<?>, ? extends ArrayDataAccess<?>> image = allocator.apply(dims);
        Object array = image.update(null).getCurrentStorageArray();
        return new Target(image, (chunk, first, count) -> codec.copy.copy(chunk, array, first, count));
    }

    /** Puts the next {@code count} voxels into {@code out}. */
    void write(ByteBuffer out, Iterator<? extends RealType<?>> voxels, int count) {
        codec.writer.write(out, voxels, count);
    }

    static String supported() {
        return "uint8, int8, int16, uint16, int32, uint32, int64, float32, float64";
    }

    static NiftiDataType of(int code, Path file) {
        for (NiftiDataType t : values())
            if (t.code == code)
                return t;
        String name = switch (code) {
            case 32 -> "complex64";
            case 128 -> "RGB24";
            case 1280 -> "uint64";
            case 1536 -> "float128";
            case 1792 -> "complex128";
            case 2048 -> "complex256";
            case 2304 -> "RGBA32";
            default -> "unknown code " + code;
        };
        throw new InvalidInputException(file + " stores voxels as " + name + "; Tessera reads " + supported()
                + ". Convert the file, e.g. with nibabel or fslmaths -odt float.");
    }

    static NiftiDataType of(RealType<?> type, Path file) {
        return matching(type).orElseThrow(() -> new InvalidInputException("Cannot write " + file
                + ": NIfTI has no voxel type for " + type.getClass().getSimpleName() + ". Convert the image to one of"
                + " UnsignedByteType, ByteType, ShortType, UnsignedShortType, IntType, UnsignedIntType, LongType,"
                + " FloatType, DoubleType."));
    }

    /** The NIfTI type of an imglib2 type, if it has one. */
    static Optional<NiftiDataType> matching(RealType<?> type) {
        for (NiftiDataType t : values())
            if (t.imglibType.isInstance(type))
                return Optional.of(t);
        return Optional.empty();
    }
}
