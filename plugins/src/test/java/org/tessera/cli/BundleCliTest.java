package org.tessera.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.volume.Orientation;
import org.tessera.volume.Volume;
import org.tessera.volume.io.VolumeIO;
import org.tessera.volume.phantom.Phantoms;

/** {@code tessera segment} with the tiny nnU-Net bundle of nnunet-planner's test fixtures. */
class BundleCliTest {

    static final Path BUNDLES = Path.of(System.getProperty("tessera.root", ".."), "nnunet-planner", "src", "test",
            "resources", "fixtures");

    @TempDir
    Path dir;

    @Test
    void segmentsWithABundleKeepingGeometry() {
        Volume phantom = Phantoms.nuclei3D(41, 33, 9, 3, false, 4).image();
        double[] affine = {0.6, 0, 0, -3, 0, 0.45, 0, 2, 0, 0, 2.5, 1, 0, 0, 0, 1};
        Path in = dir.resolve("stack.nii.gz");
        VolumeIO.write(Volume.of(phantom.image(), 0.6, 0.45, 2.5).withUnit("um")
                .withOrientation(new Orientation(1, affine, 2, affine)), in);
        CliTest.Run r = CliTest.run("segment", "-m", "tiny-plainconvunet-3d", "--models", BUNDLES.toString(), "-i",
                in.toString(), "-o", dir.resolve("out").toString(), "--device", "cpu", "--threads", "2",
                "--no-mirroring", "--probabilities");
        assertEquals(0, r.status(), r.err());
        Volume labels = CliTest.labelsWithGeometryOf(in, dir.resolve("out/stack_labels.nii.gz"));
        for (RealType<?> v : Views.flatIterable(labels.image()))
            assertTrue(v.getRealDouble() >= 0 && v.getRealDouble() <= 2);
        assertEquals(3, VolumeIO.read(dir.resolve("out/stack_probabilities.nii.gz")).channels());
    }

    @Test
    void bundleOptionsThatDoNotApplyAreRefused() {
        Path in = dir.resolve("s.nii.gz");
        VolumeIO.write(Phantoms.nuclei3D(20, 20, 8, 2, false, 1).image(), in);
        CliTest.Run halo = CliTest.run("segment", "-m", "tiny-plainconvunet-3d", "--models", BUNDLES.toString(), "-i",
                in.toString(), "-o", dir.resolve("o").toString(), "--device", "cpu", "--mode", "halo");
        assertNotEquals(0, halo.status());
        assertTrue(halo.err().contains("Gaussian sliding window"), halo.err());
        CliTest.Run bench = CliTest.run("bench", "-m", "tiny-plainconvunet-3d", "--models", BUNDLES.toString(),
                "--device", "cpu");
        assertNotEquals(0, bench.status());
        assertTrue(bench.err().contains("nnU-Net bundle"), bench.err());
    }
}
