package org.tessera.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.tessera.service.SegmentationRequest;
import org.tessera.service.Session;
import org.tessera.unet.Model;
import org.tessera.unet.OrtEngine;
import org.tessera.unet.SegmentOptions;
import org.tessera.unet.SegmentResult;
import org.tessera.unet.ResamplingSegmenter;
import org.tessera.unet.Segmenter;
import org.tessera.unet.VolumeSegmenter;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Progress;
import org.tessera.volume.Volume;
import org.tessera.volume.intensity.NonFinite;
import org.tessera.volume.io.VolumeIO;
import org.tessera.volume.phantom.Phantoms;
import org.tessera.volume.tiling.TileSizes;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false, description = {
        "Time the engine alone on the tiles of a volume, and the whole pipeline (normalize, tile, run, stitch) on the "
                + "same volume, alternating the two in one run; print both medians and their ratio." })
final class BenchCommand extends Subcommand {

    @Option(names = { "-m", "--model" }, required = true, paramLabel = "ID")
    String modelId;

    @Option(names = { "-i", "--input" }, paramLabel = "FILE",
            description = "Image to use. Default: a generated phantom of --size.")
    Path input;

    @Option(names = "--size", split = ",", paramLabel = "X,Y[,Z]",
            description = "Phantom size. Default: 1024,1024 for 2D models, 192,192,48 for 3D models.")
    int[] size;

    @Option(names = "--repeats", defaultValue = "5", paramLabel = "N", description = "Timed runs of each (after one warm-up).")
    int repeats;

    @Mixin
    TilingOptions tiling;

    @Mixin
    ModelOptions modelOptions;

    @Override
    public Integer call() {
        PrintWriter out = out();
        if (repeats < 1)
            throw new InvalidInputException("--repeats must be at least 1");
        if (org.tessera.volume.classic.ClassicMethods.isClassic(modelId))
            throw new InvalidInputException(modelId + " is a classic method; bench times the networks' tiled pipeline. "
                    + "'tessera segment' prints the seconds a classic method takes per image");
        SegmentationRequest request = modelOptions.apply(tiling.apply(SegmentationRequest.builder(modelId))).build();
        try (Session session = modelOptions.service().open(request, null)) {
            VolumeSegmenter pipeline = session.segmenter();
            if (pipeline instanceof ResamplingSegmenter resampling)
                pipeline = resampling.network(); // the engine's share is timed at the image's own spacing
            if (!(pipeline instanceof Segmenter segmenter))
                throw new InvalidInputException("Model '" + modelId + "' is an nnU-Net bundle; bench times the plain "
                        + "tiled pipeline only. Time a bundle with 'tessera segment' (it prints the seconds per image)");
            Model model = segmenter.model();
            OrtEngine engine = session.engine();
            Volume volume = input != null ? VolumeIO.read(input) : phantom(model.card().dimensionality());
            if (input != null) // the bench runs the segmenter itself, past the session's check
                NonFinite.require(volume, input.toString());
            SegmentOptions options = request.options();
            List<Segmenter.Batch> batches = segmenter.batches(volume, options);
            SegmentResult warm = segmenter.segment(volume, options, Progress.NONE);
            runEngine(engine, batches);
            double[] engineTimes = new double[repeats], pipelineTimes = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                long t = System.nanoTime();
                runEngine(engine, batches);
                engineTimes[r] = (System.nanoTime() - t) / 1e6;
                t = System.nanoTime();
                segmenter.segment(volume, options, Progress.NONE);
                pipelineTimes[r] = (System.nanoTime() - t) / 1e6;
            }
            double e = median(engineTimes), p = median(pipelineTimes);
            out.printf(Locale.ROOT, "model %s on %s; volume %s; %d %s tiles of %s in batches of %d; %d runs each%n",
                    model.id(), engine.device(), Arrays.toString(volume.spatialShape()), warm.tiles(),
                    segmenter.grid(volume, options).mode().name().toLowerCase(Locale.ROOT),
                    TileSizes.format(warm.tile(), "x"), warm.batch(), repeats);
            out.printf(Locale.ROOT, "engine alone:   median %.1f ms (%.2f ms per tile)%n", e, e / warm.tiles());
            out.printf(Locale.ROOT, "whole pipeline: median %.1f ms (%.2f ms per tile)%n", p, p / warm.tiles());
            out.printf(Locale.ROOT, "pipeline / engine: %.3f%n", p / e);
        }
        return ExitCodes.OK;
    }

    private static void runEngine(OrtEngine engine, List<Segmenter.Batch> batches) {
        for (Segmenter.Batch b : batches)
            engine.run(b.data().duplicate(), b.shape());
    }

    private Volume phantom(int dims) {
        int[] s = size != null ? size : dims == 2 ? new int[] { 1024, 1024 } : new int[] { 192, 192, 48 };
        if (s.length == 2)
            return Phantoms.nuclei2D(s[0], s[1], Math.max(1, s[0] * s[1] / 4000), false, 1).image();
        if (s.length == 3)
            return Phantoms.nuclei3D(s[0], s[1], s[2], Math.max(1, s[0] * s[1] / 3000), false, 1).image();
        throw new InvalidInputException("--size needs 2 or 3 values, e.g. 1024,1024 or 192,192,48");
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
