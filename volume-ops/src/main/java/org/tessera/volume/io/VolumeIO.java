package org.tessera.volume.io;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Volume;

/**
 * The one entry point for volume files: picks the {@link VolumeFormat} from the file name, and answers the
 * questions about names (extension, stem, where float outputs go) from the formats' own knowledge.
 */
public final class VolumeIO {

    private static final List<VolumeFormat> FORMATS = List.of(StandardFormat.values());

    /** The extensions read and written, lower case. */
    public static final List<String> EXTENSIONS = FORMATS.stream().flatMap(f -> f.extensions().stream()).toList();

    /** Where float outputs of an input whose format holds no floats go: Fiji opens TIFF as readily as PNG. */
    private static final VolumeFormat FLOAT_FALLBACK = StandardFormat.TIFF;

    private VolumeIO() {}

    /** The registered formats, NIfTI first. */
    public static List<VolumeFormat> formats() {
        return FORMATS;
    }

    /** The format that owns the file's name; refuses a name no format owns, listing the extensions. */
    public static VolumeFormat format(Path file) {
        for (VolumeFormat format : FORMATS)
            if (format.owns(file))
                return format;
        throw new InvalidInputException("Unsupported file type: " + file + ". Tessera reads and writes "
                + String.join(", ", EXTENSIONS) + " files.");
    }

    public static Volume read(Path file) {
        return format(file).read(file);
    }

    /** Writes atomically: a failure leaves no file behind and any existing file unchanged. */
    public static void write(Volume volume, Path file) {
        format(file).write(volume, file);
    }

    /** Dimensions, channels, spacing, unit and type. NIfTI reads only the header; TIFF and PNG are decoded. */
    public static VolumeInfo info(Path file) {
        return format(file).info(file);
    }

    /** The text of {@code tessera info FILE}. */
    public static String describe(Path file) {
        return info(file).describe();
    }

    /** Whether the name has a supported extension; for folder scans (the content is checked on reading). */
    public static boolean isSupported(Path file) {
        return FORMATS.stream().anyMatch(format -> format.owns(file));
    }

    /**
     * The extension of a file name as written, with its dot: a format's multi-part ending such as ".nii.gz"
     * counts as one, any other name ends at its last dot ("" when it has none). "scan.NII.GZ" gives ".NII.GZ".
     */
    public static String extension(String fileName) {
        String name = fileName.toLowerCase(Locale.ROOT);
        int dot = fileName.lastIndexOf('.');
        return EXTENSIONS.stream().filter(name::endsWith).max(Comparator.comparingInt(String::length))
                .map(ext -> fileName.substring(fileName.length() - ext.length()))
                .orElse(dot < 0 ? "" : fileName.substring(dot));
    }

    /** The extension of the file's name; "" for a path without a name. */
    public static String extension(Path file) {
        return file.getFileName() == null ? "" : extension(file.getFileName().toString());
    }

    /** The file name without its {@link #extension(String) extension}: "scan.nii.gz" gives "scan". */
    public static String stem(String fileName) {
        return fileName.substring(0, fileName.length() - extension(fileName).length());
    }

    /** The stem of the file's name; "" for a path without a name. */
    public static String stem(Path file) {
        return file.getFileName() == null ? "" : stem(file.getFileName().toString());
    }

    /**
     * The extension for a float output (probabilities, attention maps) of an input with extension {@code ext}:
     * the same extension when its format holds floats or no format owns it, else ".tif" (PNG holds no floats).
     */
    public static String floatExtension(String ext) {
        for (VolumeFormat format : FORMATS)
            if (format.owns(ext))
                return format.holdsFloats() ? ext : FLOAT_FALLBACK.extensions().get(0);
        return ext;
    }
}
