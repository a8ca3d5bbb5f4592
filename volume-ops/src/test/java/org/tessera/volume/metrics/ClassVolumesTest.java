package org.tessera.volume.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.type.numeric.integer.UnsignedByteType;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.volume.Volume;

class ClassVolumesTest {

    @TempDir
    Path dir;

    @Test
    void countsEachLabelAndScalesByTheVoxelVolume() throws IOException {
        // 4 x 3 x 2 labels: 2 voxels of class 1, 1 of class 2 (beyond the names), the rest background
        ArrayImg<UnsignedByteType, ByteArray> labels = ArrayImgs.unsignedBytes(4, 3, 2);
        labels.randomAccess().setPositionAndGet(1, 1, 0).set(1);
        labels.randomAccess().setPositionAndGet(3, 2, 1).set(1);
        labels.randomAccess().setPositionAndGet(0, 0, 1).set(2);
        ClassVolumes v = ClassVolumes.of(Volume.of(labels, 0.5, 0.5, 2).withUnit("um"), List.of("background", "nucleus"));
        assertArrayEquals(new long[] { 21, 2, 1 }, v.voxels());
        Path csv = dir.resolve("volumes.csv");
        v.writeCsv(csv);
        assertEquals(List.of("label,class,voxels,volume_um3", "0,background,21,10.5", "1,nucleus,2,1", "2,,1,0.5"),
                Files.readAllLines(csv));
    }

    @Test
    void twoDimensionalImagesCountPixelsAndArea() {
        ArrayImg<UnsignedByteType, ByteArray> labels = ArrayImgs.unsignedBytes(2, 2);
        assertEquals(List.of("label", "class", "pixels", "area_unit2"),
                ClassVolumes.of(Volume.of(labels, 1, 1), List.of("background")).columns());
    }
}
