package org.tessera.unet;

import java.util.List;

import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Progress;
import org.tessera.volume.Volume;

/**
 * Segments a volume: a network through the plain tiled pipeline ({@link Segmenter}) or a pipeline that first
 * preprocesses as the model's training did (nnU-Net bundles, in nnunet-planner), or a classic method
 * ({@link ClassicSegmenter}). Labels come back with the input's geometry.
 */
public interface VolumeSegmenter {

    /** The id it was opened by: a model's id, or a classic method's {@code classic:<name>}. */
    String id();

    /** Names of the labels 0, 1, ... */
    List<String> classes();

    /** Whether {@link SegmentResult#instances()} will hold instance labels. */
    default boolean instances() {
        return false;
    }

    /**
     * The attention outputs that {@code options} asks for: none unless {@link SegmentOptions#attentionMaps()};
     * a segmenter without attention gates refuses the option with a message naming it.
     */
    default List<String> attentionOutputs(SegmentOptions options) {
        if (!options.attentionMaps())
            return List.of();
        throw noAttentionMaps("'" + id() + "'", "");
    }

    /**
     * Refuses options this segmenter cannot honour before any image is read (the default: attention maps of a
     * segmenter without them).
     *
     * @throws InvalidInputException naming the option and what would work
     */
    default void check(SegmentOptions options) {
        attentionOutputs(options);
    }

    SegmentResult segment(Volume input, SegmentOptions options, Progress progress);

    /** The one refusal of attention maps: {@code who} has none, {@code why} says why (may be empty). */
    static InvalidInputException noAttentionMaps(String who, String why) {
        return new InvalidInputException(who + " has no attention maps" + why + ". Choose an Attention U-Net exported "
                + "with them (the shipped nuclei-2d-attention-unet and nuclei-3d-attention-unet are), or leave "
                + "attention maps off");
    }
}
