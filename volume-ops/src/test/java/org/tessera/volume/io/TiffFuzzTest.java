package org.tessera.volume.io;

import org.junit.jupiter.api.Timeout;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz tests of TIFF reading: the directory walk ({@link TiffStructure}) alone, and the full read path (the walk,
 * ImageJ's TIFF decoder, the size checks, the hyperstack wrapping).
 */
class TiffFuzzTest {

    @Timeout(10) // a reader that takes longer loops or decodes far more than the input holds: a finding
    @FuzzTest
    void tiffStructure(byte[] bytes) {
        FuzzFiles.readOrRefuse(FuzzFiles.write(".tif", bytes), file -> {
            TiffStructure.check(file);
            return file;
        });
    }

    @Timeout(10)
    @FuzzTest
    void tiffFile(byte[] bytes) {
        FuzzFiles.readAndInfo(".tif", bytes);
    }
}
