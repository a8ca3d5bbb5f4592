package org.tessera.volume.tiling;

import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.img.planar.PlanarImg;
import net.imglib2.type.numeric.real.FloatType;

/** Turns voxels' values into class probabilities as their {@link OutputKind} says, stored whole-volume. */
final class ProbabilityDecoder implements VoxelConsumer {

    private final OutputKind kind;
    private final ChannelImage image;
    private final float[] probabilities;

    ProbabilityDecoder(long[] shape, int channels, OutputKind kind) {
        this.kind = kind;
        this.image = new ChannelImage(shape, channels);
        this.probabilities = new float[channels];
    }

    @Override
    public void accept(int slice, int at, float[] values) {
        kind.probabilities(values, probabilities);
        image.accept(slice, at, probabilities);
    }

    @Override
    public void acceptRun(int slice, int at, float[] values, int stride, int from, int count, int channels) {
        float[][] planes = new float[channels][];
        for (int c = 0; c < channels; c++)
            planes[c] = image.plane(slice, c);
        for (int v = 0; v < count; v++) {
            kind.probabilities(values, stride, from + v, probabilities);
            for (int c = 0; c < channels; c++)
                planes[c][at + v] = probabilities[c];
        }
    }

    PlanarImg<FloatType, FloatArray> image() {
        return image.image();
    }
}
