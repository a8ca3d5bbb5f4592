package org.tessera.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.tessera.unet.FileSegmentation;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.io.VolumeIO;

/** Input files of a command: one file, or every supported image in a folder; and names of outputs. */
final class Inputs {

    /** Suffixes of files that Tessera writes, skipped when a folder is scanned for inputs. */
    static final List<String> OUTPUT_SUFFIXES = List.of("_labels", "_probabilities", "_instances", "_overlay", "_truth");

    private Inputs() {}

    static List<Path> list(Path input) {
        if (!Files.exists(input))
            throw new InvalidInputException("Input " + input + " does not exist; give an image file or a folder of images");
        if (!Files.isDirectory(input)) {
            if (!VolumeIO.isSupported(input))
                throw new InvalidInputException("Input " + input + " is not a supported image; use one of "
                        + String.join(", ", VolumeIO.EXTENSIONS));
            return List.of(input);
        }
        try (Stream<Path> files = Files.list(input)) {
            List<Path> images = files.filter(Files::isRegularFile).filter(VolumeIO::isSupported)
                    .filter(f -> OUTPUT_SUFFIXES.stream().noneMatch(s -> stem(f).endsWith(s))).sorted().toList();
            if (images.isEmpty())
                throw new InvalidInputException("Folder " + input + " holds no images (" + String.join(", ", VolumeIO.EXTENSIONS) + ")");
            return images;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file name without its image extension (".nii.gz" counts as one). */
    static String stem(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.length() - extension(file).length());
    }

    static String extension(Path file) {
        return FileSegmentation.extension(file.getFileName().toString());
    }
}
