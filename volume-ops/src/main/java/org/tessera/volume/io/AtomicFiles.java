package org.tessera.volume.io;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;

import org.tessera.volume.InvalidInputException;

/** Writes a file so that readers see either the old file or the complete new one, never a partial one. */
public final class AtomicFiles {

    /** Writes the complete content to the given (not yet existing) path. */
    @FunctionalInterface
    public interface ContentWriter {
        void writeTo(Path temporary) throws IOException;
    }

    private AtomicFiles() {}

    /** Deletes what an earlier write of {@code target} left when its process was killed before the rename. */
    public static void deleteLeftovers(Path target) {
        Path absolute = target.toAbsolutePath().normalize();
        String prefix = "." + absolute.getFileName() + ".";
        try (var files = Files.list(absolute.getParent())) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith(prefix) && name.endsWith(".part"))
                    Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a folder that cannot be listed fails the write that follows, with its own message
        }
    }

    /**
     * {@link #replace} with the checks and messages of a user's output file: the folder must exist and the
     * target must not be a folder; a failure is an {@link InvalidInputException} naming the file.
     */
    public static void write(Path target, ContentWriter writer) {
        Path absolute = target.toAbsolutePath().normalize();
        Path folder = absolute.getParent();
        if (folder == null || !Files.isDirectory(folder))
            throw new InvalidInputException("Cannot write " + target + ": the folder " + folder
                    + " does not exist. Create it first or choose an existing folder.");
        if (Files.isDirectory(absolute))
            throw new InvalidInputException("Cannot write " + target + ": it is a folder. Give a file name such as "
                    + absolute.resolve("image.nii.gz").getFileName() + " inside it.");
        try {
            replace(absolute, writer);
        } catch (IOException e) {
            throw new InvalidInputException("Could not write " + target + " (" + e + "). Nothing was written there;"
                    + " check that the folder is writable and the disk has free space.", e);
        }
    }

    /**
     * Lets {@code writer} write a temporary file beside {@code target}, then renames it onto the target. When
     * anything fails, the temporary file is deleted and the target is as it was; the caller phrases the error.
     */
    public static void replace(Path target, ContentWriter writer) throws IOException {
        Path absolute = target.toAbsolutePath().normalize();
        // Same folder, so the final rename stays on one file system and is atomic.
        Path temporary = absolute.resolveSibling("." + absolute.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".part");
        try {
            writer.writeTo(temporary);
            try {
                Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // The original error matters more than a leftover temporary file.
            }
        }
    }
}
