package org.tessera.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.tessera.volume.InvalidInputException;
import org.tessera.volume.io.VolumeIO;

/**
 * The inputs of a run: one image file, or every image in a folder that Tessera reads, sorted by name. Hidden
 * files and the outputs of an earlier run (or truth files beside the images) are not inputs.
 */
public final class Inputs {

    /** Suffixes of files that Tessera writes, skipped when a folder is scanned for inputs. */
    public static final List<String> OUTPUT_SUFFIXES = List.of("_labels", "_probabilities", "_instances", "_overlay",
            "_truth");

    private Inputs() {}

    public static List<Path> list(Path input) {
        if (input == null || !Files.exists(input))
            throw new InvalidInputException("Input " + input + " does not exist; give an image file or a folder of images");
        if (!Files.isDirectory(input)) {
            if (!VolumeIO.isSupported(input))
                throw new InvalidInputException("Input " + input + " is not a supported image; use one of "
                        + String.join(", ", VolumeIO.EXTENSIONS));
            return List.of(input);
        }
        try (Stream<Path> files = Files.list(input)) {
            List<Path> images = files.filter(Files::isRegularFile).filter(VolumeIO::isSupported)
                    .filter(f -> !f.getFileName().toString().startsWith("."))
                    .filter(f -> OUTPUT_SUFFIXES.stream().noneMatch(s -> stem(f).endsWith(s))).sorted().toList();
            if (images.isEmpty())
                throw new InvalidInputException("Folder " + input + " holds no images Tessera reads ("
                        + String.join(", ", VolumeIO.EXTENSIONS) + ")");
            return images;
        } catch (IOException e) {
            throw new InvalidInputException("Cannot list folder " + input + ": " + e.getMessage(), e);
        }
    }

    private static String stem(Path file) {
        return VolumeIO.stem(file);
    }
}
