package org.tessera.unet;

import org.tessera.volume.tiling.TileGrid;
import org.tessera.volume.tiling.TileMode;

/**
 * How a pipeline cuts and runs one volume (what a {@link VolumeSegmenter} needs; the faces' wider choices
 * live in {@link org.tessera.service.SegmentationRequest}).
 *
 * @param tile          tile size per spatial axis of the model (x, y[, z]), or null for the card's preferred size
 * @param mode          Gaussian-weighted overlap (nnU-Net), halo crop, or AUTO: the pipeline chooses
 * @param batch         tiles per engine call (shrinks on out-of-memory)
 * @param probabilities also return per-class probabilities (C x 4 bytes per voxel)
 * @param step          tile step as a fraction of the tile (Gaussian mode; nnU-Net uses 0.5)
 * @param attentionMaps also return the attention maps of a model whose card lists {@code attentionOutputs}
 *                      (4 bytes per voxel per gate)
 */
public record SegmentOptions(int[] tile, TileMode mode, int batch, boolean probabilities, double step,
        boolean attentionMaps) {

    public static SegmentOptions defaults() {
        return new SegmentOptions(null, TileMode.AUTO, 4, false, TileGrid.DEFAULT_STEP, false);
    }

    public SegmentOptions withTile(int[] newTile) { return new SegmentOptions(newTile, mode, batch, probabilities, step, attentionMaps); }

    public SegmentOptions withMode(TileMode newMode) { return new SegmentOptions(tile, newMode, batch, probabilities, step, attentionMaps); }

    public SegmentOptions withBatch(int newBatch) { return new SegmentOptions(tile, mode, newBatch, probabilities, step, attentionMaps); }

    public SegmentOptions withProbabilities(boolean p) { return new SegmentOptions(tile, mode, batch, p, step, attentionMaps); }

    public SegmentOptions withAttentionMaps(boolean a) { return new SegmentOptions(tile, mode, batch, probabilities, step, a); }
}
