/**
 * Tiled inference over volumes: choose a tile size ({@link org.tessera.volume.tiling.TileSizes}), lay out
 * tiles ({@link org.tessera.volume.tiling.TileGrid}, nnU-Net sliding window or halo crop), copy each into
 * a network input tensor ({@link org.tessera.volume.tiling.TileReader}), and combine the outputs
 * ({@link org.tessera.volume.tiling.Stitcher}). Spatial arrays are in imglib2 order x, y[, z]; tensors are
 * ONNX C order (C, [D,] H, W).
 *
 * <pre>
 * int[] tile = TileSizes.resolve(mode, requested, card.patchSize, card.divisibility, card.fixedInputSize, card.halo, shape);
 * TileGrid grid = mode == TileMode.HALO ? TileGrid.halo(shape, tile, card.halo) : TileGrid.gaussian(shape, tile);
 * TileReader reader = new TileReader(normalizedChannels);
 * Stitcher stitcher = Stitcher.builder(grid, outputChannels).kind(card.kind).labels().probabilities().build();
 * for (Tile t : grid)                       // grid order keeps the stitcher's memory to a slab window
 *     stitcher.add(t, network.run(reader.read(t)));
 * stitcher.labels(); stitcher.probabilities();
 * </pre>
 */
package org.tessera.volume.tiling;
