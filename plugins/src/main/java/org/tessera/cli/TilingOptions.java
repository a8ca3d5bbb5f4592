package org.tessera.cli;

import org.tessera.service.SegmentationRequest;

import picocli.CommandLine.Option;

/** How the commands that run a network cut an image into tiles. */
final class TilingOptions {

    @Option(names = "--tile", paramLabel = "auto|X,Y[,Z]", defaultValue = "auto",
            description = "Tile size per axis (multiples of the model's divisibility). auto: with --mode auto, the size "
                    + "that evaluates the fewest voxels within the memory budget; with --mode gaussian or halo, the "
                    + "model's patch size, shrunk for small images. Default: ${DEFAULT-VALUE}.")
    String tile;

    @Option(names = "--mode", paramLabel = "auto|gaussian|halo", defaultValue = "auto",
            description = "Tile stitching: gaussian (overlapping tiles blended with nnU-Net's Gaussian), halo (tiles "
                    + "with context, only centres kept; equals whole-image inference) or auto (whichever evaluates "
                    + "fewer voxels; Gaussian where a tile size is given). nnU-Net's own sliding window: --mode gaussian "
                    + "--step 0.5. Default: ${DEFAULT-VALUE}.")
    String mode;

    @Option(names = "--step", defaultValue = "0.5", paramLabel = "F",
            description = "Gaussian mode: tile step as a fraction of the tile (nnU-Net: 0.5).")
    double step;

    @Option(names = "--batch", defaultValue = "4", paramLabel = "N", description = "Tiles per network call (halves on out-of-memory).")
    int batch;

    /** Puts the tiling into a request. */
    SegmentationRequest.Builder apply(SegmentationRequest.Builder request) {
        return request.tile(SegmentationRequest.tile(tile)).mode(SegmentationRequest.tileMode(mode, "--mode")).step(step).batch(batch);
    }
}
