package org.tessera.volume.instances;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import net.imglib2.img.array.ArrayImgs;

import org.junit.jupiter.api.Test;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Volume;
import org.tessera.volume.classic.Components;
import org.tessera.volume.classic.Grid;

/** Probabilities and masks into objects: ridges split, small seeds and objects go, holes fill, 3D, determinism. */
class InstanceLabelsTest {

    static final InstanceParameters P = InstanceParameters.DEFAULTS;

    /** Interior and boundary maps of discs (2D) or balls (3D), with a boundary rim and ridges where they meet. */
    record Maps(Grid grid, float[] interior, float[] boundary) {

        static Maps of(long[] dims, double radius, boolean ridge, double[]... centres) {
            Grid grid = new Grid(dims, dims.length == 3 ? new double[] { 1, 1, 1 } : new double[] { 1, 1 });
            float[] interior = new float[grid.size()], boundary = new float[grid.size()];
            int[] pos = new int[dims.length];
            for (int i = 0; i < grid.size(); i++) {
                grid.position(i, pos);
                double nearest = Double.MAX_VALUE, second = Double.MAX_VALUE;
                for (double[] c : centres) {
                    double d2 = 0;
                    for (int d = 0; d < dims.length; d++)
                        d2 += (pos[d] - c[d]) * (pos[d] - c[d]);
                    double dist = Math.sqrt(d2);
                    if (dist < nearest) {
                        second = nearest;
                        nearest = dist;
                    } else
                        second = Math.min(second, dist);
                }
                if (nearest > radius)
                    continue;
                boolean edge = nearest > radius - 1.5 || ridge && second - nearest < 2;
                // interior highest at the centres, so the flood order is the distance order
                interior[i] = edge ? 0.1f : (float) (0.6 + 0.4 * (1 - nearest / radius));
                boundary[i] = edge ? 0.85f : 1 - interior[i];
            }
            return new Maps(grid, interior, boundary);
        }

        int[] instances(InstanceParameters p) {
            return InstanceLabels.fromProbabilities(grid, interior, boundary, p);
        }

        int at(int[] labels, int... pos) {
            return labels[grid.index(pos)];
        }
    }

    @Test
    void touchingDiscsWithABoundaryRidgeBecomeTwoObjects() {
        Maps m = Maps.of(new long[] { 60, 40 }, 10, true, new double[] { 20, 20 }, new double[] { 36, 20 });
        int[] labels = m.instances(P);
        assertEquals(2, Components.count(labels));
        assertEquals(1, m.at(labels, 15, 20), "the left disc, met first in raster order... ");
        assertEquals(2, m.at(labels, 41, 20));
        // the ridge belongs to one side or the other: the foreground is covered, nothing else
        assertTrue(m.at(labels, 28, 20) > 0);
        assertEquals(0, m.at(labels, 50, 35));
        int[] sizes = sizes(labels);
        assertTrue(Math.abs(sizes[1] - sizes[2]) < 20, "about equal halves: " + sizes[1] + " vs " + sizes[2]);

        // without the ridge the seeds merge into one: the ridge is what splits them
        Maps merged = Maps.of(new long[] { 60, 40 }, 10, false, new double[] { 20, 20 }, new double[] { 36, 20 });
        assertEquals(1, Components.count(merged.instances(P)));
    }

    @Test
    void aSeedBelowMinSeedAreaIsDroppedAndItsForegroundLeftOut() {
        Grid grid = new Grid(new long[] { 20, 20 }, new double[] { 1, 1 });
        float[] interior = new float[grid.size()], boundary = new float[grid.size()];
        for (int y = 5; y <= 11; y++)
            for (int x = 5; x <= 11; x++)
                boundary[grid.index(x, y)] = 0.9f; // foreground, no seed
        for (int x = 7; x <= 9; x++) { // a seed of 3 pixels
            interior[grid.index(x, 8)] = 0.9f;
            boundary[grid.index(x, 8)] = 0.1f;
        }
        assertEquals(0, Components.count(InstanceLabels.fromProbabilities(grid, interior, boundary, P)));
        int[] kept = InstanceLabels.fromProbabilities(grid, interior, boundary,
                P.with(Map.of("minSeedArea", "3")));
        assertEquals(1, Components.count(kept));
        assertEquals(49, sizes(kept)[1], "the seed floods its whole 7 x 7 foreground");
    }

    @Test
    void objectsBelowMinAreaAreRemoved() {
        Grid grid = new Grid(new long[] { 30, 10 }, new double[] { 1, 1 });
        float[] interior = new float[grid.size()];
        for (int y = 2; y < 4; y++)
            for (int x = 2; x < 7; x++)
                interior[grid.index(x, y)] = 0.9f; // 10 pixels
        for (int y = 2; y < 6; y++)
            for (int x = 15; x < 20; x++)
                interior[grid.index(x, y)] = 0.9f; // 20 pixels
        int[] labels = InstanceLabels.fromProbabilities(grid, interior, null, P);
        assertEquals(1, Components.count(labels));
        assertEquals(20, sizes(labels)[1]);
        assertEquals(1, labels[grid.index(15, 2)], "renumbered from 1");
        assertEquals(2, Components.count(InstanceLabels.fromProbabilities(grid, interior, null,
                P.with(Map.of("minarea", "10")))), "keys in any case");
    }

