package org.tessera.volume.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.volume.InvalidInputException;

class AtomicFilesTest {

    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void replaceWritesBesideTheTargetThenRenames() throws IOException {
        Path target = dir.resolve("plans.json");
        AtomicFiles.replace(target, temporary -> {
            assertEquals(dir, temporary.getParent(), "same folder, so the rename is atomic");
            assertFalse(Files.exists(target), "the target appears only complete");
            Files.writeString(temporary, "{}");
        });
        assertEquals("{}", Files.readString(target));
        assertEquals(List.of("plans.json"), names());
    }

    @Test
    void failedReplaceKeepsTheOldFileAndLeavesNoTemporary() throws IOException {
        Path target = Files.writeString(dir.resolve("old.txt"), "old");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.replace(target, temporary -> {
            Files.writeString(temporary, "half");
            throw new IOException("disk full");
        }));
        assertEquals("disk full", e.getMessage());
        assertThrows(IllegalStateException.class, () -> AtomicFiles.replace(target, temporary -> {
            Files.writeString(temporary, "half");
            throw new IllegalStateException("computation failed");
        }));
        assertEquals("old", Files.readString(target));
        assertEquals(List.of("old.txt"), names());
    }

    @Test
    void writeNamesTheFileWhenItCannot() throws IOException {
        Path missingFolder = dir.resolve("no").resolve("x.txt");
        InvalidInputException folder = assertThrows(InvalidInputException.class,
                () -> AtomicFiles.write(missingFolder, temporary -> Files.writeString(temporary, "x")));
        assertTrue(folder.getMessage().contains(missingFolder.toString()) && folder.getMessage().contains("does not exist"),
                folder.getMessage());

        Path failing = dir.resolve("y.txt");
        InvalidInputException write = assertThrows(InvalidInputException.class,
                () -> AtomicFiles.write(failing, temporary -> {
                    throw new IOException("disk full");
                }));
        assertTrue(write.getMessage().contains(failing.toString()) && write.getMessage().contains("disk full"),
                write.getMessage());
        assertEquals(List.of(), names());
    }
}
