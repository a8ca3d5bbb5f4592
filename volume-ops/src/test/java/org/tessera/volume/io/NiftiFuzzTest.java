package org.tessera.volume.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Timeout;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz tests of the NIfTI reader (header, layout, voxels, scaling, orientation; plain and gzip). The normal build
 * runs the seeds in {@code NiftiFuzzTestInputs/<method>/}; {@code JAZZER_FUZZ=1} fuzzes (see the README).
 */
class NiftiFuzzTest {

    /** The bytes as a file: plain NIfTI-1/2, or gzip (the reader decides by content), damaged anywhere. */
    @Timeout(10) // a reader that takes longer loops or decodes far more than the input holds: a finding
    @FuzzTest
    void niftiFile(byte[] bytes) {
        FuzzFiles.readAndInfo(".nii", bytes);
    }

    /** The bytes as the content of a well-formed gzip file, so that mutations reach the header behind gzip. */
    @Timeout(10)
    @FuzzTest
    void niftiGzipContent(byte[] bytes) throws IOException {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(compressed)) {
            gzip.write(bytes);
        }
        FuzzFiles.readAndInfo(".nii.gz", compressed.toByteArray());
    }
}
