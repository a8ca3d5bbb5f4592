package org.tessera.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.unet.Model;
import org.tessera.unet.ModelZoo;
import org.tessera.unet.OrtEngine;
import org.tessera.unet.SegmentOptions;
import org.tessera.unet.SegmentResult;
import org.tessera.unet.Segmenter;
import org.tessera.volume.Orientation;
import org.tessera.volume.Progress;
import org.tessera.volume.Volume;
import org.tessera.volume.io.VolumeIO;
import org.tessera.volume.phantom.Phantoms;
import org.tessera.volume.tiling.TileMode;

/** {@code tessera segment --attention-maps}: one float file per attention gate next to the labels. */
class AttentionMapsCliTest {

    @TempDir
    Path dir;

    @Test
    void writesOneMapPerGateWithTheInputsGeometryAndTheCoresValues() throws IOException {
        Path in = dir.resolve("cells.tif");
        Volume image = Phantoms.nuclei2D(300, 230, 10, false, 4).image().withSpacing(0.4, 0.4).withUnit("um");
        VolumeIO.write(image, in);
        Path out = dir.resolve("out");
        CliTest.Run r = CliTest.run("segment", "-m", "nuclei-2d-attention-unet", "-i", in.toString(), "-o",
                out.toString(), "--mode", "halo", "--device", "cpu", "--threads", "2", "--attention-maps");
        assertEquals(0, r.status(), r.err());
        assertEquals(Set.of("cells_labels.tif", "cells_attention_1.tif", "cells_attention_2.tif", "cells_attention_3.tif",
                "cells_tessera.json"), names(out), "one file per gate and the record, nothing else (no temporary files)");
        assertTrue(r.out().contains("attention map -> " + out.resolve("cells_attention_3.tif")), r.out());

        Volume input = VolumeIO.read(in);
        SegmentResult core;
        Model model = ModelZoo.standard(List.of()).get("nuclei-2d-attention-unet");
        try (OrtEngine engine = model.open(OrtEngine.Options.cpu(2))) {
            core = new Segmenter(model, engine, null).segment(input,
                    SegmentOptions.defaults().withMode(TileMode.HALO).withAttentionMaps(true), Progress.NONE);
        }
        for (int k = 1; k <= 3; k++) {
            Volume map = VolumeIO.read(out.resolve("cells_attention_" + k + ".tif"));
            assertArrayEquals(input.spatialShape(), map.spatialShape(), "attention_" + k);
            assertEquals(1, map.channels());
            assertArrayEquals(input.spacing(), map.spacing(), 1e-6);
            assertEquals("um", map.unit());
            assertTrue(map.image().getType() instanceof FloatType, "float maps");
            float[] written = floats(map), expected = floats(core.attention().get(k - 1).map());
            assertArrayEquals(expected, written, 0f, "attention_" + k + " as the core made it");
            for (float v : written)
                assertTrue(v >= 0 && v <= 1, "attention_" + k + " value " + v);
        }

        // run again: all outputs exist, skipped; a missing map makes it run again; other options are refused
        String[] same = { "segment", "-m", "nuclei-2d-attention-unet", "-i", in.toString(), "-o", out.toString(),
                "--mode", "halo", "--device", "cpu", "--attention-maps" };
        assertTrue(CliTest.run(same).err().contains("outputs exist, skipped"));
        CliTest.Run gaussian = CliTest.run("segment", "-m", "nuclei-2d-attention-unet", "-i", in.toString(), "-o",
                out.toString(), "--device", "cpu", "--attention-maps");
        assertTrue(gaussian.status() != 0 && gaussian.err().contains("mode: halo -> auto"), gaussian.err());
        Files.delete(out.resolve("cells_attention_2.tif"));
        CliTest.Run again = CliTest.run(same);
        assertEquals(0, again.status(), again.err());
        assertTrue(Files.exists(out.resolve("cells_attention_2.tif")));
    }

    @Test
    void threeDimensionalNiftiGivesThreeDimensionalMapsWithItsOrientation() {
        Volume image = Phantoms.nuclei3D(70, 60, 20, 4, false, 2).image();
        double[] affine = { -0.8, 0, 0, 10, 0, 0.8, 0, -4, 0, 0, 1.75, 7.5, 0, 0, 0, 1 };
        Path in = dir.resolve("embryo.nii.gz");
        VolumeIO.write(image.withSpacing(0.8, 0.8, 1.75).withUnit("um").withOrientation(new Orientation(1, affine, 2, affine)),
                in);
        CliTest.Run r = CliTest.run("segment", "-m", "nuclei-3d-attention-unet", "-i", in.toString(), "-o",
                dir.resolve("out").toString(), "--device", "cpu", "--threads", "2", "--attention-maps");
        assertEquals(0, r.status(), r.err());
        Volume input = VolumeIO.read(in);
        for (int k = 1; k <= 3; k++) {
            Volume map = VolumeIO.read(dir.resolve("out/embryo_attention_" + k + ".nii.gz"));
            assertArrayEquals(new long[] { 70, 60, 20 }, map.spatialShape());
            assertArrayEquals(input.spacing(), map.spacing(), 1e-6);
            assertEquals(input.orientation(), map.orientation());
        }
    }

    @Test
    void pngInputsGetTiffMaps() {
        Path in = dir.resolve("small.png");
        VolumeIO.write(Phantoms.nuclei2D(64, 48, 3, false, 1).image(), in);
        CliTest.Run r = CliTest.run("segment", "-m", "nuclei-2d-attention-unet", "-i", in.toString(), "-o",
                dir.resolve("out").toString(), "--device", "cpu", "--attention-maps");
        assertEquals(0, r.status(), r.err());
        assertTrue(Files.exists(dir.resolve("out/small_labels.png")));
        assertArrayEquals(new long[] { 64, 48 }, VolumeIO.read(dir.resolve("out/small_attention_1.tif")).spatialShape());
    }

    @Test
    void aModelWithoutAttentionMapsIsABadParameterAndWritesNothing() throws IOException {
        Path in = dir.resolve("cells.tif");
        VolumeIO.write(Phantoms.nuclei2D(64, 48, 3, false, 1).image(), in);
        CliTest.Run r = CliTest.run("segment", "-m", "nuclei-2d-unet", "-i", in.toString(), "-o",
                dir.resolve("out").toString(), "--device", "cpu", "--attention-maps");
        assertEquals(ExitCodes.INVALID_INPUT, r.status(), r.err());
        assertTrue(r.err().contains("nuclei-2d-unet") && r.err().contains("attention maps"), r.err());
        assertTrue(r.err().contains("nuclei-2d-attention-unet"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertTrue(!Files.exists(dir.resolve("out")) || names(dir.resolve("out")).isEmpty(), "no output");
    }

    private static Set<String> names(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    private static float[] floats(Volume v) {
        float[] out = new float[Math.toIntExact(Views.flatIterable(v.image()).size())];
        int i = 0;
        for (RealType<?> t : Views.flatIterable(v.image()))
            out[i++] = t.getRealFloat();
        return out;
    }
}
