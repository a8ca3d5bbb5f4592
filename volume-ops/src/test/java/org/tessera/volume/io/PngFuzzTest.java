package org.tessera.volume.io;

import org.junit.jupiter.api.Timeout;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz tests of PNG reading: the chunk walk ({@link PngStructure}) alone, and the full read path (the walk, Java's
 * PNG decoder, gray palettes).
 */
class PngFuzzTest {

    @Timeout(10) // a reader that takes longer loops or decodes far more than the input holds: a finding
    @FuzzTest
    void pngStructure(byte[] bytes) {
        FuzzFiles.readOrRefuse(FuzzFiles.write(".png", bytes), file -> {
            PngStructure.check(file);
            return file;
        });
    }

    @Timeout(10)
    @FuzzTest
    void pngFile(byte[] bytes) {
        FuzzFiles.readAndInfo(".png", bytes);
    }
}
