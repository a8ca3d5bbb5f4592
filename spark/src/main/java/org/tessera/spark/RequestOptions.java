package org.tessera.spark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.tessera.service.SegmentationRequest;

import picocli.CommandLine.Option;

/** The options of {@code tessera segment} that choose the model and how it runs, with the same names and meanings. */
final class RequestOptions {

    @Option(names = { "-m", "--model" }, required = true, paramLabel = "ID",
            description = "Model id or classic method (see 'tessera models').")
    String modelId;

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "A parameter of a classic method; repeatable.")
    List<String> params = new ArrayList<>();

    @Option(names = "--tile", paramLabel = "X,Y[,Z]", split = ",",
            description = "Tile size per axis (multiples of the model's divisibility). Default: the model's patch size, "
                    + "shrunk for small images.")
    int[] tile;

    @Option(names = "--mode", paramLabel = "auto|gaussian|halo", defaultValue = "auto",
            description = "Tile stitching: auto (Gaussian at the card's step), gaussian (at --step) or halo. Default: ${DEFAULT-VALUE}.")
    String mode;

    @Option(names = "--step", defaultValue = "0.5", paramLabel = "F",
            description = "Gaussian mode: tile step as a fraction of the tile (nnU-Net: 0.5).")
    double step;

    @Option(names = "--batch", defaultValue = "auto", paramLabel = "auto|N",
            description = "Tiles per network call: auto (4 on a GPU, on the CPU 1 to 4 within 2^17 voxels) or a number.")
    String batch;

    @Option(names = "--no-mirroring", description = "nnU-Net bundles: skip the mirroring test-time augmentation.")
    boolean noMirroring;

    @Option(names = "--no-resampling",
            description = "Run at the image's own spacing instead of resampling to the model's training spacing.")
    boolean noResampling;

    @Option(names = "--spacing", paramLabel = "X,Y[,Z]", split = ",", description = "Use this voxel spacing instead of the file's.")
    double[] spacing;

    @Option(names = "--unit", paramLabel = "UNIT", description = "Unit of --spacing (e.g. um, mm).")
    String unit;

    @Option(names = "--models", paramLabel = "DIR",
            description = "Folder of user models, on storage every executor sees; repeatable.")
    List<Path> modelDirs = new ArrayList<>();

    @Option(names = "--device", paramLabel = "auto|cpu|cuda", defaultValue = "auto",
            description = "Where the network runs on each executor. Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
            description = "CPU threads per task (Spark runs one task per executor core, so 1 uses every core; "
                    + "0: all cores per task). Default: ${DEFAULT-VALUE}.")
    int threads;

    /** The spec with these options and the outputs a job asks for. */
    JobSpec spec(boolean probabilities, boolean attentionMaps, boolean instances, List<String> instanceParams,
            boolean volumesTable, boolean overlay, boolean overwrite) {
        return new JobSpec(modelId, params, tile == null ? null : Arrays.stream(tile).boxed().toList(), mode, step,
                SegmentationRequest.batch(batch),
                probabilities, attentionMaps, instances, instanceParams, volumesTable, overlay, !noMirroring, !noResampling,
                spacing == null ? null : Arrays.stream(spacing).boxed().toList(), unit, overwrite,
                modelDirs.stream().map(Path::toString).toList(), device, threads);
    }
}
