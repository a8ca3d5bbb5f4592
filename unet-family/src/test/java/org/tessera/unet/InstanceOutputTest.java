package org.tessera.unet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.view.Views;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.service.SegmentationRequest;
import org.tessera.service.SegmentationService;
import org.tessera.service.Session;
import org.tessera.volume.Progress;
import org.tessera.volume.Volume;
import org.tessera.volume.classic.Components;
import org.tessera.volume.classic.Grid;
import org.tessera.volume.phantom.Phantoms;
import org.tessera.volume.tiling.TileMode;

/**
 * Instances from a network: halo-tiled runs give the whole-image run's objects voxel for voxel, by a card's
 * instances block (3-class fixture) and by the distance rule (2-class fixture); no probabilities unless asked.
 */
class InstanceOutputTest {

    @TempDir
    Path dir;

    /**
     * The fixture with a halo that covers its receptive field and an instances block. A fixed normalization
     * that stretches the phantom's intensities makes the untrained network's outputs follow the nuclei.
     */
    private SegmentationService service(String id, String normalizationJson, String instancesJson) throws Exception {
        Path folder = Fixtures.copy(id, dir.resolve("models").resolve(id));
        ObjectNode card = Fixtures.card(id);
        ArrayNode halo = card.putArray("halo");
        for (int d = 0; d < card.get("dimensionality").asInt(); d++)
            halo.add(8);
        card.set("normalization", Fixtures.JSON.readTree(normalizationJson));
        card.set("instances", Fixtures.JSON.readTree(instancesJson));
        Files.write(folder.resolve("card.json"), Fixtures.JSON.writeValueAsBytes(card));
        return new SegmentationService(ModelZoo.standard(List.of(dir.resolve("models"))));
    }

    private static SegmentResult segment(SegmentationService service, String id, Volume image, int[] tile) {
        SegmentationRequest request = SegmentationRequest.builder(id).mode(TileMode.HALO).tile(tile).instances(true)
                .device(OrtEngine.Device.CPU).threads(2).build();
        try (Session s = service.open(request, null)) {
            return s.segment(image, Progress.NONE);
        }
    }

    private static int[] instances(SegmentResult r) {
        Volume v = r.instances();
        float[] f = Grid.of(v.image(), v.spacing()).read(v.image());
        int[] out = new int[f.length];
        for (int i = 0; i < f.length; i++)
            out[i] = (int) f[i];
        return out;
    }

    private static void assertTiledEqualsWhole(SegmentationService service, String id, Volume image, int[] tile,
            int minObjects) {
        long[] shape = image.spatialShape();
        int[] whole = new int[shape.length], div = service.model(id).card().divisibility();
        for (int d = 0; d < shape.length; d++)
            whole[d] = (int) (shape[d] + div[d] - 1) / div[d] * div[d];
        SegmentResult one = segment(service, id, image, whole), tiled = segment(service, id, image, tile);
        assertEquals(1, one.tiles(), "the reference is one tile over the whole image");
        assertTrue(tiled.tiles() > 4, "several tiles: " + tiled.tiles());
        int[] a = instances(one), b = instances(tiled);
        int objects = Components.count(a), differ = 0;
        for (int i = 0; i < a.length; i++)
            if (a[i] != b[i])
                differ++;
        System.out.printf(java.util.Locale.ROOT, "%s: %d objects; %d halo tiles vs whole image: %d voxels differ%n", id,
                objects, tiled.tiles(), differ);
        assertTrue(objects >= minObjects, id + ": only " + objects + " objects");
        assertArrayEquals(a, b, id + ": tiled instances differ from whole-image ones at " + differ + " voxels");
        assertNull(tiled.probabilities(), "probabilities only when asked for");
        assertEquals(objects, tiled.objects().rows().size());
        assertTrue(tiled.instances().image().getType() instanceof UnsignedShortType);
        assertArrayEquals(image.spacing(), tiled.instances().spacing());
    }

    @Test
    void haloTiledInstancesEqualTheWholeImageByTheCardsRule() throws Exception {
        SegmentationService service = service(Fixtures.TINY_3D, """
                {"scheme": "fixed", "offset": 400, "scale": 60}""", """
                {"interior": "cell", "seedThreshold": 0.6, "foregroundThreshold": 0.54, "minSeedArea": 4,
                 "minArea": 12, "fillHoles": true}""");
        Volume phantom = Phantoms.nuclei3D(44, 40, 36, 8, false, 3).image();
        @SuppressWarnings("unchecked")
        var one = (RandomAccessibleInterval<UnsignedShortType>) phantom.image();
        Volume image = Volume.withChannels(Views.stack(one, one), phantom.spacing()).withUnit(phantom.unit());
        assertTiledEqualsWhole(service, Fixtures.TINY_3D, image, new int[] { 24, 24, 24 }, 2);
    }

    /** The trained nuclei model has two classes and no instances block: its foreground is split by distance. */
    @Test
    void haloTiledInstancesEqualTheWholeImageByTheDistanceRule() {
        SegmentationService service = new SegmentationService(ModelZoo.standard(List.of()));
        Volume image = Phantoms.nuclei2D(260, 200, 24, false, 7).image();
        assertTiledEqualsWhole(service, "nuclei-2d-unet", image, new int[] { 160, 160 }, 10);
    }
}
