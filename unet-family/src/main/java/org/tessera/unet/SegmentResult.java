package org.tessera.unet;

import java.util.List;

import org.tessera.volume.Volume;

/**
 * What a {@link VolumeSegmenter} returns for one volume.
 *
 * @param labels        labels 0..C-1 with the input's geometry
 * @param probabilities per-class probabilities (channel axis last), or null when not asked for
 * @param attention     one map per attention gate in the card's order, or empty when not asked for
 * @param tile          the tile size used, in the volume's axes (x, y[, z]); null for a method that takes the whole
 *                      image at once (then {@code tiles} and {@code batch} are 1)
 * @param engineNanos   time spent inside the engine
 * @param totalNanos    time for the whole call
 * @param instances     instance labels 1..n (0 elsewhere), or null: only segmenters that separate objects
 */
public record SegmentResult(Volume labels, Volume probabilities, List<AttentionMap> attention, int[] tile, int tiles,
        int batch, String device, long engineNanos, long totalNanos, Volume instances) {

    /** A result without instances (the networks'). */
    public SegmentResult(Volume labels, Volume probabilities, List<AttentionMap> attention, int[] tile, int tiles,
            int batch, String device, long engineNanos, long totalNanos) {
        this(labels, probabilities, attention, tile, tiles, batch, device, engineNanos, totalNanos, null);
    }

    /** The result of a method that segments the whole image at once, with no engine (a classic method). */
    public static SegmentResult wholeImage(Volume labels, Volume instances, String device, long nanos) {
        return new SegmentResult(labels, null, List.of(), null, 1, 1, device, nanos, nanos, instances);
    }
}
