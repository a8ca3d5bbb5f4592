package org.tessera.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.FloatBuffer;

import org.junit.jupiter.api.Test;

class SegmentOptionsTest {

    /** An engine that only names its device: the batch rule reads nothing else. */
    private static Engine on(String device) {
        return new Engine() {
            @Override
            public Result run(FloatBuffer input, long[] shape) {
                throw new UnsupportedOperationException();
            }

            @Override
            public String device() { return device; }

            @Override
            public void close() { }
        };
    }

    @Test
    void anAutomaticBatchKeepsACpuCallWithinItsVoxelsAndTakesFourOnAGpu() {
        SegmentOptions auto = SegmentOptions.defaults();
        Engine cpu = on("CPU (2 threads)"), gpu = on("CUDA:0");
        assertEquals(1, auto.batchFor(new int[] { 64, 64, 32 }, cpu)); // 131072 voxels: one tile per call
        assertEquals(1, auto.batchFor(new int[] { 128, 128, 128 }, cpu)); // larger than the budget: still one
        assertEquals(3, auto.batchFor(new int[] { 192, 192 }, cpu));
        assertEquals(2, auto.batchFor(new int[] { 256, 256 }, cpu));
        assertEquals(4, auto.batchFor(new int[] { 64, 64 }, cpu)); // never more than 4
        assertEquals(4, auto.batchFor(new int[] { 64, 64, 32 }, gpu));
        assertEquals(2, auto.withBatch(2).batchFor(new int[] { 64, 64, 32 }, cpu), "a given batch is kept");
        assertEquals(7, auto.withBatch(7).batchFor(new int[] { 256, 256 }, gpu));
    }
}
