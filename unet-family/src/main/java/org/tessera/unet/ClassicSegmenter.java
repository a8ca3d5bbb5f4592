package org.tessera.unet;

import java.util.List;
import java.util.Map;

import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Progress;
import org.tessera.volume.Volume;
import org.tessera.volume.classic.ClassicSegmentation;

/**
 * A classic method ({@code classic:otsu}, ...) as a segmenter, so that it goes through the same files,
 * command line and Fiji commands as the networks. It runs on the whole image on the CPU: the tiling and batch
 * options do not apply, and there are no probabilities (asking for them is refused by {@link #check}).
 */
public final class ClassicSegmenter implements VolumeSegmenter {

    public static final String DEVICE = "CPU (classic method, 1 thread)";

    private final ClassicSegmentation segmentation;

    /**
     * @param id         e.g. "classic:kmeans"
     * @param parameters the method's key=value parameters
     * @throws InvalidInputException for an unknown method or a bad parameter, before any image is read
     */
    public ClassicSegmenter(String id, Map<String, String> parameters) {
        this.segmentation = ClassicSegmentation.configure(id, parameters);
    }

    @Override
    public String id() { return segmentation.id(); }

    @Override
    public List<String> classes() { return segmentation.classes(); }

    @Override
    public boolean instances() { return segmentation.instances(); }

    @Override
    public void check(SegmentOptions options) {
        VolumeSegmenter.super.check(options);
        if (options.probabilities())
            throw new InvalidInputException(id() + " gives labels only, no probabilities; leave out the probabilities");
    }

    @Override
    public SegmentResult segment(Volume input, SegmentOptions options, Progress progress) {
        check(options);
        if (progress.cancelled())
            throw new Progress.CancelledException();
        long start = System.nanoTime();
        progress.status(id() + " on the whole image");
        progress.fraction(0);
        ClassicSegmentation.Result r = segmentation.segment(input);
        progress.fraction(1);
        return SegmentResult.wholeImage(r.labels(), r.instances(), DEVICE, System.nanoTime() - start);
    }

    @Override
    public String toString() {
        return "ClassicSegmenter[" + id() + "]";
    }
}
