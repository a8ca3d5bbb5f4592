package org.tessera.volume.instances;

import java.io.BufferedWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.tessera.volume.Volume;
import org.tessera.volume.classic.Components;
import org.tessera.volume.classic.Grid;
import org.tessera.volume.io.AtomicFiles;

/**
 * One row per object of an instance image: id; size in voxels and in calibrated units (voxels times the product
 * of the spacing); centroid in voxels and calibrated (voxel centres at index x spacing); bounding box (first and
 * last voxel per axis); mean, min and max of the input's first channel as stored (not normalized); and the
 * diameter of the circle (2D) or sphere (3D) of the same calibrated size.
 */
public record ObjectTable(List<String> columns, List<double[]> rows) {

    private static final String[] AXES = { "x", "y", "z" };

    /**
     * @param instances objects 1..n, 0 elsewhere (flat, the grid's order)
     * @param input     the image segmented; its spacing and unit calibrate the table
     */
    public static ObjectTable measure(Grid grid, int[] instances, Volume input) {
        int dims = grid.numDimensions(), n = Components.count(instances);
        float[] values = grid.read(input.channel(0));
        long[] count = new long[n + 1];
        double[][] sum = new double[n + 1][dims];
        int[][] min = new int[n + 1][dims], max = new int[n + 1][dims];
        double[] total = new double[n + 1], low = new double[n + 1], high = new double[n + 1];
        Arrays.fill(low, Double.POSITIVE_INFINITY);
        Arrays.fill(high, Double.NEGATIVE_INFINITY);
        for (int[] m : min)
            Arrays.fill(m, Integer.MAX_VALUE);
        int[] pos = new int[dims];
        for (int i = 0; i < instances.length; i++) {
            int l = instances[i];
            if (l == 0)
                continue;
            grid.position(i, pos);
            count[l]++;
            for (int d = 0; d < dims; d++) {
                sum[l][d] += pos[d];
                min[l][d] = Math.min(min[l][d], pos[d]);
                max[l][d] = Math.max(max[l][d], pos[d]);
            }
            total[l] += values[i];
            low[l] = Math.min(low[l], values[i]);
            high[l] = Math.max(high[l], values[i]);
        }
        double voxel = 1;
        for (int d = 0; d < dims; d++)
            voxel *= grid.spacing(d);
        List<double[]> rows = new ArrayList<>();
        for (int l = 1; l <= n; l++) {
            if (count[l] == 0)
                continue;
            double[] row = new double[columns(dims, "").size()];
            int c = 0;
            row[c++] = l;
            row[c++] = count[l];
            double size = count[l] * voxel;
            row[c++] = size;
            for (int d = 0; d < dims; d++)
                row[c++] = sum[l][d] / count[l];
            for (int d = 0; d < dims; d++)
                row[c++] = sum[l][d] / count[l] * grid.spacing(d);
            for (int d = 0; d < dims; d++) {
                row[c++] = min[l][d];
                row[c++] = max[l][d];
            }
            row[c++] = total[l] / count[l];
            row[c++] = low[l];
            row[c++] = high[l];
            row[c] = dims == 3 ? Math.cbrt(6 * size / Math.PI) : 2 * Math.sqrt(size / Math.PI);
            rows.add(row);
        }
        return new ObjectTable(columns(dims, input.unit()), List.copyOf(rows));
    }

    /** The column names for a 2D or 3D image in {@code unit} ("pixels"/"voxels" counted; calibrated ones suffixed). */
    static List<String> columns(int dims, String unit) {
        String u = unit == null || unit.isBlank() ? "unit" : unit;
        List<String> c = new ArrayList<>(List.of("id", dims == 3 ? "voxels" : "pixels",
                dims == 3 ? "volume_" + u + "3" : "area_" + u + "2"));
        for (int d = 0; d < dims; d++)
            c.add("centroid_" + AXES[d]);
        for (int d = 0; d < dims; d++)
            c.add("centroid_" + AXES[d] + "_" + u);
        for (int d = 0; d < dims; d++) {
            c.add("min_" + AXES[d]);
            c.add("max_" + AXES[d]);
        }
        c.addAll(List.of("mean", "min", "max", "equivalent_diameter_" + u));
        return List.copyOf(c);
    }

    /** The value of a column in a row. */
    public double get(int row, String column) {
        int c = columns.indexOf(column);
        if (c < 0)
            throw new IllegalArgumentException("no column " + column + " in " + columns);
        return rows.get(row)[c];
    }

    /** Writes the table as CSV with a header row, numbers in the root locale; atomically. */
    public void writeCsv(Path file) {
        AtomicFiles.write(file, tmp -> {
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write(String.join(",", columns));
                w.newLine();
                for (double[] row : rows) {
                    StringBuilder line = new StringBuilder();
                    for (double v : row)
                        line.append(line.length() == 0 ? "" : ",").append(format(v));
                    w.write(line.toString());
                    w.newLine();
                }
            }
        });
    }

    /** Whole numbers as such, others to 7 significant digits without trailing zeros (locale-free): Tessera's tables. */
    public static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15)
            return Long.toString((long) v);
        if (!Double.isFinite(v))
            return Double.toString(v);
        return new BigDecimal(v).round(new MathContext(7)).stripTrailingZeros().toPlainString();
    }
}
