package org.tessera.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.tessera.unet.FileSegmentation;
import org.tessera.unet.Segmenter;
import org.tessera.unet.VolumeSegmenter;
import org.tessera.planner.predict.Segmenters;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.classic.Parameters;
import org.tessera.volume.tiling.TileMode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "segment", sortOptions = false,
        description = { "Segment an image, or every image in a folder, with a model or a classic method.",
                "Writes <name>_labels.<same extension> per input (labels 0..C-1, geometry kept). Run again on "
                        + "the same folder, it skips inputs whose outputs exist.",
                "Classic methods (classic:otsu, classic:kmeans, ...) take --param KEY=VALUE and run on the whole image; "
                        + "the tiling, batch and device options do not apply to them." })
final class SegmentCommand implements Callable<Integer> {

    @Option(names = { "-m", "--model" }, required = true, paramLabel = "ID",
            description = "Model id or classic method (see 'tessera models').")
    String modelId;

    @Option(names = "--param", paramLabel = "KEY=VALUE",
            description = "A parameter of a classic method, e.g. --param k=3 --param order=bright-to-dark; repeatable "
                    + "('tessera models --card classic:kmeans' lists them).")
    List<String> params = new ArrayList<>();

    @Option(names = { "-i", "--input" }, required = true, paramLabel = "FILE_OR_DIR", description = "An image, or a folder of images.")
    Path input;

    @Option(names = { "-o", "--output" }, required = true, paramLabel = "OUTDIR", description = "Folder for the outputs (created).")
    Path outDir;

    @Option(names = "--tile", paramLabel = "X,Y[,Z]", split = ",",
            description = "Tile size per axis (multiples of the model's divisibility). Default: the model's patch size, "
                    + "shrunk for small images.")
    int[] tile;

    @Option(names = "--mode", paramLabel = "gaussian|halo", defaultValue = "gaussian",
            description = "Tile stitching: gaussian (overlapping tiles blended with nnU-Net's Gaussian) or halo (tiles "
                    + "with context, only centres kept; equals whole-image inference). Default: ${DEFAULT-VALUE}.")
    String mode;

    @Option(names = "--step", defaultValue = "0.5", paramLabel = "F",
            description = "Gaussian mode: tile step as a fraction of the tile (nnU-Net: 0.5).")
    double step;

    @Option(names = "--batch", defaultValue = "4", paramLabel = "N", description = "Tiles per network call (halves on out-of-memory).")
    int batch;

    @Option(names = "--probabilities", description = "Also write <name>_probabilities (float, one channel per class).")
    boolean probabilities;

    @Option(names = "--attention-maps",
            description = "Attention U-Nets: also write <name>_attention_<k> per attention gate (float, in [0, 1], "
                    + "the input's geometry; attention_1 is the finest gate).")
    boolean attentionMaps;

    @Option(names = "--overlay", description = "Also write <name>_overlay.png (labels over the image; 3D: the busiest plane).")
    boolean overlay;

    @Option(names = "--no-mirroring",
            description = "nnU-Net bundles: skip the mirroring test-time augmentation (faster; nnU-Net mirrors by default).")
    boolean noMirroring;

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

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        if (chunks < 1 || index < 0 || index >= chunks)
            throw new InvalidInputException("--index must be in 0.." + (chunks - 1) + " for --chunks " + chunks);
        if (batch < 1)
            throw new InvalidInputException("--batch must be at least 1, not " + batch);
        if (!(step > 0 && step <= 1))
            throw new InvalidInputException("--step must be in (0, 1], not " + step + "; nnU-Net uses 0.5");
        Segmenter.Options options = new Segmenter.Options(tile, tileMode(mode), batch, probabilities, step,
                attentionMaps);
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String p : params)
            Parameters.put(parameters, p);
        List<Path> all = Inputs.list(input);
        List<Path> mine = new ArrayList<>();
        for (int i = 0; i < all.size(); i++)
            if (i % chunks == index)
                mine.add(all.get(i));
        boolean folder = Files.isDirectory(input);
        int failed = 0, done = 0, skipped = 0;
        try (Segmenters.Opened opened = Segmenters.open(modelId, modelOptions.zoo(), modelOptions.engineOptions(),
                !noMirroring, parameters, line -> err.println("tessera: " + line))) {
            if (opened.fallbackReason() != null && !modelOptions.device.equalsIgnoreCase("cpu"))
                err.println("tessera: running on the CPU: " + opened.fallbackReason());
            VolumeSegmenter segmenter = opened.segmenter();
            boolean classic = opened.engine() == null;
            if (classic && probabilities)
                throw new InvalidInputException(segmenter.id() + " gives labels only, no probabilities; leave out "
                        + "--probabilities");
            segmenter.attentionOutputs(options); // a model without attention maps fails here, not per file
            Files.createDirectories(outDir);
            for (int i = 0; i < mine.size(); i++) {
                Path file = mine.get(i);
                String label = (mine.size() > 1 ? "[" + (i + 1) + "/" + mine.size() + "] " : "") + file.getFileName();
                try {
                    var result = FileSegmentation.segment(segmenter, file, outDir, options, overlay, overwrite, spacing, unit,
                            new ConsoleProgress(System.err, label));
                    if (result.status() == FileSegmentation.Status.SKIPPED) {
                        skipped++;
                        err.println(label + ": outputs exist, skipped (use --overwrite to redo)");
                    } else {
                        done++;
                        var r = result.result();
                        // a classic method's seconds to the millisecond: fast methods take a few
                        String how = classic ? segmenter.id() + ", whole image" : r.tiles() + " tiles of " + format(r.tile());
                        spec.commandLine().getOut().printf(Locale.ROOT, "%s -> %s (%s, %s, " + (classic ? "%.3f" : "%.2f")
                                + " s)%n", file, result.outputs().labels(), how, r.device(), r.totalNanos() / 1e9);
                        for (Path map : result.outputs().attention())
                            spec.commandLine().getOut().println("  attention map -> " + map);
                    }
                } catch (InvalidInputException e) {
                    if (!folder)
                        throw e;
                    failed++;
                    err.println("tessera: " + file + ": " + e.getMessage());
                }
            }
        }
        if (folder)
            err.printf("%d segmented, %d skipped (already done), %d failed%n", done, skipped, failed);
        return failed > 0 ? ExitCodes.SOME_FAILED : ExitCodes.OK;
    }

    static TileMode tileMode(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "gaussian" -> TileMode.GAUSSIAN;
            case "halo" -> TileMode.HALO;
            default -> throw new InvalidInputException("--mode " + text + " is not known; use gaussian or halo");
        };
    }

    static String format(int[] size) {
        StringBuilder s = new StringBuilder();
        for (int v : size)
            s.append(s.length() == 0 ? "" : "x").append(v);
        return s.toString();
    }

}
