package org.tessera.unet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.service.FileSegmentation;
import org.tessera.service.SegmentationRequest;
import org.tessera.service.SegmentationService;
import org.tessera.service.Session;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Progress;
import org.tessera.volume.Volume;
import org.tessera.volume.io.VolumeIO;
import org.tessera.volume.metrics.Overlap;
import org.tessera.volume.phantom.Phantoms;

/** A classic method as a VolumeSegmenter: through FileSegmentation like a network, labels and instances written. */
class ClassicSegmenterTest {

    @TempDir
    Path dir;

    @Test
    void segmentsFilesKeepingGeometryAndWritesInstancesWhenAsked() throws java.io.IOException {
        Files.createDirectories(dir.resolve("out"));
        Phantoms.Phantom p = Phantoms.nuclei3D(64, 56, 16, 6, false, 7);
        Path in = dir.resolve("stack.nii.gz");
        VolumeIO.write(p.image().withUnit("um"), in);
        ClassicSegmenter s = new ClassicSegmenter("classic:watershed", Map.of("instances", "true", "names", "bg,nucleus"));
        assertEquals("classic:watershed", s.id());
        assertEquals(List.of("bg", "nucleus"), s.classes());
        assertTrue(s.instances());
        SegmentationRequest request = SegmentationRequest.builder("classic:watershed")
                .parameters(Map.of("instances", "true", "names", "bg,nucleus")).overlay(true).build();
        Session session = new SegmentationService(ModelZoo.standard(List.of())).open(request, null);
        var r = session.segmentFile(in, dir.resolve("out"), Progress.NONE);
        assertEquals(FileSegmentation.Status.DONE, r.status());
        Volume labels = VolumeIO.read(r.outputs().labels()), instances = VolumeIO.read(r.outputs().instances());
        assertEquals(dir.resolve("out/stack_instances.nii.gz"), r.outputs().instances());
        assertArrayEquals(p.image().spatialShape(), labels.spatialShape());
        assertArrayEquals(p.image().spacing(), labels.spacing(), 1e-6);
        assertEquals("um", labels.unit());
        assertArrayEquals(p.image().spatialShape(), instances.spatialShape());
        assertTrue(Files.exists(r.outputs().overlay()));
        assertTrue(Overlap.of(labels.image(), p.labels().image(), 2).dice(1) > 0.8);
        assertEquals(ClassicSegmenter.DEVICE, r.result().device());
        assertEquals(1, r.result().tiles());
        // run again: everything exists, so it is skipped
        assertEquals(FileSegmentation.Status.SKIPPED, session.segmentFile(in, dir.resolve("out"), Progress.NONE).status());
    }

    @Test
    void noProbabilitiesAndNoInstancesUnlessAsked() {
        ClassicSegmenter otsu = new ClassicSegmenter("classic:otsu", Map.of());
        Volume image = Phantoms.nuclei2D(64, 48, 3, false, 1).image();
        assertNull(otsu.segment(image, SegmentOptions.defaults(), Progress.NONE).instances());
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> otsu.segment(image, SegmentOptions.defaults().withProbabilities(true), Progress.NONE));
        assertTrue(e.getMessage().contains("no probabilities"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> new ClassicSegmenter("classic:kmeans", Map.of("k", "0")));
    }
}
