package org.tessera.volume.io;

import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

import org.tessera.volume.Volume;

import net.imglib2.type.numeric.RealType;

/**
 * What a volume file holds, for {@code tessera info FILE} and folder listings.
 *
 * @param shape spatial dimensions, x, y[, z]
 * @param dataType the voxel type as read ("uint8", "int16", "float32", ...)
 */
public record VolumeInfo(Path file, String format, long[] shape, int channels, double[] spacing, String unit,
        String dataType) {

    public VolumeInfo {
        shape = shape.clone();
        spacing = spacing.clone();
    }

    @Override
    public long[] shape() { return shape.clone(); }

    @Override
    public double[] spacing() { return spacing.clone(); }

    static VolumeInfo of(Path file, String format, Volume volume) {
        return new VolumeInfo(file, format, volume.spatialShape(), volume.channels(), volume.spacing(), volume.unit(),
                typeName(volume.image().getType()));
    }

    /** One line per fact, as the {@code info} command prints it. */
    public String describe() {
        String dims = Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(" x "));
        String space = Arrays.stream(spacing).mapToObj(s -> new BigDecimal(s).round(new MathContext(6)).stripTrailingZeros().toPlainString())
                .collect(Collectors.joining(" x "));
        return "file:       " + file + "\n"
                + "format:     " + format + "\n"
                + "dimensions: " + dims + " (" + shape.length + "D, x y" + (shape.length == 3 ? " z" : "") + ")\n"
                + "channels:   " + channels + "\n"
                + "spacing:    " + space + (unit.isEmpty() ? " (unit unknown)" : " " + unit) + "\n"
                + "data type:  " + dataType + "\n";
    }

    /** NIfTI's name of the type ("uint8", "float32", ...), or the class name when NIfTI has none. */
    static String typeName(RealType<?> type) {
        return NiftiDataType.matching(type).map(t -> t.label).orElse(type.getClass().getSimpleName());
    }
}
