package org.tessera.volume.tiling;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.img.basictypeaccess.array.ShortArray;
import net.imglib2.img.planar.PlanarImg;
import net.imglib2.img.planar.PlanarImgs;
import net.imglib2.type.numeric.IntegerType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;

/**
 * Turns voxels' values into labels as their {@link OutputKind} says: one byte per voxel, two beyond 256
 * labels.
 */
final class LabelDecoder implements VoxelConsumer {

    private final OutputKind kind;
    private final PlanarImg<UnsignedByteType, ByteArray> bytes;
    private final PlanarImg<UnsignedShortType, ShortArray> shorts;

    LabelDecoder(long[] shape, int channels, OutputKind kind) {
        this.kind = kind;
        boolean wide = wide(kind, channels);
        bytes = wide ? null : PlanarImgs.unsignedBytes(shape);
        shorts = wide ? PlanarImgs.unsignedShorts(shape) : null;
    }

    /** Whether the labels of {@code channels} outputs of this kind need two bytes. */
    static boolean wide(OutputKind kind, int channels) {
        return kind.labelCount(channels) > 256;
    }

    @Override
    public void accept(int slice, int at, float[] values) {
        int label = kind.label(values);
        if (bytes != null)
            bytes.getPlane(slice).getCurrentStorageArray()[at] = (byte) label;
        else
            shorts.getPlane(slice).getCurrentStorageArray()[at] = (short) label;
    }

    @Override
    public void acceptRun(int slice, int at, float[] values, int stride, int from, int count, int channels) {
        if (bytes != null) {
            byte[] plane = bytes.getPlane(slice).getCurrentStorageArray();
            for (int v = 0; v < count; v++)
                plane[at + v] = (byte) kind.label(values, stride, from + v, channels);
        } else {
            short[] plane = shorts.getPlane(slice).getCurrentStorageArray();
            for (int v = 0; v < count; v++)
                plane[at + v] = (short) kind.label(values, stride, from + v, channels);
        }
    }

    RandomAccessibleInterval<? extends IntegerType<?>> image() {
        return bytes != null ? bytes : shorts;
    }
}
