package org.tessera.unet;

import org.tessera.volume.Volume;

/**
 * One attention gate's coefficients in [0, 1], stitched exactly like the probabilities.
 *
 * @param name the graph output (the card's {@code attentionOutputs}: the first is the gate on the finest skip)
 * @param map  float values with the input's geometry (spacing, unit, orientation), no channel axis
 */
public record AttentionMap(String name, Volume map) {}
