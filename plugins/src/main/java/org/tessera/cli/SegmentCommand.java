package org.tessera.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.tessera.service.FileSegmentation;
import org.tessera.service.RunListener;
import org.tessera.service.RunSummary;
import org.tessera.service.SegmentationRequest;
import org.tessera.service.Session;
import org.tessera.unet.SegmentResult;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Progress;
import org.tessera.volume.tiling.TileSizes;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "segment", mixinStandardHelpOptions = true, sortOptions = false,
        description = { "Segment an image, or every image in a folder, with a model or a classic method.",
                "Writes <name>_labels.<same extension> per input (labels 0..C-1, geometry kept). Run again on "
                        + "the same folder, it skips inputs whose outputs exist.",
                "Classic methods (classic:otsu, classic:kmeans, ...) take --param KEY=VALUE and run on the whole image; "
                        + "the tiling, batch and device options do not apply to them." })
final class SegmentCommand extends Subcommand {

    @Option(names = { "-m", "--model" }, required = true, paramLabel = "ID",
            description = "Model id or classic method (see 'tessera models').")
    String modelId;

    @Option(names = "--param", paramLabel = "KEY=VALUE",
            description = "A parameter of a classic method, e.g. --param k=3 --param order=bright-to-dark; repeatable "
                    + "('tessera models --card classic:kmeans' lists them).")
    List<String> params = new ArrayList<>();

    @Option(names = { "-i", "--input" }, required = true, paramLabel = "FILE_OR_DIR",
            description = "An image, a folder of images, or a list file (.txt, one image per line).")
    Path input;

    @Option(names = { "-o", "--output" }, required = true, paramLabel = "OUTDIR", description = "Folder for the outputs (created).")
    Path outDir;

    @Mixin
    TilingOptions tiling;

    @Option(names = "--probabilities", description = "Also write <name>_probabilities (float, one channel per class).")
    boolean probabilities;

    @Option(names = "--attention-maps",
            description = "Attention U-Nets: also write <name>_attention_<k> per attention gate (float, in [0, 1], "
                    + "the input's geometry; attention_1 is the finest gate).")
    boolean attentionMaps;

    @Option(names = "--instances",
            description = { "Also write <name>_instances (objects 1..n, 16-bit, the labels' geometry) and "
                    + "<name>_objects.csv (per object: size, centroid, bounding box, intensity, equivalent diameter).",
                    "Models whose card has an instances block flood their interior probabilities from seeds; other "
                            + "models split their foreground at the necks of its distance map; classic methods take "
                            + "its connected components." })
    boolean instances;

    @Option(names = "--instance-param", paramLabel = "KEY=VALUE",
            description = "Override an instance parameter: seedThreshold, foregroundThreshold, minSeedArea, minArea "
                    + "(voxels) or fillHoles, e.g. --instance-param minArea=20; repeatable.")
    List<String> instanceParams = new ArrayList<>();

    @Option(names = "--volumes-table",
            description = "Also write <name>_volumes.csv: per class (background included) its voxels and calibrated volume "
                    + "(area in 2D).")
    boolean volumesTable;

    @Option(names = "--overlay", description = "Also write <name>_overlay.png (labels over the image; 3D: the busiest plane).")
    boolean overlay;

    @Option(names = "--no-mirroring",
            description = "nnU-Net bundles: skip the mirroring test-time augmentation (faster; nnU-Net mirrors by default).")
    boolean noMirroring;

    @Option(names = "--no-resampling",
            description = "Networks whose card records a training spacing: run at the image's own spacing instead of "
                    + "resampling to the training spacing and back (the default, as nnU-Net does).")
    boolean noResampling;

    @Option(names = "--spacing", paramLabel = "X,Y[,Z]", split = ",",
            description = "Use this voxel spacing instead of the file's (for files that do not record it, e.g. plain "
                    + "TIFF); the outputs carry it.")
    double[] spacing;

    @Option(names = "--unit", paramLabel = "UNIT", description = "Unit of --spacing (e.g. um, mm).")
    String unit;

    @Option(names = "--overwrite", description = "Segment inputs again even when their outputs exist.")
    boolean overwrite;

    @Option(names = "--chunks", defaultValue = "1", paramLabel = "N",
            description = "Split a folder into N chunks (for cluster array jobs) ...")
    int chunks;

    @Option(names = "--index", defaultValue = "0", paramLabel = "I", description = "... and process chunk I (0-based).")
    int index;

    @Mixin
    ModelOptions modelOptions;

    @Override
    public Integer call() {
        PrintWriter err = err();
        PrintWriter out = out();
        SegmentationRequest.Builder request = tiling.apply(SegmentationRequest.builder(modelId))
                .probabilities(probabilities).attentionMaps(attentionMaps).overlay(overlay).overwrite(overwrite)
                .volumesTable(volumesTable)
                .mirroring(!noMirroring).resampling(!noResampling).spacing(spacing, unit).chunk(chunks, index)
                .instances(instances);
        params.forEach(request::parameter);
        instanceParams.forEach(request::instanceParameter);
        modelOptions.apply(request);
        RunSummary summary = modelOptions.service().run(request.build(), input, outDir, new RunListener() {
            @Override
            public void note(String line) {
                err.println("tessera: " + line);
            }

            @Override
            public Progress progress(String label, int i, int count) {
                return new ConsoleProgress(System.err, label);
            }

            @Override
            public void done(String label, Session session, FileSegmentation.FileResult file) {
                SegmentResult r = file.result();
                // a classic method's seconds to the millisecond: fast methods take a few
                String how = session.isClassic() ? session.segmenter().id() + ", whole image"
                        : r.tiles() + " tiles of " + TileSizes.format(r.tile(), "x");
                out.printf(Locale.ROOT, "%s -> %s (%s, %s, " + (session.isClassic() ? "%.3f" : "%.2f") + " s)%n",
                        file.input(), file.outputs().labels(), how, r.device(), r.totalNanos() / 1e9);
                if (file.outputs().volumes() != null)
                    out.println("  class volumes -> " + file.outputs().volumes());
                for (Path map : file.outputs().attention())
                    out.println("  attention map -> " + map);
                if (file.outputs().instances() != null)
                    out.printf(Locale.ROOT, "  %d objects -> %s, %s%n", r.objects().rows().size(),
                            file.outputs().instances(), file.outputs().objects());
            }

            @Override
            public void skipped(String label, FileSegmentation.FileResult file) {
                err.println(label + ": outputs exist, skipped (use --overwrite to redo)");
            }

            @Override
            public void failed(String label, Path file, InvalidInputException e) {
                err.println("tessera: " + file + ": " + e.getMessage());
            }
        });
        if (summary.folder())
            err.println(summary);
        return summary.failed() > 0 ? ExitCodes.SOME_FAILED : ExitCodes.OK;
    }
}
