package org.tessera.service;

import java.util.function.Consumer;

import org.tessera.unet.Engine;
import org.tessera.unet.Model;
import org.tessera.unet.VolumeSegmenter;

/**
 * A pipeline for the models whose card asks for more than the plain tiled network (an nnU-Net bundle's
 * preprocessing, for one). Implementations register with {@link java.util.ServiceLoader} in
 * {@code META-INF/services/org.tessera.service.PipelineProvider}, so that a module adds a model source
 * without the faces or this module knowing it; a model no provider takes runs on the plain
 * {@link org.tessera.unet.Segmenter}.
 */
public interface PipelineProvider {

    /** Whether this provider runs the model (decided from its card). */
    boolean handles(Model model);

    /**
     * Checks what can be checked before an engine is opened (the files the card names).
     *
     * @throws org.tessera.volume.InvalidInputException naming the model, the file and what would work
     */
    void check(Model model);

    /**
     * @param engine runs the model's network (the caller closes it)
     * @param log    receives notable events
     */
    VolumeSegmenter open(Model model, Engine engine, SegmentationRequest request, Consumer<String> log);
}
