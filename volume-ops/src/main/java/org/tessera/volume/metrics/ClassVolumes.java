package org.tessera.volume.metrics;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import net.imglib2.Cursor;
import net.imglib2.type.numeric.IntegerType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Volume;
import org.tessera.volume.instances.ObjectTable;
import org.tessera.volume.io.AtomicFiles;

/**
 * How much of an image each class takes: per label its voxels (pixels in 2D) and its volume (area) in the image's
 * calibrated unit, the voxel volume being the product of the spacing.
 *
 * @param classes the class names of labels 0, 1, ...
 * @param voxels  per label, its voxel count
 */
public record ClassVolumes(List<String> classes, long[] voxels, double voxelVolume, int dims, String unit) {

    /**
     * Counts every label of {@code labels} (one row per class name, and one more, unnamed, per label beyond them).
     *
     * @throws InvalidInputException for a negative label or one above 65535
     */
    public static ClassVolumes of(Volume labels, List<String> classes) {
        long[] counts = new long[Math.max(1, classes.size())];
        Cursor<? extends RealType<?>> c = Views.flatIterable(labels.image()).cursor();
        while (c.hasNext()) {
            RealType<?> t = c.next();
            long label = t instanceof IntegerType<?> i ? i.getIntegerLong() : (long) t.getRealDouble();
            if (label < 0 || label > 65535)
                throw new InvalidInputException("Label " + label + " is not a class label; labels are 0 to 65535");
            if (label >= counts.length)
                counts = java.util.Arrays.copyOf(counts, (int) label + 1);
            counts[(int) label]++;
        }
        List<String> names = new java.util.ArrayList<>(classes);
        while (names.size() < counts.length)
            names.add("");
        double voxel = 1;
        for (double s : labels.spacing())
            voxel *= s;
        return new ClassVolumes(List.copyOf(names), counts, voxel, labels.spatialDims(), labels.unit());
    }

    /** The header of {@link #writeCsv}: label, class, voxels (pixels), volume_UNIT3 (area_UNIT2). */
    public List<String> columns() {
        String u = unit == null || unit.isBlank() ? "unit" : unit;
        return List.of("label", "class", dims == 3 ? "voxels" : "pixels", dims == 3 ? "volume_" + u + "3" : "area_" + u + "2");
    }

    /** Writes one row per label, background included, atomically. */
    public void writeCsv(Path file) {
        AtomicFiles.write(file, tmp -> {
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write(String.join(",", columns()));
                w.newLine();
                for (int l = 0; l < voxels.length; l++) {
                    w.write(l + "," + csvField(classes.get(l)) + "," + voxels[l] + ","
                            + ObjectTable.format(voxels[l] * voxelVolume));
                    w.newLine();
                }
            }
        });
    }

    private static String csvField(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
