package org.tessera.unet;

import java.util.List;

import org.tessera.volume.Volume;
import org.tessera.volume.instances.ObjectTable;

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
 * @param instances     instance labels 1..n (0 elsewhere), or null: asked for, or a method that separates objects
 * @param objects       one row per instance, or null when there are no instances
 */
public record SegmentResult(Volume labels, Volume probabilities, List<AttentionMap> attention, int[] tile, int tiles,
        int batch, String device, long engineNanos, long totalNanos, Volume instances, ObjectTable objects) {

    /** A result without instances (what a network's pipeline returns). */
    public SegmentResult(Volume labels, Volume probabilities, List<AttentionMap> attention, int[] tile, int tiles,
            int batch, String device, long engineNanos, long totalNanos) {
        this(labels, probabilities, attention, tile, tiles, batch, device, engineNanos, totalNanos, null, null);
    }

    /** The result of a method that segments the whole image at once, with no engine (a classic method). */
    public static SegmentResult wholeImage(Volume labels, Volume instances, String device, long nanos) {
        return new SegmentResult(labels, null, List.of(), null, 1, 1, device, nanos, nanos, instances, null);
    }

    /** This result with its objects, and with the probabilities only when they were asked for. */
    public SegmentResult withInstances(Volume newInstances, ObjectTable newObjects, boolean keepProbabilities) {
        return new SegmentResult(labels, keepProbabilities ? probabilities : null, attention, tile, tiles, batch, device,
                engineNanos, totalNanos, newInstances, newObjects);
    }
}