    @Test
    void holesAreFilledPerObjectWhenAsked() {
        Grid grid = new Grid(new long[] { 40, 20 }, new double[] { 1, 1 });
        int[] labels = new int[grid.size()];
        // a ring (object 5) with a hole; two touching bars (7, 8) that enclose a gap between them
        for (int y = 2; y <= 10; y++)
            for (int x = 2; x <= 10; x++)
                labels[grid.index(x, y)] = x == 2 || x == 10 || y == 2 || y == 10 ? 5 : 0;
        for (int y = 2; y <= 10; y++)
            for (int x = 20; x <= 30; x++) {
                boolean rim = x == 20 || x == 30 || y == 2 || y == 10;
                if (rim)
                    labels[grid.index(x, y)] = x < 25 ? 7 : 8;
            }
        int[] filled = InstanceLabels.finish(grid, labels, P);
        assertEquals(81, sizes(filled)[1], "the ring and its 7 x 7 hole");
        assertEquals(0, filled[grid.index(25, 6)], "a gap two objects enclose is no hole of either");
        int[] open = InstanceLabels.finish(grid, labels, P.with(Map.of("fillHoles", "false")));
        assertEquals(32, sizes(open)[1]);
        assertEquals(0, open[grid.index(6, 6)]);
    }

    @Test
    void threeDimensionalBallsSplitAtTheirRidgeAndNumberInRasterOrder() {
        Maps m = Maps.of(new long[] { 24, 20, 30 }, 7, true, new double[] { 11, 10, 20 }, new double[] { 12, 10, 8 });
        int[] labels = m.instances(P);
        assertEquals(2, Components.count(labels));
        assertEquals(1, m.at(labels, 12, 10, 6), "the ball at low z comes first in raster order");
        assertEquals(2, m.at(labels, 11, 10, 22));
        assertEquals(0, m.at(labels, 1, 1, 1));
    }

    @Test
    void equalInputsGiveEqualLabelsAndTiesGoFirstInFirstOut() {
        Maps m = Maps.of(new long[] { 60, 40 }, 10, true, new double[] { 20, 20 }, new double[] { 36, 20 });
        assertArrayEquals(m.instances(P), m.instances(P));
        // a flat interior with two seeds: the voxels between them are claimed in push order, the same each time
        Grid grid = new Grid(new long[] { 21, 3 }, new double[] { 1, 1 });
        float[] interior = new float[grid.size()];
        java.util.Arrays.fill(interior, 0.4f);
        for (int y = 0; y < 3; y++)
            for (int x : new int[] { 0, 1, 19, 20 })
                interior[grid.index(x, y)] = 0.9f;
        int[] labels = InstanceLabels.fromProbabilities(grid, interior, null,
                P.with(Map.of("foregroundThreshold", "0.3", "minSeedArea", "1", "minArea", "1")));
        assertEquals(2, Components.count(labels));
        assertEquals(1, labels[grid.index(10, 1)], "the middle column goes to the seed that reached it first");
        assertEquals(2, labels[grid.index(11, 1)]);
        assertArrayEquals(labels, InstanceLabels.fromProbabilities(grid, interior, null,
                P.with(Map.of("foregroundThreshold", "0.3", "minSeedArea", "1", "minArea", "1"))));
    }

    @Test
    void aMaskWithoutProbabilitiesSplitsAtTheNecksOfItsDistanceMap() {
        Maps m = Maps.of(new long[] { 60, 40 }, 10, false, new double[] { 20, 20 }, new double[] { 36, 20 });
        boolean[] mask = new boolean[m.grid().size()];
        for (int i = 0; i < mask.length; i++)
            mask[i] = m.interior()[i] + m.boundary()[i] > 0.5;
        int[] labels = InstanceLabels.fromMask(m.grid(), mask, P);
        assertEquals(2, Components.count(labels));
        assertNotEquals(m.at(labels, 15, 20), m.at(labels, 41, 20));
        assertEquals(1, Components.count(InstanceLabels.components(m.grid(), mask, P)), "components do not split");
    }

    @Test
    void parametersNameTheUnknownKeyAndWhatWorks() {
        String m = assertThrows(InvalidInputException.class, () -> InstanceParameters.check(Map.of("nope", "1")))
                .getMessage();
        assertTrue(m.contains("'nope'") && m.contains("seedThreshold") && m.contains("fillHoles"), m);
        m = assertThrows(InvalidInputException.class, () -> InstanceParameters.check(Map.of("minArea", "big")))
                .getMessage();
        assertTrue(m.contains("minArea") && m.contains("whole number"), m);
        m = assertThrows(InvalidInputException.class, () -> InstanceParameters.check(Map.of("seedThreshold", "2")))
                .getMessage();
        assertTrue(m.contains("seedThreshold 2.0") && m.contains("between 0 and 1"), m);
    }

    @Test
    void moreObjectsThanSixteenBitsHoldIsAClearError() {
        Grid grid = new Grid(new long[] { 300, 300 }, new double[] { 1, 1 });
        int[] labels = new int[grid.size()];
        for (int i = 0; i < 70000; i++)
            labels[i] = i + 1;
        Volume like = Volume.of(ArrayImgs.unsignedBytes(300, 300), 1, 1);
        String m = assertThrows(InvalidInputException.class, () -> InstanceLabels.toVolume(grid, labels, like))
                .getMessage();
        assertTrue(m.contains("70000") && m.contains("65535") && m.contains("minArea"), m);
        labels[69999] = 0;
        for (int i = 65535; i < 70000; i++)
            labels[i] = 0;
        assertEquals(65535, (int) Grid.of(like.image(), like.spacing())
                .read(InstanceLabels.toVolume(grid, labels, like).image())[65534]);
    }

    static int[] sizes(int[] labels) {
        int[] s = new int[Components.count(labels) + 1];
        for (int l : labels)
            s[l]++;
        return s;
    }
}
