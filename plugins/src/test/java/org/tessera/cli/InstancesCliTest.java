package org.tessera.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.volume.Volume;
import org.tessera.volume.io.VolumeIO;
import org.tessera.volume.phantom.Phantoms;

/** {@code tessera segment --instances}: instance image and object table beside the labels, reruns, mistakes. */
class InstancesCliTest {

    @TempDir
    Path dir;

    private static CliTest.Run segment(String model, Path input, Path out, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("segment", "-m", model, "--models",
                CliTest.FIXTURES.toString(), "-i", input.toString(), "-o", out.toString(), "--device", "cpu",
                "--instances"));
        args.addAll(List.of(extra));
        return CliTest.run(args.toArray(String[]::new));
    }

    @Test
    void writesInstancesAndObjectsWithTheInputsGeometryAndSkipsThemWhenRunAgain() throws IOException {
        Path tif = dir.resolve("cells.tif");
        VolumeIO.write(Phantoms.nuclei2D(160, 120, 9, false, 4).image(), tif);
        CliTest.Run r = segment("nuclei-2d-unet", tif, dir.resolve("out"), "--mode", "halo");
        assertEquals(0, r.status(), r.err());
        Volume instances = CliTest.labelsWithGeometryOf(tif, dir.resolve("out/cells_instances.tif"));
        assertFalse(Files.exists(dir.resolve("out/cells_probabilities.tif")), "no probabilities unless asked");
        List<String> csv = Files.readAllLines(dir.resolve("out/cells_objects.csv"));
        long objects = max(instances), voxels = 0;
        for (RealType<?> v : Views.flatIterable(instances.image()))
            if (v.getRealDouble() > 0)
                voxels++;
        assertTrue(objects >= 5, "the trained model finds the nuclei: " + objects);
        assertEquals(objects + 1, csv.size(), "a header and a row per object");
        assertEquals(voxels, csv.stream().skip(1).mapToLong(l -> Long.parseLong(l.split(",")[1])).sum());
        assertTrue(r.out().contains(objects + " objects -> "), r.out());

        var before = Files.getLastModifiedTime(dir.resolve("out/cells_objects.csv"));
        CliTest.Run again = segment("nuclei-2d-unet", tif, dir.resolve("out"), "--mode", "halo");
        assertEquals(0, again.status(), again.err());
        assertTrue(again.err().contains("skipped"), again.err());
        assertEquals(before, Files.getLastModifiedTime(dir.resolve("out/cells_objects.csv")));
    }

    @Test
    void aNiftiStackGetsItsInstancesInItsOwnGeometry() {
        Path in = CliTest.orientedStack(dir);
        CliTest.Run r = segment("tiny-unet-2d", in, dir.resolve("out"), "--instance-param", "minArea=1");
        assertEquals(0, r.status(), r.err());
        CliTest.labelsWithGeometryOf(in, dir.resolve("out/stack_instances.nii.gz"));
        assertTrue(Files.exists(dir.resolve("out/stack_objects.csv")));
    }

    @Test
    void anUnknownInstanceParameterExitsTwoNamingIt() {
        Path in = dir.resolve("a.tif");
        VolumeIO.write(Phantoms.nuclei2D(40, 32, 3, false, 1).image(), in);
        CliTest.Run r = segment("tiny-unet-2d", in, dir.resolve("out"), "--instance-param", "nope=1");
        assertEquals(ExitCodes.INVALID_INPUT, r.status(), r.err());
        assertTrue(r.err().contains("'nope'") && r.err().contains("minArea"), r.err());
        assertFalse(Files.exists(dir.resolve("out")), "nothing written");
    }

    private static long max(Volume v) {
        double m = 0;
        for (RealType<?> t : Views.flatIterable(v.image()))
            m = Math.max(m, t.getRealDouble());
        return (long) m;
    }
}
