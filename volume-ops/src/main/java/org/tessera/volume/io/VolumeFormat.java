package org.tessera.volume.io;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.tessera.volume.Volume;

/** One kind of volume file: the names it owns, what it can hold, and how it is read and written. */
public interface VolumeFormat {

    /** The file name endings this format owns, lower case, with the dot; ".nii.gz" is one ending. */
    List<String> extensions();

    /** Whether it stores float voxels (probabilities, attention maps); PNG holds only 8- and 16-bit integers. */
    boolean holdsFloats();

    Volume read(Path file);

    /** Writes atomically: a failure leaves no file behind and any existing file unchanged. */
    void write(Volume volume, Path file);

    /** Dimensions, channels, spacing, unit and type, read as cheaply as the format allows. */
    VolumeInfo info(Path file);

    /** Whether the name ends in one of {@link #extensions()} (any case). */
    default boolean owns(String fileName) {
        String name = fileName.toLowerCase(Locale.ROOT);
        return extensions().stream().anyMatch(name::endsWith);
    }

    default boolean owns(Path file) {
        return file.getFileName() != null && owns(file.getFileName().toString());
    }
}
