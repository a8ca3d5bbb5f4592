package org.tessera.volume.tiling;

/**
 * Receives each voxel's stitched channel values from a {@link TileAccumulator}, once, when its last tile is
 * in. Places are those of an imglib2 planar image of the volume: plane {@code slice} (z in 3D, 0 in 2D) and
 * index {@code at} inside it.
 */
interface VoxelConsumer {

    /** {@code values} holds one value per channel; the array is reused for the next voxel. */
    void accept(int slice, int at, float[] values);

    /**
     * {@code count} voxels at consecutive places {@code at, at + 1, ...} of plane {@code slice}: channel c of
     * the run's voxel v is {@code values[c * stride + from + v]} (a row of a channel-major block). By default
     * voxel by voxel; the consumers that store whole rows take them at once.
     */
    default void acceptRun(int slice, int at, float[] values, int stride, int from, int count, int channels) {
        float[] one = new float[channels];
        for (int v = 0; v < count; v++) {
            for (int c = 0; c < channels; c++)
                one[c] = values[c * stride + from + v];
            accept(slice, at + v, one);
        }
    }
}
