package org.tessera.service;

import java.nio.file.Path;

import org.tessera.unet.Model;
import org.tessera.unet.OrtEngine;
import org.tessera.unet.SegmentOptions;
import org.tessera.unet.SegmentResult;
import org.tessera.unet.VolumeSegmenter;
import org.tessera.volume.Progress;
import org.tessera.volume.Volume;
import org.tessera.volume.instances.InstanceParameters;
import org.tessera.volume.intensity.NonFinite;

/**
 * An opened request: the segmenter and the engine it runs on (none for a classic method). Closing it closes
 * the engine; one session serves any number of volumes and files.
 */
public final class Session implements AutoCloseable {

    private final SegmentationRequest request;
    private final Model model;
    private final VolumeSegmenter segmenter;
    private final OrtEngine engine;
    private final InstanceStep instances;

    Session(SegmentationRequest request, Model model, VolumeSegmenter segmenter, OrtEngine engine) {
        this.request = request;
        this.model = model;
        this.segmenter = segmenter;
        this.engine = engine;
        this.instances = InstanceStep.of(request, model == null ? null : model.card(), segmenter.instances());
    }

    public SegmentationRequest request() { return request; }

    public VolumeSegmenter segmenter() { return segmenter; }

    /** The model of the zoo it runs, or null for a classic method. */
    public Model model() { return model; }

    /** The network's engine, or null for a classic method. */
    public OrtEngine engine() { return engine; }

    public boolean isClassic() { return engine == null; }

    /** Whether results carry instance labels and their object table (asked for, or a method that separates objects). */
    public boolean makesInstances() { return instances != null; }

    /** The instance parameters in effect, or null without instances. */
    InstanceParameters instanceParameters() { return instances == null ? null : instances.parameters(); }

    /** Segments a volume in memory (the input is only read). */
    public SegmentResult segment(Volume input, Progress progress) {
        return segment(input, "The image", progress);
    }

    /**
     * Segments a volume in memory (the input is only read); one with NaN or infinite voxels is refused first.
     *
     * @param source what the volume is, for messages: its file, or "Image 'blobs.tif'"
     */
    public SegmentResult segment(Volume input, String source, Progress progress) {
        NonFinite.require(input, source);
        SegmentOptions asked = request.options();
        if (instances == null)
            return segmenter.segment(input, asked, progress);
        return instances.apply(input, segmenter.segment(input, instances.pipelineOptions(asked), progress), asked);
    }

    /** Segments one file into {@code outDir} unless its outputs exist (see {@link FileSegmentation}). */
    public FileSegmentation.FileResult segmentFile(Path input, Path outDir, Progress progress) {
        return FileSegmentation.segment(this, input, outDir, progress);
    }

    @Override
    public void close() {
        if (engine != null)
            engine.close();
    }

    @Override
    public String toString() {
        return "Session[" + segmenter + "]";
    }
}
