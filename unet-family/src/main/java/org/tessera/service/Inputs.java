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

    /** A list file: a text file naming one image per line. */
    public static boolean isList(Path input) {
        return input != null && Files.isRegularFile(input)
                && input.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(LIST_SUFFIX);
    }

    static final String LIST_SUFFIX = ".txt";

    /**
     * The images of a run: the file itself, a folder's images (see above), or the images a list file names, one
     * per line (relative to the list's folder; blank lines and lines starting with # are skipped), in its order.
     */
    public static List<Path> list(Path input) {
        if (input == null || !Files.exists(input))
            throw new InvalidInputException("Input " + input + " does not exist; give an image file, a folder of images "
                    + "or a list file (" + LIST_SUFFIX + ", one image per line)");
        if (isList(input))
            return listed(input);
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

    private static List<Path> listed(Path list) {
        List<String> lines;
        try {
            lines = Files.readAllLines(list);
        } catch (IOException e) {
            throw new InvalidInputException("Cannot read the list " + list + ": " + e.getMessage(), e);
        }
        Path base = list.toAbsolutePath().getParent();
        List<Path> images = new java.util.ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.isEmpty() || line.startsWith("#"))
                continue;
            Path image = base.resolve(line).normalize();
            if (!Files.isRegularFile(image) || !VolumeIO.isSupported(image))
                throw new InvalidInputException("Line " + (n + 1) + " of " + list + " names " + line + ", which "
                        + (Files.exists(image) ? "is not a supported image (" + String.join(", ", VolumeIO.EXTENSIONS) + ")"
                                : "does not exist") + "; list one image per line, relative to the list's folder");
            images.add(image);
        }
        if (images.isEmpty())
            throw new InvalidInputException("The list " + list + " names no images; list one image per line");
        return images;
    }

    private static String stem(Path file) {
        return VolumeIO.stem(file);
    }
}
