package org.tessera.volume.io;

import java.nio.file.Path;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

import org.tessera.volume.Volume;

/**
 * The formats Tessera ships: NIfTI through {@link NiftiIO} (info from the header alone), TIFF and PNG through
 * ImageJ's codecs in {@link ImageJIO} (info from the decoded image).
 */
enum StandardFormat implements VolumeFormat {
    NIFTI(List.of(".nii", ".nii.gz"), true, NiftiIO::read, NiftiIO::write, NiftiIO::info),
    TIFF(List.of(".tif", ".tiff"), true, ImageJIO::read, ImageJIO::writeTiff, file -> decodedInfo(file, "TIFF")),
    PNG(List.of(".png"), false, ImageJIO::read, ImageJIO::writePng, file -> decodedInfo(file, "PNG"));

    private final List<String> extensions;
    private final boolean holdsFloats;
    private final Function<Path, Volume> reader;
    private final BiConsumer<Volume, Path> writer;
    private final Function<Path, VolumeInfo> info;

    StandardFormat(List<String> extensions, boolean holdsFloats, Function<Path, Volume> reader,
            BiConsumer<Volume, Path> writer, Function<Path, VolumeInfo> info) {
        this.extensions = extensions;
        this.holdsFloats = holdsFloats;
        this.reader = reader;
        this.writer = writer;
        this.info = info;
    }

    @Override
    public List<String> extensions() {
        return extensions;
    }

    @Override
    public boolean holdsFloats() {
        return holdsFloats;
    }

    @Override
    public Volume read(Path file) {
        return reader.apply(file);
    }

    @Override
    public void write(Volume volume, Path file) {
        writer.accept(volume, file);
    }

    @Override
    public VolumeInfo info(Path file) {
        return info.apply(file);
    }

    private static VolumeInfo decodedInfo(Path file, String format) {
        return VolumeInfo.of(file, format, ImageJIO.read(file));
    }
}
