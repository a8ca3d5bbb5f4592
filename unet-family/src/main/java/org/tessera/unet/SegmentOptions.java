package org.tessera.unet;

import org.tessera.volume.tiling.TileGrid;
import org.tessera.volume.tiling.TileMode;

/**
 * How a pipeline cuts and runs one volume (what a {@link VolumeSegmenter} needs; the faces' wider choices
 * live in {@link org.tessera.service.SegmentationRequest}).
 *
 * @param tile          tile size per spatial axis of the model (x, y[, z]), or null for the card's preferred size
 * @param mode          Gaussian-weighted overlap (nnU-Net), halo crop, or AUTO: the pipeline chooses
 * @param batch         tiles per engine call (shrinks on out-of-memory), or {@link #AUTO_BATCH}
 * @param probabilities also return per-class probabilities (C x 4 bytes per voxel)
 * @param step          tile step as a fraction of the tile (Gaussian mode; nnU-Net uses 0.5)
 * @param attentionMaps also return the attention maps of a model whose card lists {@code attentionOutputs}
 *                      (4 bytes per voxel per gate)
 */
public record SegmentOptions(int[] tile, TileMode mode, int batch, boolean probabilities, double step,
        boolean attentionMaps) {

    /** {@code batch} for "as the engine and tile suit" ({@link #batchFor}). */
    public static final int AUTO_BATCH = 0;

    /** Input voxels per engine call that an automatic batch on the CPU stays within. */
    static final long CPU_CALL_VOXELS = 1L << 17;

    public static SegmentOptions defaults() {
        return new SegmentOptions(null, TileMode.AUTO, AUTO_BATCH, false, TileGrid.DEFAULT_STEP, false);
    }

    /**
     * The tiles per engine call for tiles of {@code tile} voxels per axis: the given batch, or when automatic, 4 on
     * a GPU and on the CPU as many as keep a call within 2^17 input voxels (1 to 4). A call's activations grow
     * with its batch and on the CPU a larger call is no faster: with 64 x 64 x 32 tiles of nuclei-3d-unet a batch
     * of 1 peaks at 420 MB RSS where 4 peak at 560 MB, at the same speed (README, Performance).
     */
    public int batchFor(int[] tile, Engine engine) {
        if (batch != AUTO_BATCH)
            return batch;
        if (!engine.device().startsWith("CPU"))
            return 4;
        long voxels = 1;
        for (int t : tile)
            voxels *= t;
        return (int) Math.max(1, Math.min(4, CPU_CALL_VOXELS / voxels));
    }

    public SegmentOptions withTile(int[] newTile) { return new SegmentOptions(newTile, mode, batch, probabilities, step, attentionMaps); }

    public SegmentOptions withMode(TileMode newMode) { return new SegmentOptions(tile, newMode, batch, probabilities, step, attentionMaps); }

    public SegmentOptions withBatch(int newBatch) { return new SegmentOptions(tile, mode, newBatch, probabilities, step, attentionMaps); }

    public SegmentOptions withProbabilities(boolean p) { return new SegmentOptions(tile, mode, batch, p, step, attentionMaps); }

    public SegmentOptions withAttentionMaps(boolean a) { return new SegmentOptions(tile, mode, batch, probabilities, step, a); }
}
