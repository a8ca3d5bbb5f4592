package org.tessera.volume.tiling;

import java.util.Arrays;

import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.img.planar.PlanarImg;
import net.imglib2.img.planar.PlanarImgs;
import net.imglib2.type.numeric.real.FloatType;

/** Stores voxels' values as they come, one float per channel: x, y[, z], channel last, whole volume. */
final class ChannelImage implements VoxelConsumer {

    private final PlanarImg<FloatType, FloatArray> image;
    private final int slicesPerChannel;

    /** @param shape the volume's spatial shape, x, y[, z] */
    ChannelImage(long[] shape, int channels) {
        long[] dims = Arrays.copyOf(shape, shape.length + 1);
        dims[shape.length] = channels;
        image = PlanarImgs.floats(dims);
        slicesPerChannel = shape.length == 3 ? Math.toIntExact(shape[2]) : 1;
    }

    @Override
    public void accept(int slice, int at, float[] values) {
        for (int c = 0; c < values.length; c++)
            image.getPlane(slice + slicesPerChannel * c).getCurrentStorageArray()[at] = values[c];
    }

    @Override
    public void acceptRun(int slice, int at, float[] values, int stride, int from, int count, int channels) {
        for (int c = 0; c < channels; c++)
            System.arraycopy(values, c * stride + from, image.getPlane(slice + slicesPerChannel * c)
                    .getCurrentStorageArray(), at, count);
    }

    /** Channel c's plane of {@code slice}: x fastest. */
    float[] plane(int slice, int c) {
        return image.getPlane(slice + slicesPerChannel * c).getCurrentStorageArray();
    }

    PlanarImg<FloatType, FloatArray> image() {
        return image;
    }
}
