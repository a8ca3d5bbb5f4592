package org.tessera.volume.instances;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import net.imglib2.img.array.ArrayImgs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.volume.Volume;
import org.tessera.volume.classic.Grid;

/** The object table against hand counts on synthetic images, and its CSV. */
class ObjectTableTest {

    @TempDir
    Path dir;

    @Test
    void areasCentroidsBoxesAndIntensitiesMatchAHandCount() throws Exception {
        // 10 x 8 pixels of 0.5 x 2 um; object 1: the 4 x 3 rectangle x 2..5, y 1..3; object 2: the pixel (8, 6)
        int w = 10, h = 8;
        short[] raw = new short[w * h];
        int[] instances = new int[w * h];
        for (int y = 1; y <= 3; y++)
            for (int x = 2; x <= 5; x++) {
                instances[y * w + x] = 1;
                raw[y * w + x] = (short) (100 + x); // 102..105, mean 103.5
            }
        instances[6 * w + 8] = 2;
        raw[6 * w + 8] = (short) 40000; // stored as unsigned: read back as 40000, not negative
        Volume input = Volume.of(ArrayImgs.unsignedShorts(raw, w, h), 0.5, 2).withUnit("um");
        ObjectTable t = ObjectTable.measure(Grid.of(input.image(), input.spacing()), instances, input);
        assertEquals(List.of("id", "pixels", "area_um2", "centroid_x", "centroid_y", "centroid_x_um", "centroid_y_um",
                "min_x", "max_x", "min_y", "max_y", "mean", "min", "max", "equivalent_diameter_um"), t.columns());
        assertEquals(2, t.rows().size());
        assertEquals(12, t.get(0, "pixels"));
        assertEquals(12.0, t.get(0, "area_um2"), 1e-12); // 12 x 0.5 x 2
        assertEquals(3.5, t.get(0, "centroid_x"), 1e-12);
        assertEquals(2.0, t.get(0, "centroid_y"), 1e-12);
        assertEquals(1.75, t.get(0, "centroid_x_um"), 1e-12);
        assertEquals(4.0, t.get(0, "centroid_y_um"), 1e-12);
        assertEquals(2, t.get(0, "min_x"));
        assertEquals(5, t.get(0, "max_x"));
        assertEquals(1, t.get(0, "min_y"));
        assertEquals(3, t.get(0, "max_y"));
        assertEquals(103.5, t.get(0, "mean"), 1e-9);
        assertEquals(102, t.get(0, "min"));
        assertEquals(105, t.get(0, "max"));
        assertEquals(2 * Math.sqrt(12 / Math.PI), t.get(0, "equivalent_diameter_um"), 1e-12);
        assertEquals(40000, t.get(1, "mean"));
        assertEquals(1, t.get(1, "pixels"));

        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY); // a decimal comma must not leak into the CSV
            t.writeCsv(dir.resolve("objects.csv"));
        } finally {
            Locale.setDefault(before);
        }
        List<String> lines = Files.readAllLines(dir.resolve("objects.csv"));
        assertEquals(3, lines.size());
        assertEquals(String.join(",", t.columns()), lines.get(0));
        assertEquals("1,12,12,3.5,2,1.75,4,2,5,1,3,103.5,102,105,3.90882", lines.get(1));
        assertEquals(List.of("objects.csv"), Files.list(dir).map(p -> p.getFileName().toString()).toList(),
                "no temporary file left");
    }

    @Test
    void threeDimensionalObjectsMeasureVolumesAndSpheres() {
        // a 2 x 2 x 3 block of 1 x 1 x 2 mm voxels at x 1..2, y 0..1, z 1..3
        int w = 4, h = 3, d = 5;
        int[] instances = new int[w * h * d];
        for (int z = 1; z <= 3; z++)
            for (int y = 0; y <= 1; y++)
                for (int x = 1; x <= 2; x++)
                    instances[(z * h + y) * w + x] = 1;
        Volume input = Volume.of(ArrayImgs.floats(w, h, d), 1, 1, 2).withUnit("mm");
        ObjectTable t = ObjectTable.measure(Grid.of(input.image(), input.spacing()), instances, input);
        assertEquals("volume_mm3", t.columns().get(2));
        assertEquals(12, t.get(0, "voxels"));
        assertEquals(24.0, t.get(0, "volume_mm3"), 1e-12);
        assertEquals(2.0, t.get(0, "centroid_z"), 1e-12);
        assertEquals(4.0, t.get(0, "centroid_z_mm"), 1e-12);
        assertEquals(1, t.get(0, "min_z"));
        assertEquals(3, t.get(0, "max_z"));
        assertEquals(Math.cbrt(6 * 24 / Math.PI), t.get(0, "equivalent_diameter_mm"), 1e-12);
    }
}
