package org.tessera.volume.tiling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class OutputKindTest {

    @Test
    void labelCountsIncludeTheBackground() {
        assertEquals(3, OutputKind.SIGMOID.labelCount(2));
        assertEquals(2, OutputKind.LOGITS.labelCount(2));
    }

    @Test
    void classScoresGiveTheArgmaxWithTiesToTheLowerClass() {
        assertEquals(1, OutputKind.LOGITS.label(new float[] { 1, 3, 3 }));
        assertEquals(0, OutputKind.LOGITS.label(new float[] { -5, -7 }));
        assertEquals(2, OutputKind.PROBABILITIES.label(new float[] { 0.2f, 0.3f, 0.5f }));
    }

    @Test
    void sigmoidRegionsGiveTheHighestLabelAboveOneHalf() {
        assertEquals(3, OutputKind.SIGMOID.label(new float[] { 2, -1, 3 }));
        assertEquals(0, OutputKind.SIGMOID.label(new float[] { -1, -1 }));
        assertEquals(0, OutputKind.SIGMOID.label(new float[] { 0 }), "0.5 is not above one half");
    }

    @Test
    void probabilitiesPerKind() {
        float[] p = new float[2];
        OutputKind.LOGITS.probabilities(new float[] { 0, (float) Math.log(3) }, p);
        assertArrayEquals(new float[] { 0.25f, 0.75f }, p, 1e-7f);
        OutputKind.LOGITS.probabilities(new float[] { 1000, 1000 }, p);
        assertArrayEquals(new float[] { 0.5f, 0.5f }, p, 0f, "large logits do not overflow");
        OutputKind.PROBABILITIES.probabilities(new float[] { 0.1f, 0.9f }, p);
        assertArrayEquals(new float[] { 0.1f, 0.9f }, p, 0f);
        OutputKind.SIGMOID.probabilities(new float[] { 0, 40 }, p);
        assertArrayEquals(new float[] { 0.5f, 1f }, p, 0f);
    }
}
