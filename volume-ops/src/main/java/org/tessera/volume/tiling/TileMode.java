package org.tessera.volume.tiling;

/** How tiles overlap and how their outputs are combined. */
public enum TileMode {
    /**
     * nnU-Net's sliding window: tiles overlap by about half a tile, outputs are averaged with a Gaussian
     * importance map that trusts tile centres more than tile borders.
     */
    GAUSSIAN,
    /**
     * Halo crop: tiles read their core plus a halo of context on every side, and only the core is kept.
     * Cores partition the volume, so every voxel is written exactly once.
     */
    HALO,
    /**
     * A request's choice, never a grid's: the pipeline's default for the model (a network: Gaussian tiles at the
     * step its card gives, measured to keep held-out Dice; an nnU-Net bundle: nnU-Net's own window).
     */
    AUTO
}
