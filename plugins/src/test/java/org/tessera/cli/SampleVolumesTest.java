package org.tessera.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.volume.Volume;
import org.tessera.volume.io.VolumeIO;

/** The committed samples are exactly what the generator makes with the seeds in scripts/make-samples.sh. */
class SampleVolumesTest {

    static final Path SAMPLES = Path.of(System.getProperty("tessera.root", ".."), "sample-volumes");

    @Test
    void committedSamplesAreRegeneratedVoxelForVoxel(@TempDir Path dir) throws Exception {
        List<String> script = Files.readAllLines(SAMPLES.resolveSibling("scripts").resolve("make-samples.sh"));
        int checked = 0;
        for (String line : script) {
            if (!line.contains(" phantom "))
                continue;
            String[] words = line.substring(line.indexOf(" phantom ") + 1).replace("\"", "").split("\\s+");
            String target = words[words.length - 1]; // $root/sample-volumes/<name>
            String name = target.substring(target.lastIndexOf('/') + 1);
            words[words.length - 1] = dir.resolve(name).toString();
            assertEquals(0, CliTest.run(words).status(), line);
            String truth = VolumeIO.stem(Path.of(name)) + "_truth" + VolumeIO.extension(Path.of(name));
            for (String f : List.of(name, truth)) {
                Volume committed = VolumeIO.read(SAMPLES.resolve(f)), made = VolumeIO.read(dir.resolve(f));
                assertArrayEquals(committed.spatialShape(), made.spatialShape(), f);
                assertArrayEquals(committed.spacing(), made.spacing(), 1e-6, f);
                assertSameVoxels(committed.image(), made.image(), f);
                checked++;
            }
        }
        assertEquals(4, checked, "two samples, each with its truth");
    }

    private static void assertSameVoxels(RandomAccessibleInterval<? extends RealType<?>> a,
            RandomAccessibleInterval<? extends RealType<?>> b, String what) {
        var ca = Views.flatIterable(a).cursor();
        var cb = Views.flatIterable(b).cursor();
        while (ca.hasNext())
            assertEquals(ca.next().getRealDouble(), cb.next().getRealDouble(), what);
    }
}
