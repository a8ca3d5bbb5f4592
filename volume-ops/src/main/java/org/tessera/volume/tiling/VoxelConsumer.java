package org.tessera.volume.tiling;

/**
 * Receives each voxel's stitched channel values from a {@link TileAccumulator}, once, when its last tile is
 * in. Places are those of an imglib2 planar image of the volume: plane {@code slice} (z in 3D, 0 in 2D) and
 * index {@code at} inside it.
 */
interface VoxelConsumer {

    /** {@code values} holds one value per channel; the array is reused for the next voxel. */
    void accept(int slice, int at, float[] values);
}
