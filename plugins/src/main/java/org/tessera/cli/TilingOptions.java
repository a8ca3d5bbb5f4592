package org.tessera.cli;

import org.tessera.service.SegmentationRequest;

import picocli.CommandLine.Option;

/** How the commands that run a network cut an image into tiles. */
final class TilingOptions {

    @Option(names = "--tile", paramLabel = "auto|X,Y[,Z]", defaultValue = "auto",
            description = "Tile size per axis (multiples of the model's divisibility). Default: ${DEFAULT-VALUE}, the "
                    + "model's patch size, shrunk for small images.")
    String tile;

    @Option(names = "--mode", paramLabel = "auto|gaussian|halo", defaultValue = "auto",
            description = "Tile stitching: auto (Gaussian blending at the step the model's card gives, 0.75 where it "
                    + "gives none: fewer tiles than nnU-Net at the same held-out Dice), gaussian (nnU-Net's sliding "
                    + "window at --step; with the default step 0.5 exactly nnU-Net's) or halo (tiles with context, only "
                    + "centres kept; equals whole-image inference). Default: ${DEFAULT-VALUE}.")
    String mode;

    @Option(names = "--step", defaultValue = "0.5", paramLabel = "F",
            description = "With --mode gaussian: tile step as a fraction of the tile (nnU-Net: 0.5).")
    double step;

    @Option(names = "--batch", defaultValue = "auto", paramLabel = "auto|N",
            description = "Tiles per network call (halves on out-of-memory): auto (4 on a GPU; on the CPU as many as keep "
                    + "a call within 2^17 voxels, 1 to 4: the same speed in less memory) or a number. Default: ${DEFAULT-VALUE}.")
    String batch;

    /** Puts the tiling into a request. */
    SegmentationRequest.Builder apply(SegmentationRequest.Builder request) {
        if (tile.isBlank()) // on the command line an empty value is a mistake, not a request for auto
            throw new org.tessera.volume.InvalidInputException("--tile is empty; " + SegmentationRequest.TILE_FORMS);
        return request.tile(SegmentationRequest.tile(tile)).mode(SegmentationRequest.tileMode(mode, "--mode")).step(step)
                .batch(SegmentationRequest.batch(batch));
    }
}
