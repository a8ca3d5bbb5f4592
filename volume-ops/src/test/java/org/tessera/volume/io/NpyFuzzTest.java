package org.tessera.volume.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Timeout;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz test of {@link Npy}: header and whole-file reading each read or refuse the bytes by the rule of
 * {@link FuzzFiles#readOrRefuse}; when both read them, they agree on the shape.
 */
class NpyFuzzTest {

    @Timeout(10) // a reader that takes longer allocates or loops on what the header claims: a finding
    @FuzzTest
    void npyFile(byte[] bytes) {
        var file = FuzzFiles.write(".npy", bytes);
        Npy.Header header = FuzzFiles.readOrRefuse(file, Npy::header);
        Npy.Array array = FuzzFiles.readOrRefuse(file, Npy::read);
        if (header != null && array != null)
            assertArrayEquals(header.shape(), array.shape(), "header and read disagree on the shape");
    }
}
