package org.tessera.volume.io;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz tests of PNG reading: the chunk walk ({@link PngStructure}) alone, and the full read path (the walk, Java's
 * PNG decoder, gray palettes).
 */
class PngFuzzTest {

    @FuzzTest
    void pngStructure(byte[] bytes) {
        FuzzFiles.readOrRefuse(FuzzFiles.write(".png", bytes), file -> {
            PngStructure.check(file);
            return file;
        });
    }

    @FuzzTest
    void pngFile(byte[] bytes) {
        FuzzFiles.readAndInfo(".png", bytes);
    }
}
