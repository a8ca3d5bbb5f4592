package org.tessera.volume.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Volume;

/**
 * What the file readers' fuzz tests share: the bytes under test written to a file with the right extension, and
 * the rule every reader keeps. A reader either reads a file or refuses it with an {@link InvalidInputException}
 * whose message names the file; any other exception or error (NullPointerException, index out of bounds,
 * NegativeArraySize, OutOfMemoryError, StackOverflowError, ...) escapes the fuzz test and is a finding.
 */
final class FuzzFiles {

    private static final Map<String, Path> FILES = new HashMap<>();

    private FuzzFiles() {}

    /** Writes {@code bytes} to this JVM's scratch file for {@code extension} (one per extension, reused). */
    static synchronized Path write(String extension, byte[] bytes) {
        try {
            Path file = FILES.get(extension);
            if (file == null) {
                Path dir = Files.createTempDirectory("tessera-fuzz");
                dir.toFile().deleteOnExit();
                file = dir.resolve("input" + extension);
                file.toFile().deleteOnExit();
                FILES.put(extension, file);
            }
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code reader} on the file: it returns normally or refuses with a message naming the file. */
    static <T> T readOrRefuse(Path file, Reader<T> reader) {
        try {
            return reader.read(file);
        } catch (InvalidInputException e) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(file.toString()),
                    "a refusal must name the file: " + e.getMessage());
            return null;
        }
    }

    /**
     * {@link VolumeIO#read} and {@link VolumeIO#info} each read or refuse the file by the rule; when both read it,
     * they agree on the shape and the channels.
     */
    static void readAndInfo(String extension, byte[] bytes) {
        Path file = write(extension, bytes);
        Volume volume = readOrRefuse(file, VolumeIO::read);
        VolumeInfo info = readOrRefuse(file, VolumeIO::info);
        if (volume != null && info != null) {
            assertArrayEquals(volume.spatialShape(), info.shape(), "read and info disagree on the shape");
            assertEquals(volume.channels(), info.channels(), "read and info disagree on the channels");
        }
    }

    @FunctionalInterface
    interface Reader<T> {
        T read(Path file);
    }
}
