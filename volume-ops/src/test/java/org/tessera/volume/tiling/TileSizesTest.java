package org.tessera.volume.tiling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tessera.volume.InvalidInputException;

class TileSizesTest {

    private static String message(Runnable r) {
        return assertThrows(InvalidInputException.class, r::run).getMessage();
    }

    @Test
    void aValidRequestIsReturnedUnchanged() {
        assertArrayEquals(new int[] { 128, 96 }, TileSizes.resolve(TileMode.HALO, new int[] { 128, 96 }, null,
                new int[] { 16, 16 }, null, new int[] { 32, 32 }, new long[] { 1000, 1000 }));
    }

    @Test
    void nonDivisibleTileNamesTheAxisAndTheNeighbours() {
        String m = message(() -> TileSizes.resolve(TileMode.GAUSSIAN, new int[] { 96, 100 }, null, new int[] { 16, 16 },
                null, null, new long[] { 500, 500 }));
        assertTrue(m.contains("tile size 100 along y is not a multiple of 16; use 96 or 112"), m);
        m = message(() -> TileSizes.resolve(TileMode.GAUSSIAN, new int[] { 64, 64, 20 }, null, new int[] { 16, 16, 8 },
                null, null, new long[] { 500, 500, 50 }));
        assertTrue(m.contains("tile size 20 along z is not a multiple of 8; use 16 or 24"), m);
    }

    @Test
    void haloThatLeavesNoCoreIsRejected() {
        String m = message(() -> TileSizes.resolve(TileMode.HALO, new int[] { 64, 64 }, null, new int[] { 16, 16 }, null,
                new int[] { 48, 48 }, new long[] { 500, 500 }));
        assertTrue(m.contains("halo 48 leaves no core in a 64 tile along x; use a tile of at least 112"), m);
    }

    @Test
    void fixedInputSizeWinsAndAnotherRequestIsRejected() {
        assertArrayEquals(new int[] { 240, 240 }, TileSizes.resolve(TileMode.GAUSSIAN, null, new int[] { 256, 256 },
                new int[] { 8, 8 }, new int[] { 240, 240 }, null, new long[] { 100, 100 }));
        String m = message(() -> TileSizes.resolve(TileMode.GAUSSIAN, new int[] { 256, 256 }, null, new int[] { 8, 8 },
                new int[] { 240, 240 }, null, new long[] { 1000, 1000 }));
        assertTrue(m.contains("this model needs a fixed tile of 240 x 240"), m);
    }

    @Test
    void autoShrinksToSmallVolumesKeepingDivisibility() {
        // 100 x 40 x 10 volume, preferred 128 x 128 x 32, divisibility 16 x 16 x 4
        assertArrayEquals(new int[] { 112, 48, 12 }, TileSizes.resolve(TileMode.GAUSSIAN, null, new int[] { 128, 128, 32 },
                new int[] { 16, 16, 4 }, null, null, new long[] { 100, 40, 10 }));
        // large volume: the preferred size
        assertArrayEquals(new int[] { 128, 128 }, TileSizes.resolve(TileMode.GAUSSIAN, null, new int[] { 128, 128 },
                new int[] { 16, 16 }, null, null, new long[] { 1000, 700 }));
        // halo mode: one tile covering a small axis needs no halo; preferred on the large one
        assertArrayEquals(new int[] { 256, 48 }, TileSizes.resolve(TileMode.HALO, null, new int[] { 256, 256 },
                new int[] { 16, 16 }, null, new int[] { 32, 32 }, new long[] { 1000, 40 }));
    }

    @Test
    void aTileTooLargeToAllocateIsRejectedBeforeAnyArithmeticOverflows() {
        String m = message(() -> TileSizes.resolve(TileMode.GAUSSIAN, new int[] { 100000, 100000 }, null, null, null,
                null, new long[] { 512, 512 }));
        assertTrue(m.contains("100000 x 100000") && m.contains("at most"), m);
    }

    @Test
    void wrongNumberOfAxesIsRejected() {
        String m = message(() -> TileSizes.resolve(TileMode.GAUSSIAN, new int[] { 64, 64 }, null, null, null, null,
                new long[] { 10, 10, 10 }));
        assertTrue(m.contains("tile size 64 x 64 has 2 values; this volume needs 3"), m);
    }

    @Test
    void haloAlignsUpToTheDivisibility() {
        assertArrayEquals(new int[] { 32, 16, 4 }, TileSizes.alignHalo(new int[] { 20, 16, 3 }, new int[] { 16, 16, 4 }));
    }
}
